import Foundation

/// The `ml` strategy: a random forest (the probability that the return over `horizon` candles
/// beats the fees) and a linear regression (the size of that return), trained walk-forward on
/// features of closed candles. It buys when both agree on a rise that beats the fees, sells a
/// position when both agree on a fall, and otherwise holds. It never sees a candle after the one
/// it decides on: a sample enters training only once its label's candle has closed.
public struct MLStrategy: TradingStrategy {
    public struct Settings: Sendable, Equatable {
        public var trainingWindow = 5_000
        public var retrainEvery = 1_000
        public var trees = 50
        public var depth = 6
        public var horizon = 12
        public var fee = 0.001
        /// Candles before the first training (the features need 26 for MACD).
        public var minimumTraining = 300
        public var seed: UInt64 = 0
        public init() {}

        /// From `--param` / settings: training_window, retrain_every, trees, depth, horizon, fee, seed.
        public init(params: [String: Double]) throws(SettingsError) {
            func whole(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int) throws(SettingsError) -> Int {
                guard let value = params[key] else { return fallback }
                guard value == value.rounded(), range.contains(Int(value)) else {
                    throw SettingsError(field: "strategy.params.\(key)", "must be a whole number in \(range.lowerBound)...\(range.upperBound)")
                }
                return Int(value)
            }
            let known: Set<String> = ["training_window", "retrain_every", "trees", "depth", "horizon", "fee", "seed"]
            if let unknown = params.keys.first(where: { !known.contains($0) }) {
                throw SettingsError(field: "strategy.params.\(unknown)", "is not a parameter of ml (\(known.sorted().joined(separator: ", ")))")
            }
            trainingWindow = try whole("training_window", 100...1_000_000, 5_000)
            retrainEvery = try whole("retrain_every", 1...1_000_000, 1_000)
            trees = try whole("trees", 1...1_000, 50)
            depth = try whole("depth", 1...32, 6)
            horizon = try whole("horizon", 1...10_000, 12)
            seed = UInt64(try whole("seed", 0...Int(UInt32.max), 0))
            if let fee = params["fee"] {
                guard fee >= 0, fee < 0.1 else { throw SettingsError(field: "strategy.params.fee", "must be a fraction from 0 to 0.1") }
                self.fee = fee
            }
            minimumTraining = min(300, trainingWindow)
        }
    }

    /// What the last decision rested on, for the signals page.
    public struct Insight: Sendable, Equatable {
        public var action: StrategySignal = .hold
        public var confidence: Double?
        public var expectedReturn: Double?
        /// Out-of-sample, over the predictions whose outcome is known.
        public var accuracy: Double?
        public var precision: Double?
        public var trainedAt: Int64?
        public var importances: [Double] = []
    }

    public static let featureNames = [
        "return_1", "return_3", "return_12", "rsi_14", "macd_histogram", "bollinger_position", "atr_14", "volatility_20", "volume_z_20",
        "sma_20_distance",
    ]

    public let settings: Settings
    public private(set) var insight = Insight()
    var features: [[Double]] = []
    var closes: [Double] = []
    var times: [Int64] = []
    var forest: RandomForest?
    var linear: LinearRegression?
    var sinceTraining = 0
    /// Predictions waiting for their outcome: (candle index, predicted rise).
    var pending: [(Int, Bool)] = []
    var hits = 0
    var judged = 0
    var truePositives = 0
    var predictedPositives = 0
    // Incremental indicators.
    var rsi = Indicators.RSI(14)
    var macd = Indicators.MACD()
    var bands = Indicators.Bollinger(20, k: 2)
    var atr = Indicators.ATR(14)
    var volatility = Indicators.Volatility(20)
    var volume = Indicators.VolumeZScore(20)
    var sma = Indicators.SMA(20)

    public init(settings: Settings = Settings()) { self.settings = settings }

    public var warmUp: Int { settings.minimumTraining + settings.horizon }

    public mutating func onClose(_ candle: StrategyCandle) -> StrategySignal {
        let row = featureRow(candle)
        closes.append(candle.close)
        times.append(candle.closeTime)
        features.append(row)
        let t = closes.count - 1
        judge(upTo: t)
        sinceTraining += 1
        if forest == nil ? t - settings.horizon + 1 >= settings.minimumTraining : sinceTraining >= settings.retrainEvery {
            train(at: t)
        }
        guard let forest, let linear, row.allSatisfy(\.isFinite) else {
            insight.action = .hold
            return .hold
        }
        let probability = forest.probability(row)
        let expected = linear.predict(row)
        let cost = 2 * settings.fee
        let rise = probability > 0.5
        pending.append((t, rise))
        let action: StrategySignal
        if rise, expected > cost {
            action = .buy
        } else if !rise, expected < 0 {
            action = .sell
        } else {
            action = .hold
        }
        insight.action = action
        insight.confidence = rise ? probability : 1 - probability
        insight.expectedReturn = expected
        return action
    }

    /// The label of candle i: the return over the horizon, known once candle i + horizon closed.
    func futureReturn(_ i: Int) -> Double { closes[i + settings.horizon] / closes[i] - 1 }

    mutating func judge(upTo t: Int) {
        while let first = pending.first, first.0 + settings.horizon <= t {
            pending.removeFirst()
            let rose = futureReturn(first.0) > 2 * settings.fee
            judged += 1
            if rose == first.1 { hits += 1 }
            if first.1 {
                predictedPositives += 1
                if rose { truePositives += 1 }
            }
        }
        insight.accuracy = judged > 0 ? Double(hits) / Double(judged) : nil
        insight.precision = predictedPositives > 0 ? Double(truePositives) / Double(predictedPositives) : nil
    }

    /// Trains on the samples whose labels are known at t, within the training window.
    mutating func train(at t: Int) {
        let last = t - settings.horizon
        guard last >= 0 else { return }
        let first = max(0, last - settings.trainingWindow + 1)
        var x: [[Double]] = []
        var direction: [Double] = []
        var size: [Double] = []
        for i in first...last where features[i].allSatisfy(\.isFinite) {
            let r = futureReturn(i)
            x.append(features[i])
            direction.append(r > 2 * settings.fee ? 1 : 0)
            size.append(r)
        }
        guard x.count >= 50 else { return }
        var forestSettings = RandomForest.Settings()
        forestSettings.trees = settings.trees
        forestSettings.maxDepth = settings.depth
        forestSettings.minSamplesLeaf = 5
        forestSettings.seed = settings.seed &+ UInt64(t)
        forest = RandomForest.fit(x, direction, settings: forestSettings)
        linear = try? LinearRegression.fit(x, size, ridge: 1e-6 * Double(x.count))
        sinceTraining = 0
        insight.trainedAt = times[t]
        insight.importances = forest?.featureImportances ?? []
    }

    mutating func featureRow(_ c: StrategyCandle) -> [Double] {
        let previous = closes.last
        let back3 = closes.count >= 3 ? closes[closes.count - 3] : nil
        let back12 = closes.count >= 12 ? closes[closes.count - 12] : nil
        let bands = bands.next(c.close)
        let width = bands.upper - bands.lower
        let average = sma.next(c.close)
        return [
            previous.map { c.close / $0 - 1 } ?? .nan,
            back3.map { c.close / $0 - 1 } ?? .nan,
            back12.map { c.close / $0 - 1 } ?? .nan,
            rsi.next(c.close) / 100,
            macd.next(c.close).histogram / c.close,
            width > 0 ? (c.close - bands.lower) / width : .nan,
            atr.next(high: c.high, low: c.low, close: c.close) / c.close,
            volatility.next(c.close),
            { let z = volume.next(c.volume); return z.isFinite ? z : 0 }(),  // constant volume: no surprise
            average.isNaN ? .nan : c.close / average - 1,
        ]
    }
}
