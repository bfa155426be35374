import Dispatch
import Foundation
import Synchronization

/// A walk-forward: `steps` consecutive pairs of a training window (`train` candles) and the
/// test window right after it (`test` candles); each pair starts `test` candles after the one
/// before, so the test windows follow each other without overlapping and the last one ends at
/// the last candle.
public struct WalkForward: Sendable, Equatable, Codable {
    public let train: Int
    public let test: Int
    public let steps: Int

    public init(train: Int, test: Int, steps: Int) {
        self.train = train
        self.test = test
        self.steps = steps
    }

    public struct Window: Sendable, Equatable {
        public let train: Range<Int>
        public let test: Range<Int>
    }

    /// The longest window, in candles.
    public static let maximum = 100_000_000

    /// `train:test:steps`: candle counts, or durations (`30d`, `12h`, `2w`) read with the
    /// candles' interval (`intervalMillis`).
    public static func parse(_ text: String, intervalMillis: Int64?) throws(ResearchError) -> WalkForward {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3 else { throw ResearchError("--walk-forward \(text): expected train:test:steps, such as 2000:500:4 or 60d:15d:4") }
        func candles(_ part: String, _ name: String) throws(ResearchError) -> Int {
            if let count = Int(part) {
                guard (1...maximum).contains(count) else { throw ResearchError("--walk-forward: the \(name) window must be from 1 to \(maximum) candles") }
                return count
            }
            let units: [Character: Int64] = ["m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
            guard let unit = part.last.flatMap({ units[$0] }), let amount = Int64(part.dropLast()), amount > 0 else {
                throw ResearchError("--walk-forward: the \(name) window \(part) must be a number of candles or a duration such as 30d, 12h or 2w")
            }
            guard let intervalMillis, intervalMillis > 0 else { throw ResearchError("--walk-forward: \(part) needs candles to measure it in") }
            let (span, overflow) = amount.multipliedReportingOverflow(by: unit)
            let count = overflow ? Int64.max : span / intervalMillis
            guard count > 0 else { throw ResearchError("--walk-forward: the \(name) window \(part) is shorter than one candle") }
            guard count <= Int64(maximum) else { throw ResearchError("--walk-forward: the \(name) window \(part) is more than \(maximum) candles") }
            return Int(count)
        }
        let train = try candles(parts[0], "training")
        let test = try candles(parts[1], "test")
        guard let steps = Int(parts[2]), (1...100).contains(steps) else { throw ResearchError("--walk-forward: steps must be a whole number from 1 to 100") }
        return WalkForward(train: train, test: test, steps: steps)
    }

    /// The windows over `count` candles, oldest first; refused when they need more candles.
    public func windows(count: Int) throws(ResearchError) -> [Window] {
        let needed = train + test * steps
        guard needed <= count else {
            throw ResearchError("--walk-forward \(train):\(test):\(steps) needs \(needed) candles (training \(train) + \(steps) × test \(test)); the file has \(count)")
        }
        let start = count - needed
        return (0..<steps).map { step in
            let from = start + step * test
            return Window(train: from..<(from + train), test: (from + train)..<(from + train + test))
        }
    }
}

/// Stops an optimisation between two backtests and hears its progress; shared between the
/// threads that evaluate.
public final class OptimizationControl: Sendable {
    public struct Progress: Sendable, Equatable {
        /// Backtests finished of those planned.
        public var done = 0
        public var total = 0
        /// Candles the finished backtests went through.
        public var candles = 0
        /// The best set of the latest search so far, and its objective.
        public var best: ParameterSet?
        public var bestScore: Double?
        public var phase = ""
        public init() {}
    }

    private let cancelled = Atomic<Bool>(false)
    private let state = Mutex(Progress())
    private let listener: (@Sendable (Progress) -> Void)?

    public init(onProgress: (@Sendable (Progress) -> Void)? = nil) { listener = onProgress }

    public func cancel() { cancelled.store(true, ordering: .relaxed) }
    /// Records the backtests planned before the run starts (so a first look sees the total).
    public func plan(_ total: Int) { update { $0.total = total } }
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    public var progress: Progress { state.withLock { $0 } }

    func update(_ change: (inout Progress) -> Void) {
        let now = state.withLock { progress -> Progress in
            change(&progress)
            return progress
        }
        listener?(now)
    }
}

/// One set's backtest in a search: its objective (nil when undefined, too few trades or refused).
public struct ScoredSet: Sendable {
    public let parameters: ParameterSet
    public let score: Double?
    public let metrics: Backtest.Metrics?
    public let refused: String?
    /// The order it was drawn in (ties rank by it, so a search repeats exactly).
    let index: Int
}

/// Parameter search over windows of candles (CONTRACT §9, optimisation): every combination of a
/// small space, otherwise `trials` seeded samples narrowed by successive halving (all on the
/// window's most recent ninth, the best third on its last third, the best third of those on all
/// of it); backtests run on ``Parallel``'s threads. Pure apart from the threads: the same inputs and
/// seed give the same result.
public struct Optimizer: Sendable {
    public let strategy: ResearchStrategy
    public let space: SearchSpace
    public let objective: Objective
    public let minTrades: Int
    public let trials: Int
    public let seed: UInt64
    public let parallel: Parallel
    /// The shortest span a halving rung may use (shorter spans judge too little).
    public var minimumSpan = 200

    public init(
        strategy: ResearchStrategy, space: SearchSpace, objective: Objective, minTrades: Int = 1, trials: Int = 200, seed: UInt64 = 1, parallel: Parallel = Parallel(threads: 2)
    ) {
        self.strategy = strategy
        self.space = space
        self.objective = objective
        self.minTrades = minTrades
        self.trials = trials
        self.seed = seed
        self.parallel = parallel
    }

    public struct Search: Sendable {
        /// `exhaustive`, `random` (too short a window to halve) or `random+halving`.
        public let method: String
        /// (span in candles, sets) per rung, the last over the whole window.
        public let rungs: [(span: Int, sets: Int)]
        /// The final rung's sets, best first.
        public let ranked: [ScoredSet]
        /// The first rung's: every set tried, on the first rung's span.
        public let tried: [ScoredSet]
        public var best: ScoredSet? { ranked.first.flatMap { $0.score == nil ? nil : $0 } }
    }

    /// The sets this search tries, and whether that is every combination.
    public func candidates() -> (sets: [ParameterSet], exhaustive: Bool) {
        if let size = space.gridSize, size <= trials { return (space.grid(), true) }
        return (space.sample(trials, seed: seed), false)
    }

    /// The rungs' spans for `count` sets over a window of `length` candles.
    public func spans(sets count: Int, length: Int, exhaustive: Bool) -> [Int] {
        var spans = [length]
        guard !exhaustive else { return spans }
        var survivors = count
        while spans.count < 3, spans[0] / 3 >= minimumSpan, survivors >= 9 {
            spans.insert(spans[0] / 3, at: 0)
            survivors /= 3
        }
        return spans
    }

    /// The backtests a search over a window of `length` candles plans.
    public func plannedBacktests(length: Int) -> Int {
        let (sets, exhaustive) = candidates()
        var count = sets.count
        var total = 0
        for _ in spans(sets: sets.count, length: length, exhaustive: exhaustive) {
            total += count
            count = max(1, (count + 2) / 3)
        }
        return total
    }

    /// Searches the window; the best set is judged on it alone (nothing after `window` is read).
    public func search(_ candles: [StrategyCandle], window: Range<Int>, control: OptimizationControl) throws(ResearchError) -> Search {
        let (sets, exhaustive) = candidates()
        guard !sets.isEmpty else {
            let rules = strategy.constraints.map(\.text).joined(separator: "; ")
            throw ResearchError("no set in the space keeps \(strategy.name)'s constraints (\(rules))")
        }
        let spans = spans(sets: sets.count, length: window.count, exhaustive: exhaustive)
        var current = sets.enumerated().map { ($0.offset, $0.element) }
        var rungs: [(Int, Int)] = []
        var ranked: [ScoredSet] = []
        var tried: [ScoredSet] = []
        for (rung, span) in spans.enumerated() {
            let part = (window.upperBound - span)..<window.upperBound
            control.update {
                $0.best = nil
                $0.bestScore = nil
            }
            ranked = rank(try evaluate(current, candles: candles, window: part, control: control))
            if rung == 0 { tried = ranked }
            rungs.append((span, current.count))
            if rung < spans.count - 1 {
                current = ranked.prefix(max(1, (current.count + 2) / 3)).map { ($0.index, $0.parameters) }
            }
        }
        return Search(method: exhaustive ? "exhaustive" : spans.count > 1 ? "random+halving" : "random", rungs: rungs, ranked: ranked, tried: tried)
    }

    /// Best first: sets with a figure by it (ties by draw order), then the rest by draw order.
    func rank(_ scored: [ScoredSet]) -> [ScoredSet] {
        scored.sorted { a, b in
            switch (a.score, b.score) {
            case (let x?, let y?): x != y ? x > y : a.index < b.index
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.index < b.index
            }
        }
    }

    /// One set's figure on the window.
    public func score(_ set: ParameterSet, candles: [StrategyCandle], window: Range<Int>, index: Int = 0) -> ScoredSet {
        switch strategy.run(set, candles: candles, window: window) {
        case .failure(let error):
            return ScoredSet(parameters: set, score: nil, metrics: nil, refused: error.description, index: index)
        case .success(let result):
            let enough = result.metrics.trades >= minTrades
            return ScoredSet(parameters: set, score: enough ? objective.value(result.metrics) : nil, metrics: result.metrics, refused: nil, index: index)
        }
    }

    /// Backtests every set on the window, `threads` at a time; stops between backtests when cancelled.
    func evaluate(_ sets: [(Int, ParameterSet)], candles: [StrategyCandle], window: Range<Int>, control: OptimizationControl) throws(ResearchError) -> [ScoredSet] {
        let next = Atomic<Int>(0)
        let results = Mutex<[ScoredSet?]>(Array(repeating: nil, count: sets.count))
        let optimizer = self
        parallel.run(sets.count) {
            while !control.isCancelled {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < sets.count else { return }
                let scored = optimizer.score(sets[i].1, candles: candles, window: window, index: sets[i].0)
                results.withLock { $0[i] = scored }
                control.update { progress in
                    progress.done += 1
                    progress.candles += window.count
                    if let score = scored.score, progress.bestScore.map({ score > $0 }) ?? true {
                        progress.bestScore = score
                        progress.best = scored.parameters
                    }
                }
            }
        }
        if control.isCancelled { throw ResearchError("cancelled") }
        return results.withLock { $0.compactMap { $0 } }
    }
}
