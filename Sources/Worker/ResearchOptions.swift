import ArgumentParser
import Common
import Foundation

/// What `worker optimize` and `worker bias-check` share: the candles, the strategy and its fixed
/// parameters, the fee and cash, and a grid's or DCA bot's symbol filters.
struct ResearchOptions: ParsableArguments {
    @Option(help: "A Binance kline CSV (data.binance.vision layout, with or without a header).")
    var candles: String
    @Option(help: "The symbol the candles are of.")
    var symbol: String
    @Option(help: "sma_cross, ml, grid or dca.")
    var strategy: String
    @Option(name: .customLong("param"), help: "A fixed strategy parameter, k=v; repeat for several.")
    var params: [String] = []
    @Option(help: "The fee per trade, as a fraction.")
    var fee = 0.001
    @Option(help: "The starting cash (a grid's investment unless --param investment=…).")
    var cash = 10_000.0
    @Option(help: "A grid's or DCA bot's symbol filters: the price tick.")
    var tickSize = "0.01"
    @Option(help: "The quantity step.")
    var stepSize = "0.00001"
    @Option(help: "The smallest order value.")
    var minNotional = "5"

    func validate() throws {
        guard fee >= 0, fee < 0.5 else { throw ValidationError("--fee must be a fraction from 0 to 0.5, such as 0.001") }
        guard cash > 0, cash.isFinite else { throw ValidationError("--cash must be positive") }
        guard symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ValidationError("--symbol must be a symbol such as BTCUSDT")
        }
    }

    /// The symbol filters a grid or DCA bot's plan is checked against.
    func filters() throws -> SymbolFilters {
        try BacktestCommand.filters(symbol: symbol, tickSize: tickSize, stepSize: stepSize, minNotional: minNotional)
    }

    /// `--param k=v` as texts by name.
    func fixed() throws -> [String: String] { try BacktestCommand.texts(params) }
}
