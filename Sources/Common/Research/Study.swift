import Foundation

/// An optimisation's report (CLI `--json`, `GET /api/v1/optimizations/{id}`): what was searched,
/// how, the best set and the table of the last search, and with a walk-forward every window's
/// in-sample and out-of-sample figures side by side, the overfitting warning, and the stitched
/// test windows' equity beside buy-and-hold.
public struct StudyReport: Sendable, Codable, Equatable {
    public struct Figures: Sendable, Codable, Equatable {
        @Nullable public var objective: Double?
        public var totalReturn: Double
        public var buyAndHoldReturn: Double
        public var maxDrawdown: Double
        @Nullable public var sharpe: Double?
        @Nullable public var sortino: Double?
        @Nullable public var calmar: Double?
        @Nullable public var profitFactor: Double?
        @Nullable public var winRate: Double?
        public var trades: Int

        enum CodingKeys: String, CodingKey {
            case objective, totalReturn = "total_return", buyAndHoldReturn = "buy_and_hold_return", maxDrawdown = "max_drawdown", sharpe, sortino, calmar, profitFactor = "profit_factor", winRate = "win_rate", trades
        }

        init(_ m: Backtest.Metrics, objective: Double?) {
            self.objective = objective
            totalReturn = m.totalReturn
            buyAndHoldReturn = m.buyAndHoldReturn
            maxDrawdown = m.maxDrawdown
            sharpe = m.sharpe
            sortino = m.sortino
            calmar = m.calmar
            profitFactor = m.profitFactor
            winRate = m.winRate
            trades = m.trades
        }
    }

    public struct Row: Sendable, Codable, Equatable {
        public var parameters: [String: Double]
        @Nullable public var figures: Figures?
        /// Why the set has no figures (its plan refused), or nil.
        @Nullable public var refused: String?

        init(_ scored: ScoredSet) {
            parameters = scored.parameters
            figures = scored.metrics.map { Figures($0, objective: scored.score) }
            refused = scored.refused
        }
    }

    public struct Rung: Sendable, Codable, Equatable {
        public var span: Int
        public var sets: Int
    }

    public struct Range: Sendable, Codable, Equatable {
        public var name: String
        public var low: Double
        public var high: Double
        @Nullable public var step: Double?
    }

    public struct Window: Sendable, Codable, Equatable {
        public var trainFrom: Date
        public var trainUntil: Date
        public var testFrom: Date
        public var testUntil: Date
        @Nullable public var parameters: [String: Double]?
        @Nullable public var inSample: Figures?
        @Nullable public var outOfSample: Figures?
        /// Why there is no out-of-sample figure (no set qualified on the training window, or the
        /// plan refused on the test window).
        @Nullable public var note: String?
        /// The out-of-sample result collapsed against the in-sample one.
        public var collapsed: Bool

        enum CodingKeys: String, CodingKey {
            case trainFrom = "train_from", trainUntil = "train_until", testFrom = "test_from", testUntil = "test_until", parameters, inSample = "in_sample", outOfSample = "out_of_sample", note, collapsed
        }
    }

    public struct Stitched: Sendable, Codable, Equatable {
        public var times: [Date]
        public var equity: [Double]
        public var buyAndHold: [Double]

        enum CodingKeys: String, CodingKey {
            case times, equity, buyAndHold = "buy_and_hold"
        }
    }

    public struct WalkForwardPart: Sendable, Codable, Equatable {
        public var train: Int
        public var test: Int
        public var steps: Int
        public var windows: [Window]
        /// Half or more of the windows collapsed out of sample.
        public var overfittingWarning: Bool
        /// The mean out-of-sample objective over the mean in-sample one; nil where undefined.
        @Nullable public var efficiency: Double?
        @Nullable public var stitched: Stitched?

        enum CodingKeys: String, CodingKey {
            case train, test, steps, windows, overfittingWarning = "overfitting_warning", efficiency, stitched
        }
    }

    public struct HeatMap: Sendable, Codable, Equatable {
        public var x: String
        public var y: String
        /// The candles each set was judged on (the first rung's span when halving).
        public var span: Int
        public var xs: [Double]
        public var ys: [Double]
        /// values[row for ys][column for xs]: the best objective in the cell, nil where none.
        public var values: [[Double?]]
    }

    public var strategy: String
    public var symbol: String
    public var objective: Objective
    public var method: String
    public var seed: UInt64
    public var trials: Int
    public var minTrades: Int
    public var fixed: [String: String]
    public var space: [Range]
    public var candles: Int
    public var from: Date
    public var until: Date
    /// Backtests run, and the candles they went through together.
    public var backtests: Int
    public var candleEvaluations: Int
    public var rungs: [Rung]
    /// The set the last search chose (with a walk-forward: on the last training window).
    @Nullable public var best: Row?
    /// The last search's sets, best first (at most 100).
    public var table: [Row]
    @Nullable public var walkForward: WalkForwardPart?
    @Nullable public var heatmap: HeatMap?
    /// What the report cannot say, in words (no set qualified; no walk-forward asked).
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case strategy, symbol, objective, method, seed, trials, minTrades = "min_trades", fixed, space, candles, from, until, backtests, candleEvaluations = "candle_evaluations", rungs, best, table, walkForward = "walk_forward", heatmap, notes
    }
}

/// An optimisation from the candles to the report: one search over all the candles, or a
/// walk-forward whose every choice is made on a training window and judged only on the test
/// window after it.
public struct Study: Sendable {
    public let optimizer: Optimizer
    public let walkForward: WalkForward?
    public let context: ResearchContext

    /// An out-of-sample figure under this share of the in-sample one (or at or below zero while
    /// the in-sample one was positive) has collapsed.
    public static let collapseShare = 0.5

    public init(optimizer: Optimizer, walkForward: WalkForward?, context: ResearchContext) {
        self.optimizer = optimizer
        self.walkForward = walkForward
        self.context = context
    }

    /// The backtests the study plans over `count` candles.
    public func plannedBacktests(count: Int) -> Int {
        guard let walkForward, let windows = try? walkForward.windows(count: count) else { return optimizer.plannedBacktests(length: count) }
        return windows.reduce(0) { $0 + optimizer.plannedBacktests(length: $1.train.count) + 1 }
    }

    public func run(_ candles: [StrategyCandle], control: OptimizationControl) throws(ResearchError) -> StudyReport {
        guard candles.count >= 2 else { throw ResearchError("an optimisation needs at least 2 candles; the file has \(candles.count)") }
        let windows = try walkForward?.windows(count: candles.count)
        control.update { $0.total = plannedBacktests(count: candles.count) }
        var notes: [String] = []
        var last: Optimizer.Search
        var walk: StudyReport.WalkForwardPart?
        if let walkForward, let windows {
            var reports: [StudyReport.Window] = []
            var searches: [Optimizer.Search] = []
            for (step, window) in windows.enumerated() {
                control.update { $0.phase = "window \(step + 1) of \(windows.count)" }
                let search = try optimizer.search(candles, window: window.train, control: control)
                searches.append(search)
                reports.append(judge(search, window: window, candles: candles, control: control))
            }
            last = searches[searches.count - 1]
            walk = StudyReport.WalkForwardPart(
                train: walkForward.train, test: walkForward.test, steps: walkForward.steps, windows: reports,
                overfittingWarning: reports.filter(\.collapsed).count * 2 >= reports.count, efficiency: Self.efficiency(reports),
                stitched: stitch(reports, windows: windows, candles: candles)
            )
        } else {
            control.update { $0.phase = "all candles" }
            last = try optimizer.search(candles, window: 0..<candles.count, control: control)
            notes.append("No walk-forward: every figure is in-sample (chosen and judged on the same candles). Add a walk-forward to judge the choice on candles it did not see.")
        }
        if last.best == nil {
            notes.append("No set made at least \(optimizer.minTrades) trade(s) with a defined \(optimizer.objective.rawValue) on the last search's candles: \(optimizer.objective.requirement).")
        }
        let progress = control.progress
        func time(_ ms: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(ms) / 1000) }
        return StudyReport(
            strategy: optimizer.strategy.name, symbol: context.symbol, objective: optimizer.objective, method: last.method, seed: optimizer.seed,
            trials: optimizer.trials, minTrades: optimizer.minTrades, fixed: context.fixed,
            space: optimizer.space.ranges.map { StudyReport.Range(name: $0.name, low: $0.lower, high: $0.upper, step: $0.step) },
            candles: candles.count, from: time(candles[0].openTime), until: time(candles[candles.count - 1].closeTime + 1),
            backtests: progress.done, candleEvaluations: progress.candles, rungs: last.rungs.map { StudyReport.Rung(span: $0.span, sets: $0.sets) },
            best: last.best.map(StudyReport.Row.init), table: last.ranked.prefix(100).map(StudyReport.Row.init), walkForward: walk,
            heatmap: HeatMapBuilder.make(last.tried, span: last.rungs.first?.span ?? 0, ranges: optimizer.space.ranges), notes: notes
        )
    }

    /// The training window's choice judged on its test window (the test candles are read here
    /// only, after the choice).
    func judge(_ search: Optimizer.Search, window: WalkForward.Window, candles: [StrategyCandle], control: OptimizationControl) -> StudyReport.Window {
        func time(_ ms: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(ms) / 1000) }
        var report = StudyReport.Window(
            trainFrom: time(candles[window.train.lowerBound].openTime), trainUntil: time(candles[window.train.upperBound - 1].closeTime + 1),
            testFrom: time(candles[window.test.lowerBound].openTime), testUntil: time(candles[window.test.upperBound - 1].closeTime + 1),
            parameters: nil, inSample: nil, outOfSample: nil, note: nil, collapsed: false
        )
        guard let best = search.best, let metrics = best.metrics else {
            report.note = "no set qualified on the training window (\(optimizer.objective.requirement))"
            control.update { $0.done += 1 }
            return report
        }
        report.parameters = best.parameters
        report.inSample = StudyReport.Figures(metrics, objective: best.score)
        let judged = optimizer.score(best.parameters, candles: candles, window: window.test)
        control.update {
            $0.done += 1
            $0.candles += window.test.count
        }
        if let refused = judged.refused {
            report.note = refused
            report.collapsed = true
            return report
        }
        report.outOfSample = judged.metrics.map { StudyReport.Figures($0, objective: judged.score) }
        if judged.score == nil, let trades = judged.metrics?.trades {
            report.note = trades < optimizer.minTrades
                ? "out of sample the set made \(trades) trade(s), under the minimum \(optimizer.minTrades)"
                : "out of sample \(optimizer.objective.requirement)"
        }
        report.collapsed = Self.collapsed(inSample: best.score, outOfSample: judged.score, objective: optimizer.objective, train: window.train.count, test: window.test.count)
        return report
    }

    /// Whether the out-of-sample figure collapsed: missing, at or below zero, or under half the
    /// in-sample one. Total returns are compared per candle (the windows differ in length);
    /// profit factors by their excess over 1.
    public static func collapsed(inSample: Double?, outOfSample: Double?, objective: Objective, train: Int, test: Int) -> Bool {
        guard let inSample else { return false }
        func comparable(_ value: Double, _ candles: Int) -> Double {
            switch objective {
            case .totalReturn: value > -1 ? log1p(value) / Double(candles) : -.infinity
            case .profitFactor: value - 1
            default: value
            }
        }
        let inside = comparable(inSample, train)
        // Nothing earned in sample: nothing to collapse.
        guard inside > 0 else { return false }
        guard let outOfSample else { return true }
        let outside = comparable(outOfSample, test)
        return outside <= 0 || outside < inside * collapseShare
    }

    static func efficiency(_ windows: [StudyReport.Window]) -> Double? {
        let pairs = windows.compactMap { w -> (Double, Double)? in
            guard let i = w.inSample?.objective, let o = w.outOfSample?.objective else { return nil }
            return (i, o)
        }
        guard !pairs.isEmpty else { return nil }
        let inside = pairs.reduce(0) { $0 + $1.0 } / Double(pairs.count)
        let outside = pairs.reduce(0) { $0 + $1.1 } / Double(pairs.count)
        return inside != 0 ? outside / inside : nil
    }

    /// The test windows' equity chained (each starts where the one before ended), and all-in at
    /// the first test candle's open held to the end, at most 2,000 points each.
    func stitch(_ reports: [StudyReport.Window], windows: [WalkForward.Window], candles: [StrategyCandle]) -> StudyReport.Stitched? {
        var times: [Date] = []
        var equity: [Double] = []
        var scale = 1.0
        for (report, window) in zip(reports, windows) {
            var curve: [Double]
            if let parameters = report.parameters, case .success(let result) = optimizer.strategy.run(parameters, candles: candles, window: window.test),
                result.equity.count == window.test.count
            {
                curve = result.equity.map { $0 / context.cash }
            } else {
                curve = Array(repeating: 1, count: window.test.count)  // no set: the cash stays
            }
            for (offset, index) in window.test.enumerated() {
                times.append(Date(timeIntervalSince1970: TimeInterval(candles[index].closeTime + 1) / 1000))
                equity.append(context.cash * scale * curve[offset])
            }
            scale *= curve.last ?? 1
        }
        guard let first = windows.first?.test.lowerBound else { return nil }
        let held = context.cash / (candles[first].open * (1 + context.fee))
        let hold = windows.flatMap { $0.test }.map { held * candles[$0].close }
        var keep = Array(Swift.stride(from: 0, to: equity.count, by: max(1, equity.count / 2_000)))
        if keep.last != equity.count - 1 { keep.append(equity.count - 1) }
        return StudyReport.Stitched(times: keep.map { times[$0] }, equity: keep.map { equity[$0] }, buyAndHold: keep.map { hold[$0] })
    }
}

/// The objective over two searched parameters: each cell holds the best figure of the sets in
/// it (at most 30 cells a side; a stepped range with few values gets a cell per value).
enum HeatMapBuilder {
    static func make(_ sets: [ScoredSet], span: Int, ranges: [ParameterRange]) -> StudyReport.HeatMap? {
        guard ranges.count == 2, !sets.isEmpty else { return nil }
        let (xr, yr) = (ranges[0], ranges[1])
        func axis(_ range: ParameterRange) -> [Double] {
            if let values = range.values, values.count <= 30 { return values }
            let n = 30
            return (0..<n).map { range.lower + (range.upper - range.lower) * (Double($0) + 0.5) / Double(n) }
        }
        func cell(_ value: Double, _ axis: [Double]) -> Int {
            axis.indices.min { abs(axis[$0] - value) < abs(axis[$1] - value) } ?? 0
        }
        let xs = axis(xr)
        let ys = axis(yr)
        var values = Array(repeating: [Double?](repeating: nil, count: xs.count), count: ys.count)
        for set in sets {
            guard let score = set.score, let x = set.parameters[xr.name], let y = set.parameters[yr.name] else { continue }
            let (i, j) = (cell(y, ys), cell(x, xs))
            values[i][j] = max(values[i][j] ?? -.infinity, score)
        }
        return StudyReport.HeatMap(x: xr.name, y: yr.name, span: span, xs: xs, ys: ys, values: values)
    }
}
