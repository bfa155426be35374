import ArgumentParser
import Common
import Foundation

/// `worker optimize` (issue 20): a parameter search over a kline CSV, with an optional walk-forward.
struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Search a strategy's parameters over a Binance kline CSV (exhaustive, or seeded random sampling with successive halving), optionally walk-forward."
    )

    @OptionGroup var market: ResearchOptions
    @Option(name: .customLong("space"), help: "A searched parameter, name=lo:hi[:step]; repeat for several (at most 6).")
    var space: [String] = []
    @Option(help: "sharpe, sortino, calmar, total_return or profit_factor.")
    var objective: String
    @Option(help: "Sets with fewer trades than this rank below every other.")
    var minTrades = 1
    @Option(help: "train:test:steps, in candles or durations (2000:500:4, 60d:15d:4).")
    var walkForward: String?
    @Option(help: "Sets to try when the space has more combinations than this (otherwise every combination).")
    var trials = 200
    @Option(help: "The seed of the sampling: the same seed repeats a run exactly.")
    var seed: UInt64 = 1
    @Option(help: "Backtests run on this many threads (default: every core).")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Also write the heat map of two searched parameters to this SVG file.")
    var heatmap: String?
    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be from 1 to 64") }
    }

    func run() throws {
        var request = StudyRequest(strategy: market.strategy, space: space, objective: objective)
        request.minTrades = minTrades
        request.walkForward = walkForward
        request.trials = trials
        request.seed = seed
        request.fixed = try market.fixed()
        request.fee = market.fee
        request.cash = market.cash
        let data = try readCandles(market.candles, command: "optimize")
        let filters = try market.filters()
        let study: Study
        do {
            study = try request.study(symbol: market.symbol, filters: filters, intervalMillis: data[0].closeTime + 1 - data[0].openTime, parallel: Parallel(threads: threads))
        } catch {
            throw ValidationError(error.description)
        }
        let started = Date()
        let progress = ProgressLine(command: "optimize")
        let report: StudyReport
        do {
            report = try study.run(data, control: OptimizationControl { progress.show($0) })
        } catch {
            throw ValidationError(error.description)
        }
        let seconds = Date().timeIntervalSince(started)
        StreamWriter.standardError.write(
            "worker optimize: \(report.backtests) backtests, \(report.candleEvaluations) candle evaluations in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", Double(report.candleEvaluations) / max(seconds, 1e-9) / 1e6)) million/s on \(threads) threads)\n"
        )
        if let heatmap {
            guard let map = report.heatmap else { throw ValidationError("--heatmap needs exactly two searched parameters") }
            do {
                try map.svg(objective: report.objective.rawValue).write(toFile: heatmap, atomically: true, encoding: .utf8)
            } catch {
                StreamWriter.standardError.write("worker optimize: cannot write \(heatmap): \(error)\n")
                throw ExitCode(1)
            }
        }
        StreamWriter.standardOutput.write(json ? String(decoding: WireJSON.data(report), as: UTF8.self) + "\n" : Self.text(report))
    }

    /// The report as lines a person reads.
    static func text(_ r: StudyReport) -> String {
        func figure(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "—" }
        func set(_ p: [String: Double]?) -> String { p.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\(ParameterText.plain($0.value))" }.joined(separator: " ") } ?? "—" }
        var out = "\(r.strategy) on \(r.symbol), \(r.candles) candles; \(r.objective.rawValue); \(r.method), seed \(r.seed); \(r.backtests) backtests\n"
        if let best = r.best { out += "best: \(set(best.parameters)) \(r.objective.rawValue) \(figure(best.figures?.objective)) trades \(best.figures?.trades ?? 0)\n" }
        for row in r.table.prefix(10) {
            out += "  \(set(row.parameters))  \(figure(row.figures?.objective))  \(row.refused ?? "")\n"
        }
        if let walk = r.walkForward {
            out += "walk-forward \(walk.train):\(walk.test):\(walk.steps)  in-sample → out-of-sample\n"
            if walk.overfittingWarning { out += "OVERFITTING WARNING: the chosen set collapsed out of sample in \(walk.windows.filter(\.collapsed).count) of \(walk.windows.count) windows\n" }
            for w in walk.windows {
                out += "  \(Timestamp.string(w.testFrom))  \(set(w.parameters))  \(figure(w.inSample?.objective)) → \(figure(w.outOfSample?.objective))\(w.collapsed ? "  COLLAPSED" : "")\(w.note.map { "  (\($0))" } ?? "")\n"
            }
        }
        for note in r.notes { out += note + "\n" }
        return out
    }
}

/// A parameter value as typed (whole numbers without a fraction).
enum ParameterText {
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Progress on stderr, at most once a second: backtests done of planned, the best set so far.
final class ProgressLine: @unchecked Sendable {
    let command: String
    private let lock = NSLock()
    private var last = Date.distantPast

    init(command: String) { self.command = command }

    func show(_ p: OptimizationControl.Progress) {
        lock.lock()
        defer { lock.unlock() }
        guard Date().timeIntervalSince(last) >= 1 else { return }
        last = Date()
        let best = p.best.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\(ParameterText.plain($0.value))" }.joined(separator: " ") } ?? "none yet"
        StreamWriter.standardError.write("worker \(command): \(p.phase): \(p.done)/\(p.total) backtests; best so far \(best)\n")
    }
}

extension ParsableCommand {
    /// The candles of a CSV; an unreadable file ends the command with status 2.
    func readCandles(_ path: String, command: String) throws -> [StrategyCandle] {
        let data: [StrategyCandle]
        do {
            data = try KlineCSV.read(path: path)
        } catch {
            StreamWriter.standardError.write("worker \(command): \(path): \(error)\n")
            throw ExitCode(2)
        }
        guard !data.isEmpty else { throw ValidationError("\(path) holds no candles") }
        return data
    }
}

extension ParsableCommand {
    static func filters(symbol: String, tickSize: String, stepSize: String, minNotional: String) throws -> SymbolFilters {
        guard let tick = Decimal(string: tickSize), tick > 0, let step = Decimal(string: stepSize), step > 0, let minimum = Decimal(string: minNotional), minimum >= 0 else {
            throw ValidationError("--tick-size and --step-size must be positive numbers, --min-notional a number ≥ 0")
        }
        return SymbolFilters(
            symbol: symbol, baseAsset: "BASE", quoteAsset: "QUOTE", minPrice: tick, maxPrice: 0, tickSize: tick, minQty: step, maxQty: 0, stepSize: step,
            minNotional: minimum
        )
    }
}
