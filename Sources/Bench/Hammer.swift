import ArgumentParser
import Common
import Foundation

/// One of several processes sharing a host's request weight: sends `ticker/price` (weight 4)
/// until its share of the minute is spent, and prints what it sent and how many 429s it got.
struct Hammer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Spend a request-weight share against an exchange (used by the tests).")

    @Option(help: "The exchange's REST base URL.")
    var baseURL: String
    @Option(help: "This process's weight per minute.")
    var share: Int
    @Option(help: "Requests to try at most.")
    var requests: Int = 200

    func run() async throws {
        let budget = WeightBudget(share: share, hostLimit: 1_000_000_000)
        let client = BinanceClient(baseURL: baseURL, credentials: nil, timeout: .seconds(5))
        var sent = 0
        var limited = 0
        var failures = 0
        var attempt = 0
        while attempt < requests {
            guard budget.tryReserve(4) == nil else { break }
            do {
                _ = try await client.tickerPrices()
                sent += 1
                attempt += 1
            } catch .rateLimited {
                limited += 1
                break  // what the test wants to see; the client holds everything back now
            } catch {
                // A failed connection is said and tried again (three times in all), as a client
                // would; anything else ends the run.
                failures += 1
                StreamWriter.standardError.write("hammer: \(error)\n")
                guard failures < 3 else { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        print("{\"sent\":\(sent),\"rate_limited\":\(limited)}")
    }
}
