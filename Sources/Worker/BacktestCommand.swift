import ArgumentParser
import Common
import Foundation

/// `worker backtest` (CONTRACT §7): a strategy over a kline CSV, the same strategy code as live.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest", abstract: "Backtest a strategy over a Binance kline CSV file and print the result."
    )

    @Option(help: "A Binance kline CSV (data.binance.vision layout, with or without a header).")
    var candles: String
    @Option(help: "The symbol the candles are of (for the record).")
    var symbol: String
    @Option(help: "sma_cross (params fast, slow), ml (params training_window, retrain_every, trees, depth, horizon, fee, seed) grid (params lower, upper, levels, investment, stop_loss, take_profit) or dca (params base_order, safety_orders, deviation, step_scale, volume_scale, take_profit, trailing, stop_loss, max_deals, start = immediately, sma_cross or ml, start_fast, start_slow; percentages in percent).")
    var strategy: String
    @Option(help: "A grid's spacing: arithmetic or geometric.")
    var gridSpacing: String = "arithmetic"
    @Option(help: "A grid's trailing: off, or up (above the range, with every level sold, the range moves up by whole levels).")
    var gridTrail: String = "off"
    @Option(help: "A grid's symbol filters: the price tick.")
    var tickSize: String = "0.01"
    @Option(help: "A grid's symbol filters: the quantity step.")
    var stepSize: String = "0.00001"
    @Option(help: "A grid's symbol filters: the smallest order value.")
    var minNotional: String = "5"
    @Option(name: .customLong("param"), help: "A strategy parameter, k=v; repeat for several.")
    var params: [String] = []
    @Option(help: "The fee per trade, as a fraction.")
    var fee: Double = 0.001
    @Option(help: "The starting cash.")
    var cash: Double = 10_000
    @Option(help: "Fills this fraction worse than the open (0.0005 = 5 basis points).")
    var slippage: Double = 0
    @Option(help: "Floor quantities to this lot size (default: fractional quantities).")
    var lotSize: Double?
    @Option(help: "Also write PREFIX-trades.csv and PREFIX-equity.csv.")
    var csv: String?
    @Flag(help: "Print JSON (the only format on stdout; --csv exports CSV files).")
    var json = false

    func validate() throws {
        guard fee >= 0, fee < 0.5 else { throw ValidationError("--fee must be a fraction from 0 to 0.5, such as 0.001") }
        guard cash > 0, cash.isFinite else { throw ValidationError("--cash must be positive") }
        guard slippage >= 0, slippage < 0.1 else { throw ValidationError("--slippage must be a fraction from 0 to 0.1") }
        if let lotSize { guard lotSize > 0, lotSize.isFinite else { throw ValidationError("--lot-size must be positive") } }
        guard symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ValidationError("--symbol must be a symbol such as BTCUSDT")
        }
    }

    func run() throws {
        if strategy == "dca" { return try runDCA(try Self.texts(params)) }
        let values = try Self.parameters(params)
        if strategy == "grid" { return try runGrid(values) }
        var sma: SMACross?
        var ml: MLStrategy?
        switch self.strategy {
        case "sma_cross":
            let fast = values["fast"] ?? 9
            let slow = values["slow"] ?? 21
            guard Set(values.keys).isSubset(of: ["fast", "slow"]) else { throw ValidationError("sma_cross takes only fast and slow") }
            guard fast >= 1, slow <= 100_000, fast == fast.rounded(), slow == slow.rounded(), fast < slow else {
                throw ValidationError("sma_cross needs whole numbers with 1 ≤ fast < slow")
            }
            sma = SMACross(fast: Int(fast), slow: Int(slow))
        case "ml":
            var params = values
            if params["fee"] == nil { params["fee"] = fee }
            do {
                ml = MLStrategy(settings: try MLStrategy.Settings(params: params))
            } catch {
                throw ValidationError("\(error)")
            }
        default:
            throw ValidationError("--strategy must be sma_cross, ml, grid or dca")
        }
        let data = try readCandles()
        let backtest = Backtest(fee: fee, cash: cash, slippage: slippage, lotSize: lotSize)
        let result = sma.map { backtest.run(data, strategy: $0) } ?? backtest.run(data, strategy: ml!)
        if let csv {
            do {
                try result.tradesCSV().write(toFile: csv + "-trades.csv", atomically: true, encoding: .utf8)
                try result.equityCSV(data).write(toFile: csv + "-equity.csv", atomically: true, encoding: .utf8)
            } catch {
                StreamWriter.standardError.write("worker backtest: cannot write \(csv)-…csv: \(error)\n")
                throw ExitCode(1)
            }
        }
        StreamWriter.standardOutput.write(result.jsonText(symbol: symbol))
        StreamWriter.standardOutput.write("\n")
    }
}

extension BacktestCommand {
    /// The candles of `--candles`; an unreadable file ends the command with status 2.
    func readCandles() throws -> [StrategyCandle] { try readCandles(candles, command: "backtest") }
}

extension ParsableCommand {
    /// `--param k=v` values as texts by name (parameters that are not all numbers).
    static func texts(_ params: [String]) throws -> [String: String] {
        var texts: [String: String] = [:]
        for param in params {
            let parts = param.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--param \(param): expected k=v") }
            texts[parts[0]] = parts[1]
        }
        return texts
    }

    /// `--param k=v` values: numbers by name.
    static func parameters(_ params: [String]) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for param in params {
            let parts = param.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite else { throw ValidationError("--param \(param): expected k=v with a number") }
            values[parts[0]] = value
        }
        return values
    }
}
