import ArgumentParser
import Common

/// Prints the client order id the bot gives a decision: the same in every process, so that an
/// operator can find an order on the exchange by what it was for, and the tests can prove the id
/// does not change across processes.
struct OrderIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order-id", abstract: "Print the client order id of a decision.")

    @Option(help: "The user's id.")
    var user: Int64
    @Option(help: "The symbol, such as BTCUSDT.")
    var symbol: String
    @Option(help: "The decision's key (a candle's open time in seconds, a position's opening time).")
    var key: Int64
    @Option(help: "What the order is for: BE (entry), SX (strategy exit), XL/XT/XS (exits on the exchange) …")
    var purpose: String

    func validate() throws {
        guard user > 0 else { throw ValidationError("--user must be a positive integer") }
        guard (1...20).contains(symbol.count), symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw ValidationError("--symbol must be 1 to 20 upper-case letters or digits")
        }
        guard (1...3).contains(purpose.count), purpose.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ValidationError("--purpose must be 1 to 3 letters or digits")
        }
    }

    func run() {
        print(ClientOrderID.make(user: user, symbol: symbol, key: key, purpose: purpose))
    }
}
