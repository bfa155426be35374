import ArgumentParser
import Common
import Foundation

/// `worker bias-check` (issue 20): the lookahead and recursive checks of a strategy over a kline CSV.
struct BiasCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bias-check",
        abstract: "Check a strategy for lookahead bias (signals that change when later candles are removed) and recursive bias (indicators that depend on how much history came before). Exit 1 when biased."
    )

    @OptionGroup var market: ResearchOptions
    @Option(help: "Truncated copies to compare (cut at points spread over the candles).")
    var cuts = 20
    @Option(help: "Copies that leave out the first candles, for the recursive check.")
    var starts = 3
    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard (1...500).contains(cuts) else { throw ValidationError("--cuts must be from 1 to 500") }
        guard (1...50).contains(starts) else { throw ValidationError("--starts must be from 1 to 50") }
    }

    func run() throws {
        let context = ResearchContext(symbol: market.symbol, fee: market.fee, cash: market.cash, filters: try market.filters(), fixed: try market.fixed())
        let data = try readCandles(market.candles, command: "bias-check")
        let report: BiasReport
        do {
            report = try BiasCheck.named(market.strategy, set: [:], context: context).run(data, cuts: cuts, starts: starts, parallel: Parallel(threads: ProcessInfo.processInfo.activeProcessorCount))
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
