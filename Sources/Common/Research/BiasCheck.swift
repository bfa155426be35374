import Dispatch
import Foundation
import Synchronization

/// What a strategy showed on each candle of a run: its signal and the indicators or features
/// it decided on, one row per candle in `names`' order.
public struct BiasTrace: Sendable {
    public let names: [String]
    public let rows: [[Double]]

    public init(names: [String], rows: [[Double]]) {
        self.names = names
        self.rows = rows
    }

    /// A signal as a number in the trace: buy 1, sell −1, hold 0.
    public static func number(_ signal: StrategySignal) -> Double {
        switch signal {
        case .buy: 1
        case .sell: -1
        case .hold: 0
        }
    }
}

/// The bias report (`worker bias-check --json`, `POST /api/v1/bias-checks`).
public struct BiasReport: Sendable, Codable, Equatable {
    public struct Finding: Sendable, Codable, Equatable {
        /// `lookahead` or `recursive`.
        public var kind: String
        public var candle: Int
        public var time: Date
        /// The indicator, feature or `signal` that differed.
        public var feature: String
        @Nullable public var full: Double?
        @Nullable public var other: Double?
        /// The truncated run's length (lookahead), or how many candles its copy left out at the start (recursive).
        public var cut: Int
    }

    public var strategy: String
    public var candles: Int
    public var checked: [String]
    public var cuts: [Int]
    public var starts: [Int]
    public var warmUp: Int
    public var lookahead: [Finding]
    public var recursive: [Finding]
    /// Why the recursive check did not apply, when it did not.
    @Nullable public var recursiveNote: String?
    public var passed: Bool

    enum CodingKeys: String, CodingKey {
        case strategy, candles, checked, cuts, starts, warmUp = "warm_up", lookahead, recursive, recursiveNote = "recursive_note", passed
    }
}

/// freqtrade's lookahead and recursive analyses for our strategies. Lookahead: the strategy runs
/// on the full candles and on copies cut short at many points; whatever it showed on candle t
/// must not change when candles after t are removed. Recursive: it runs on copies that leave out
/// the first candles; after the stated warm-up, an indicator must not depend on how much history
/// came before. Runs on ``Parallel``'s threads; pure otherwise.
public struct BiasCheck: Sendable {
    public let strategy: String
    /// A run over these candles (the strategy may be handed them all, as a dataframe is).
    let trace: @Sendable ([StrategyCandle]) -> BiasTrace
    /// Candles after which no indicator may depend on the history before; nil: the check does not apply (with `recursiveNote`).
    let recursiveWarmUp: Int?
    let recursiveNote: String?
    /// Indicator columns the recursive check skips (the signal: a model trained on more history decides differently by design).
    let recursiveSkips: Set<String>

    public init(
        strategy: String, recursiveWarmUp: Int?, recursiveNote: String? = nil, recursiveSkips: Set<String> = ["signal"],
        trace: @escaping @Sendable ([StrategyCandle]) -> BiasTrace
    ) {
        self.strategy = strategy
        self.trace = trace
        self.recursiveWarmUp = recursiveWarmUp
        self.recursiveNote = recursiveNote
        self.recursiveSkips = recursiveSkips
    }

    /// Two values alike: equal (both not a number counts), or within the tolerance where the
    /// recursive check allows rounding.
    static func alike(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return a == b || abs(a - b) <= tolerance * max(1, abs(a))
    }

    public func run(
        _ candles: [StrategyCandle], cuts: Int = 20, starts: Int = 3, parallel: Parallel = Parallel(threads: 2), control: OptimizationControl? = nil
    ) throws(ResearchError) -> BiasReport {
        let warm = recursiveWarmUp ?? 0
        guard candles.count >= max(20, warm * 2 + 10) else {
            throw ResearchError("a bias check of \(strategy) needs at least \(max(20, warm * 2 + 10)) candles; the file has \(candles.count)")
        }
        guard (1...500).contains(cuts) else { throw ResearchError("--cuts must be from 1 to 500") }
        let full = trace(candles)
        let n = candles.count
        // Cut points spread over the second half of the warm-up to the last candle.
        let first = max(2, warm / 2)
        let cutPoints = Array(Set((0..<cuts).map { first + ($0 + 1) * (n - 1 - first) / cuts })).sorted()
        let startPoints = recursiveWarmUp == nil ? [] : Array(Set((1...max(1, starts)).map { $0 * (n - warm - 1) / (2 * max(1, starts) + 1) })).filter { $0 > 0 }.sorted()
        @Sendable func time(_ index: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(candles[index].openTime) / 1000) }
        let jobs = cutPoints.map { (true, $0) } + startPoints.map { (false, $0) }
        let found = Mutex<[BiasReport.Finding]>([])
        let next = Atomic<Int>(0)
        let check = self
        parallel.run(jobs.count) {
            while control?.isCancelled != true {
                let j = next.add(1, ordering: .relaxed).oldValue
                guard j < jobs.count else { return }
                let (lookahead, point) = jobs[j]
                let finding = lookahead ? check.lookahead(full, candles: candles, cut: point) : check.recursive(full, candles: candles, start: point)
                if var finding {
                    finding.time = time(finding.candle)
                    found.withLock { $0.append(finding) }
                }
            }
        }
        if control?.isCancelled == true { throw ResearchError("cancelled") }
        let findings = found.withLock { $0 }.sorted { ($0.cut, $0.candle) < ($1.cut, $1.candle) }
        return BiasReport(
            strategy: strategy, candles: n, checked: full.names, cuts: cutPoints, starts: startPoints, warmUp: warm,
            lookahead: findings.filter { $0.kind == "lookahead" }, recursive: findings.filter { $0.kind == "recursive" },
            recursiveNote: recursiveWarmUp == nil ? recursiveNote : nil, passed: findings.isEmpty
        )
    }

    /// The first candle before `cut` whose trace differs from the full run's when the candles
    /// from `cut` on are removed.
    func lookahead(_ full: BiasTrace, candles: [StrategyCandle], cut: Int) -> BiasReport.Finding? {
        let short = trace(Array(candles[..<cut]))
        for t in 0..<min(cut, short.rows.count) {
            for (column, name) in full.names.enumerated() where !Self.alike(full.rows[t][column], short.rows[t][column], tolerance: 0) {
                return BiasReport.Finding(
                    kind: "lookahead", candle: t, time: Date(), feature: name, full: full.rows[t][column].finite, other: short.rows[t][column].finite, cut: cut)
            }
        }
        return nil
    }

    /// The first candle past the warm-up whose indicators differ from the full run's when the
    /// first `start` candles are left out.
    func recursive(_ full: BiasTrace, candles: [StrategyCandle], start: Int) -> BiasReport.Finding? {
        let late = trace(Array(candles[start...]))
        let warm = recursiveWarmUp ?? 0
        for t in (start + warm)..<candles.count {
            for (column, name) in full.names.enumerated() where !recursiveSkips.contains(name) {
                let other = late.rows[t - start][column]
                if !Self.alike(full.rows[t][column], other, tolerance: 1e-6) {
                    return BiasReport.Finding(kind: "recursive", candle: t, time: Date(), feature: name, full: full.rows[t][column].finite, other: other.finite, cut: start)
                }
            }
        }
        return nil
    }
}

extension Double {
    /// The value when finite; nil otherwise (JSON has no NaN).
    var finite: Double? { isFinite ? self : nil }
}

extension BiasCheck {
    /// A trading strategy traced candle by candle: its signal, then `inspect`'s values after each close.
    public static func tracing<S: TradingStrategy>(
        _ names: [String], make: @escaping @Sendable ([StrategyCandle]) -> S, inspect: @escaping @Sendable (S) -> [Double]
    ) -> @Sendable ([StrategyCandle]) -> BiasTrace {
        { candles in
            var strategy = make(candles)
            var rows: [[Double]] = []
            rows.reserveCapacity(candles.count)
            for candle in candles {
                let signal = strategy.onClose(candle)
                rows.append([BiasTrace.number(signal)] + inspect(strategy))
            }
            return BiasTrace(names: ["signal"] + names, rows: rows)
        }
    }

    /// The check of one of the project's strategies, with its parameters as an optimisation reads them.
    public static func named(_ name: String, set: ParameterSet, context: ResearchContext) throws(ResearchError) -> BiasCheck {
        let research = try ResearchStrategy.named(name, context: context)
        let known = StudyRequest.fixedKeys(research)
        if let unknown = context.fixed.keys.sorted().first(where: { !known.contains($0) }) {
            throw ResearchError("--param \(unknown): \(name) has no parameter \(unknown) (it takes \(known.sorted().joined(separator: ", ")))")
        }
        let values = ResearchStrategy.numbers(context).merging(set) { $1 }
        if let broken = research.broken(values) { throw ResearchError("the parameters break \(broken.text)") }
        switch name {
        case "sma_cross":
            let fast = Int(values["fast"] ?? 9)
            let slow = Int(values["slow"] ?? 21)
            let trace = tracing(["sma_fast", "sma_slow"], make: { _ in SMACross(fast: fast, slow: slow) }) { s in
                [s.previous?.fast ?? .nan, s.previous?.slow ?? .nan]
            }
            return BiasCheck(strategy: name, recursiveWarmUp: slow, trace: trace)
        case "ml":
            var params = values
            if params["fee"] == nil { params["fee"] = context.fee }
            let settings: MLStrategy.Settings
            do {
                settings = try MLStrategy.Settings(params: params)
            } catch {
                throw ResearchError("\(error)")
            }
            let trace = tracing(MLStrategy.featureNames, make: { _ in MLStrategy(settings: settings) }) { s in
                s.features.last ?? Array(repeating: .nan, count: MLStrategy.featureNames.count)
            }
            return BiasCheck(strategy: name, recursiveWarmUp: MLStrategy(settings: settings).warmUp, trace: trace)
        default:
            // A grid or DCA bot: its equity on each candle (what it held and how its orders filled).
            let trace: @Sendable ([StrategyCandle]) -> BiasTrace = { candles in
                let equity = (try? research.run(values, candles: candles, window: 0..<candles.count).get())?.equity ?? []
                let rows = candles.indices.map { [$0 < equity.count ? equity[$0] : .nan] }
                return BiasTrace(names: ["equity"], rows: rows)
            }
            return BiasCheck(
                strategy: name, recursiveWarmUp: nil,
                recursiveNote: "a \(name) bot's orders start with the bot (its first candle), so its state depends on where it starts by design; the lookahead check applies",
                trace: trace
            )
        }
    }
}
