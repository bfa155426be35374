import Common
import Foundation
import Testing

/// Parameter search, walk-forward and the bias checks (issue 20), on the committed candles.
@Suite struct OptimizerTests {
    static func candles() throws -> [StrategyCandle] { try MLStrategyTests.candles() }
    static let context = ResearchContext(symbol: "BTCUSDT", fee: 0.001, cash: 10_000, filters: gridFilters)
    static let sma = try! ResearchStrategy.named("sma_cross", context: context)

    static func space(_ texts: [String], strategy: ResearchStrategy = sma) throws -> SearchSpace {
        let ranges = try texts.map { text throws(ResearchError) in try ParameterRange.parse(text, declared: strategy.parameters, strategy: strategy.name) }
        return SearchSpace(ranges: ranges) { strategy.broken($0) == nil }
    }

    /// A small space is searched exhaustively and its optimum is the one plain backtests of
    /// every set find.
    @Test func exhaustiveSearchFindsTheKnownOptimum() throws {
        let candles = try Self.candles()
        let space = try Self.space(["fast=2:6", "slow=10:20:5"])
        let optimizer = Optimizer(strategy: Self.sma, space: space, objective: .totalReturn, minTrades: 1, trials: 100, seed: 7)
        let search = try optimizer.search(candles, window: 0..<candles.count, control: OptimizationControl())
        #expect(search.method == "exhaustive")
        #expect(search.ranked.count == 15)
        var best: (Double, Int, Int)?
        for fast in 2...6 {
            for slow in [10, 15, 20] {
                let result = Backtest(fee: 0.001, cash: 10_000).run(candles, strategy: SMACross(fast: fast, slow: slow))
                if result.metrics.trades >= 1, best.map({ result.metrics.totalReturn > $0.0 }) ?? true { best = (result.metrics.totalReturn, fast, slow) }
            }
        }
        let found = try #require(search.best)
        #expect(found.parameters == ["fast": Double(best!.1), "slow": Double(best!.2)])
        #expect(found.score == best!.0)
        // Ranked best first.
        let scores = search.ranked.compactMap(\.score)
        #expect(scores == scores.sorted(by: >))
    }

    /// Random sampling with successive halving repeats exactly with the same seed (on two
    /// threads), and draws other sets with another.
    @Test func seededSearchRepeatsExactly() throws {
        let candles = try Self.candles()
        let space = try Self.space(["fast=2:40", "slow=10:120"])
        var optimizer = Optimizer(strategy: Self.sma, space: space, objective: .sharpe, minTrades: 1, trials: 60, seed: 42, parallel: Parallel(threads: 2))
        optimizer.minimumSpan = 90
        let one = try optimizer.search(candles, window: 0..<candles.count, control: OptimizationControl())
        let two = try optimizer.search(candles, window: 0..<candles.count, control: OptimizationControl())
        #expect(one.method == "random+halving")
        #expect(one.rungs.map(\.span) == [96, 288, 864])
        #expect(one.rungs.map(\.sets) == [60, 20, 7])
        #expect(one.ranked.map(\.parameters) == two.ranked.map(\.parameters))
        #expect(one.ranked.map(\.score) == two.ranked.map(\.score))
        var other = Optimizer(strategy: Self.sma, space: space, objective: .sharpe, minTrades: 1, trials: 60, seed: 43, parallel: Parallel(threads: 1, niceness: 5))
        other.minimumSpan = 90
        #expect(other.candidates().sets != optimizer.candidates().sets)
        // Constraints respected: every drawn set has fast < slow.
        #expect(optimizer.candidates().sets.allSatisfy { $0["fast"]! < $0["slow"]! })
    }

    /// Walk-forward windows: each test window follows its training window, the test windows
    /// follow each other without overlapping, and the last ends at the last candle.
    @Test func walkForwardWindowsNeverOverlap() throws {
        let walk = WalkForward(train: 300, test: 100, steps: 5)
        let windows = try walk.windows(count: 864)
        #expect(windows.count == 5)
        #expect(windows.last?.test.upperBound == 864)
        for (i, w) in windows.enumerated() {
            #expect(w.train.upperBound == w.test.lowerBound)
            #expect(w.train.count == 300 && w.test.count == 100)
            if i > 0 { #expect(windows[i - 1].test.upperBound == w.test.lowerBound) }
        }
        #expect(throws: ResearchError.self) { try WalkForward(train: 800, test: 100, steps: 2).windows(count: 864) }
        #expect(try WalkForward.parse("1d:6h:3", intervalMillis: 300_000) == WalkForward(train: 288, test: 72, steps: 3))
        for bad in ["1:2", "0:10:2", "10:10:0", "x:10:2", "10d:1:2x", "9223372036854775807:9223372036854775807:2", "99999999999999999d:1:2"] {
            #expect(throws: ResearchError.self, "\(bad)") { try WalkForward.parse(bad, intervalMillis: 300_000) }
        }
    }

    /// The choice on a training window never reads its test window: changing every candle
    /// after the first training window leaves that window's choice as it was, while its
    /// out-of-sample figure changes.
    @Test func testWindowsNeverFeedTheChoice() throws {
        let candles = try Self.candles()
        let space = try Self.space(["fast=2:8:2", "slow=10:30:10"])
        let optimizer = Optimizer(strategy: Self.sma, space: space, objective: .totalReturn, minTrades: 0, trials: 50, seed: 1)
        let study = Study(optimizer: optimizer, walkForward: WalkForward(train: 300, test: 140, steps: 4), context: Self.context)
        let report = try study.run(candles, control: OptimizationControl())
        let walk = try #require(report.walkForward)
        #expect(walk.windows.count == 4)
        let firstTestStart = 864 - 4 * 140
        var changed = candles
        for i in firstTestStart..<candles.count {
            let c = candles[i]
            let f = 1 + 0.3 * sin(Double(i))
            changed[i] = StrategyCandle(openTime: c.openTime, open: c.open * f, high: c.high * f * 1.01, low: c.low * f * 0.99, close: c.close / f, volume: c.volume, closeTime: c.closeTime)
        }
        let again = try study.run(changed, control: OptimizationControl())
        let first = walk.windows[0]
        let second = try #require(again.walkForward?.windows[0])
        #expect(first.parameters == second.parameters)
        #expect(first.inSample == second.inSample)
        #expect(first.outOfSample != second.outOfSample)
        // In-sample and out-of-sample side by side, and the stitched equity beside buy-and-hold.
        let stitched = try #require(walk.stitched)
        #expect(stitched.equity.count == 560 && stitched.buyAndHold.count == 560)
        #expect(stitched.equity[0] > 0)
    }

    /// An out-of-sample figure under half the in-sample one (or not positive) is flagged.
    @Test func collapseIsFlagged() {
        #expect(Study.collapsed(inSample: 2, outOfSample: 0.5, objective: .sharpe, train: 100, test: 50))
        #expect(!Study.collapsed(inSample: 2, outOfSample: 1.5, objective: .sharpe, train: 100, test: 50))
        #expect(Study.collapsed(inSample: 2, outOfSample: -0.1, objective: .sharpe, train: 100, test: 50))
        #expect(Study.collapsed(inSample: 2, outOfSample: nil, objective: .sharpe, train: 100, test: 50))
        #expect(!Study.collapsed(inSample: -1, outOfSample: -2, objective: .sharpe, train: 100, test: 50))
        #expect(!Study.collapsed(inSample: -0.01, outOfSample: nil, objective: .totalReturn, train: 100, test: 50), "a loss in sample has nothing to collapse")
        // Total returns per candle: 10 % over 100 candles is 5 % over 50 at the same pace.
        #expect(!Study.collapsed(inSample: 0.10, outOfSample: 0.045, objective: .totalReturn, train: 100, test: 50))
        #expect(Study.collapsed(inSample: 0.10, outOfSample: 0.01, objective: .totalReturn, train: 100, test: 50))
        #expect(Study.collapsed(inSample: 1.8, outOfSample: 1.2, objective: .profitFactor, train: 100, test: 50))
    }

    /// Constraints: a space with no set keeping them is refused, naming the constraint; the
    /// grid's spacing must beat the fees.
    @Test func constraintsAreRespected() throws {
        let candles = try Self.candles()
        let space = try Self.space(["fast=50:60", "slow=10:20"])
        let optimizer = Optimizer(strategy: Self.sma, space: space, objective: .sharpe)
        #expect(throws: ResearchError("no set in the space keeps sma_cross's constraints (fast < slow)")) {
            try optimizer.search(candles, window: 0..<candles.count, control: OptimizationControl())
        }
        let grid = try ResearchStrategy.named("grid", context: Self.context)
        #expect(grid.broken(["lower": 100, "upper": 101, "levels": 10])?.text == "grid spacing above twice the fee")
        #expect(grid.broken(["lower": 100, "upper": 200, "levels": 10]) == nil)
        #expect(grid.broken(["lower": 200, "upper": 100, "levels": 10])?.text == "lower < upper")
        let dca = try ResearchStrategy.named("dca", context: ResearchContext(symbol: "BTCUSDT", filters: gridFilters, fixed: ["base_order": "100"]))
        #expect(dca.broken(["take_profit": 0.1])?.text == "take_profit above the fees of a deal")
    }

    /// Every strategy of the project can be optimised: a few sets of each on the committed candles.
    @Test func everyStrategyOptimises() throws {
        let candles = try Self.candles()
        let price = candles[0].open
        let cases: [(String, [String: String], [String])] = [
            ("sma_cross", [:], ["fast=3:5", "slow=20:30:10"]),
            ("ml", ["trees": "5", "depth": "3", "retrain_every": "200"], ["training_window=300:400:100", "horizon=4:6:2"]),
            ("grid", ["levels": "8"], ["lower=\(Int(price * 0.95)):\(Int(price * 0.97)):\(Int(price * 0.01))", "upper=\(Int(price * 1.03)):\(Int(price * 1.05)):\(Int(price * 0.01))"]),
            ("dca", ["base_order": "100", "safety_orders": "2"], ["take_profit=0.5:1.5:0.5", "deviation=0.5:1:0.5"]),
        ]
        for (name, fixed, texts) in cases {
            let context = ResearchContext(symbol: "BTCUSDT", fee: 0.001, cash: 10_000, filters: gridFilters, fixed: fixed)
            let strategy = try ResearchStrategy.named(name, context: context)
            let space = try Self.space(texts, strategy: strategy)
            let study = Study(optimizer: Optimizer(strategy: strategy, space: space, objective: .totalReturn, minTrades: 0, trials: 20), walkForward: nil, context: context)
            let report = try study.run(candles, control: OptimizationControl())
            #expect(report.method == "exhaustive", "\(name)")
            #expect(report.best != nil, "\(name): \(report.table.compactMap(\.refused))")
            #expect(report.heatmap?.values.count == 2 || report.heatmap?.values.count == 3, "\(name)")
            let json = String(decoding: WireJSON.data(report), as: UTF8.self)
            #expect(json.contains("\"strategy\":\"\(name)\""))
            #expect(try WireJSON.decoder.decode(StudyReport.self, from: Data(json.utf8)) == report, "\(name) round-trips")
        }
    }

    /// Cancelling stops between backtests; the search says it was cancelled.
    @Test func cancelStopsTheSearch() throws {
        let candles = try Self.candles()
        let space = try Self.space(["fast=2:40", "slow=41:120"])
        let optimizer = Optimizer(strategy: Self.sma, space: space, objective: .sharpe, trials: 300, parallel: Parallel(threads: 2))
        // The callback cancels the search it reports on, after five backtests.
        let own = OptimizationControlBox()
        let search = OptimizationControl { progress in if progress.done >= 5 { own.control?.cancel() } }
        own.control = search
        #expect(throws: ResearchError("cancelled")) { try optimizer.search(candles, window: 0..<candles.count, control: search) }
        #expect(search.progress.done < 20)
    }

    /// Bad ranges, spaces and objectives are refused with a message naming the problem.
    @Test func badSpacesAreRefused() {
        let declared = Self.sma.parameters
        let cases: [(String, String)] = [
            ("fast=10:5", "--space fast: the low end 10 is above the high end 5"),
            ("speed=1:5", "--space speed: sma_cross has no parameter speed to search (it has fast, slow)"),
            ("fast=a:5", "--space fast=a:5: expected lo:hi or lo:hi:step, each a number"),
            ("fast=1:5:0", "--space fast: the step must be above 0"),
            ("fast=1.5:5", "--space fast: a whole-number parameter needs whole lo, hi and step"),
            ("fast=0:5", "--space fast: 0…5 leaves sma_cross's bounds 1…1000"),
            ("fast", "--space fast: expected name=lo:hi or name=lo:hi:step"),
        ]
        for (text, message) in cases {
            #expect(throws: ResearchError(message), "\(text)") { try ParameterRange.parse(text, declared: declared, strategy: "sma_cross") }
        }
        #expect(throws: ResearchError("--objective must be one of sharpe, sortino, calmar, total_return, profit_factor; not gain")) { try Objective.parse("gain") }
        #expect(throws: ResearchError("--strategy must be one of sma_cross, ml, grid, dca; not rsi")) { try ResearchStrategy.named("rsi", context: Self.context) }
        #expect(throws: ResearchError.self) { try ResearchStrategy.named("grid", context: ResearchContext(symbol: "BTCUSDT")) }
        #expect((try? ParameterRange.parse("slow=10:20:5", declared: declared, strategy: "sma_cross"))?.values == [10, 15, 20])
        let grid = try! ResearchStrategy.named("grid", context: Self.context)
        #expect(throws: ResearchError("--space lower: 0…1000000000000 by 0.001 is more than 1000000 values; use a larger step")) {
            try ParameterRange.parse("lower=0:1e12:0.001", declared: grid.parameters, strategy: "grid")
        }
    }

    /// A backtest judged from a later candle reads the candles before it only for the warm-up.
    @Test func backtestFromAnIndexTradesOnlyFromThere() throws {
        let candles = try Self.candles()
        let whole = Backtest().run(candles, strategy: SMACross(fast: 5, slow: 13))
        #expect(Backtest().run(candles, strategy: SMACross(fast: 5, slow: 13), from: 0).equity == whole.equity)
        let later = Backtest().run(candles, strategy: SMACross(fast: 5, slow: 13), from: 400)
        #expect(later.equity.count == candles.count - 400)
        #expect(later.trades.allSatisfy { $0.entryTime >= candles[400].openTime })
        #expect(later.metrics.buyAndHoldReturn == Backtest().run(Array(candles[400...]), strategy: SMACross(fast: 5, slow: 13)).metrics.buyAndHoldReturn)
    }
}

/// Holds a control for a progress callback that cancels its own search.
final class OptimizationControlBox: @unchecked Sendable {
    var control: OptimizationControl?
}

@Suite struct BiasCheckTests {
    /// Buys when the next candle closes higher: it peeks one candle ahead.
    struct Peeking: TradingStrategy {
        let candles: [StrategyCandle]
        var t = 0
        var warmUp: Int { 1 }
        mutating func onClose(_ candle: StrategyCandle) -> StrategySignal {
            defer { t += 1 }
            guard t + 1 < candles.count else { return .hold }
            return candles[t + 1].close > candle.close ? .buy : .sell
        }
    }

    /// A mean of every close since the start: its value depends on all the history before.
    struct Cumulative: TradingStrategy {
        var sum = 0.0
        var count = 0.0
        var warmUp: Int { 1 }
        mutating func onClose(_ candle: StrategyCandle) -> StrategySignal {
            sum += candle.close
            count += 1
            return .hold
        }
    }

    @Test func aPeekingStrategyIsCaught() throws {
        let candles = try OptimizerTests.candles()
        let trace = BiasCheck.tracing(["next_close"], make: { Peeking(candles: $0) }) { s in [s.t < s.candles.count ? s.candles[s.t].close : .nan] }
        let report = try BiasCheck(strategy: "peeking", recursiveWarmUp: 10, trace: trace).run(candles, cuts: 10)
        #expect(!report.passed)
        let finding = try #require(report.lookahead.first)
        #expect(finding.kind == "lookahead")
        #expect(finding.candle == finding.cut - 1, "the candle just before the cut: its signal read the removed candle")
        #expect(finding.feature == "signal")
        #expect(finding.time == Date(timeIntervalSince1970: TimeInterval(candles[finding.candle].openTime) / 1000))
        #expect(report.lookahead.count == report.cuts.count)
    }

    @Test func aHistoryDependentIndicatorIsRecursive() throws {
        let candles = try OptimizerTests.candles()
        let trace = BiasCheck.tracing(["mean_since_start"], make: { _ in Cumulative() }) { s in [s.sum / s.count] }
        let report = try BiasCheck(strategy: "cumulative", recursiveWarmUp: 50, trace: trace).run(candles, cuts: 5)
        #expect(report.lookahead.isEmpty)
        let finding = try #require(report.recursive.first)
        #expect(finding.feature == "mean_since_start")
        #expect(finding.candle == finding.cut + 50, "the first candle past the warm-up")
    }

    /// Every strategy of the project passes.
    @Test func ourStrategiesPass() throws {
        let candles = try OptimizerTests.candles()
        let price = candles[0].open
        let cases: [(String, ParameterSet, [String: String])] = [
            ("sma_cross", ["fast": 5, "slow": 30], [:]),
            ("ml", ["training_window": 300, "retrain_every": 100, "trees": 5, "depth": 3, "horizon": 6], [:]),
            ("grid", ["lower": (price * 0.94).rounded(), "upper": (price * 1.06).rounded(), "levels": 10], [:]),
            ("dca", ["take_profit": 1, "deviation": 1], ["base_order": "100", "safety_orders": "3", "start": "sma_cross"]),
        ]
        for (name, set, fixed) in cases {
            let context = ResearchContext(symbol: "BTCUSDT", fee: 0.001, cash: 10_000, filters: gridFilters, fixed: fixed)
            let report = try BiasCheck.named(name, set: set, context: context).run(candles, cuts: 8, starts: 2)
            #expect(report.passed, "\(name): \(report.lookahead + report.recursive)")
            #expect(report.cuts.count == 8, "\(name)")
            if name == "sma_cross" || name == "ml" { #expect(report.starts.count == 2, "\(name)") } else { #expect(report.recursiveNote != nil) }
        }
    }
}
