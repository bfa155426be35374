import ArgumentParser
import Common
import Foundation

/// `worker bias-check` (issue 20): the lookahead and recursive checks of a strategy over a kline CSV.
struct BiasCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bias-check",
        abstract: "Check a strategy for lookahead bias (signals that change when later candles are removed) and recursive bias (indicators that depend on how much history came before). Exit 1 when biased."
    )

    @Option(help: "A Binance kline CSV.")
    var candles: String
    @Option(help: "The symbol the candles are of.")
    var symbol: String
    @Option(help: "sma_cross, ml, grid or dca.")
    var strategy: String
    @Option(name: .customLong("param"), help: "A strategy parameter, k=v; repeat for several.")
    var params: [String] = []
    @Option(help: "Truncated copies to compare (cut at points spread over the candles).")
    var cuts = 20
    @Option(help: "Copies that leave out the first candles, for the recursive check.")
    var starts = 3
    @Option(help: "The fee per trade, as a fraction.")
    var fee = 0.001
    @Option(help: "The starting cash.")
    var cash = 10_000.0
    @Option(help: "A grid's or DCA bot's symbol filters: the price tick.")
    var tickSize = "0.01"
    @Option(help: "The quantity step.")
    var stepSize = "0.00001"
    @Option(help: "The smallest order value.")
    var minNotional = "5"
    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard (1...500).contains(cuts) else { throw ValidationError("--cuts must be from 1 to 500") }
        guard (1...50).contains(starts) else { throw ValidationError("--starts must be from 1 to 50") }
        guard fee >= 0, fee < 0.5 else { throw ValidationError("--fee must be a fraction from 0 to 0.5, such as 0.001") }
        guard cash > 0, cash.isFinite else { throw ValidationError("--cash must be positive") }
    }

    func run() throws {
        let filters = try Self.filters(symbol: symbol, tickSize: tickSize, stepSize: stepSize, minNotional: minNotional)
        let context = ResearchContext(symbol: symbol, fee: fee, cash: cash, filters: filters, fixed: try Self.texts(params))
        let data = try readCandles(candles, command: "bias-check")
        let report: BiasReport
        do {
            report = try BiasCheck.named(strategy, set: [:], context: context).run(data, cuts: cuts, starts: starts, parallel: Parallel(threads: ProcessInfo.processInfo.activeProcessorCount))
        } catch {
            throw ValidationError(error.description)
        }
        StreamWriter.standardOutput.write(json ? String(decoding: WireJSON.data(report), as: UTF8.self) + "\n" : Self.text(report))
        if !report.passed { throw ExitCode(1) }
    }

    static func text(_ r: BiasReport) -> String {
        var out = "\(r.strategy): \(r.candles) candles, \(r.cuts.count) truncated copies, \(r.starts.count) later starts (warm-up \(r.warmUp)): "
        out += r.passed ? "no bias found\n" : "BIASED\n"
        for f in r.lookahead + r.recursive {
            out += "  \(f.kind): candle \(f.candle) (\(Timestamp.string(f.time))), \(f.feature): \(f.full.map { "\($0)" } ?? "none") vs \(f.other.map { "\($0)" } ?? "none") (copy \(f.cut))\n"
        }
        if let note = r.recursiveNote { out += "  recursive check: \(note)\n" }
        return out
    }
}
