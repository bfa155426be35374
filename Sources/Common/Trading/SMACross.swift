import Foundation

/// A closed candle, as strategies see it (Double: indicators compute in Double, CONTRACT §7).
public struct StrategyCandle: Sendable, Equatable {
    public let openTime: Int64
    public let open: Double
    public let high: Double
    public let low: Double
    public let close: Double
    public let volume: Double
    public let closeTime: Int64

    public init(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double, closeTime: Int64) {
        self.openTime = openTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.closeTime = closeTime
    }
}

extension StrategyCandle {
    /// A kline from the exchange, as strategies see it.
    public init(_ k: Kline) {
        func d(_ v: Decimal) -> Double { NSDecimalNumber(decimal: v).doubleValue }
        self.init(openTime: k.openTime, open: d(k.open), high: d(k.high), low: d(k.low), close: d(k.close), volume: d(k.volume), closeTime: k.closeTime)
    }
}

/// What a strategy says at the close of a candle.
public enum StrategySignal: String, Sendable, Equatable {
    case buy, sell, hold
}

/// A strategy: fed closed candles one at a time, in order; it never sees a later candle. The live
/// worker and the backtester drive the same implementations.
public protocol TradingStrategy: Sendable {
    mutating func onClose(_ candle: StrategyCandle) -> StrategySignal
    /// Candles needed before the first signal can come.
    var warmUp: Int { get }
}

/// `sma_cross` exactly as CONTRACT §7: SMA(n) at t is the mean of the n closes ending at t
/// (sum / n over the window); buy when SMA(fast) crosses above SMA(slow), sell when it crosses
/// below. Constant work per candle: each window's sum is kept with compensation (adding the new
/// close, removing the oldest), accurate to the last bit of the sum whatever the window's length,
/// so a search over long windows costs what a short one does.
public struct SMACross: TradingStrategy {
    public let fast: Int
    public let slow: Int
    private var fastWindow: Indicators.WindowSum
    private var slowWindow: Indicators.WindowSum
    private var count = 0
    private(set) var previous: (fast: Double, slow: Double)?

    public init(fast: Int, slow: Int) {
        self.fast = fast
        self.slow = slow
        fastWindow = Indicators.WindowSum(size: max(1, fast))
        slowWindow = Indicators.WindowSum(size: max(1, slow))
    }

    public var warmUp: Int { slow + 1 }

    public mutating func onClose(_ candle: StrategyCandle) -> StrategySignal {
        let fastSum = fastWindow.add(candle.close)
        let slowSum = slowWindow.add(candle.close)
        count += 1
        guard count >= slow else { return .hold }
        let now = (fast: fastSum / Double(fast), slow: slowSum / Double(slow))
        defer { previous = now }
        guard let before = previous else { return .hold }
        if Self.above(now.fast, now.slow), !Self.above(before.fast, before.slow) { return .buy }
        if Self.above(now.slow, now.fast), !Self.above(before.slow, before.fast) { return .sell }
        return .hold
    }

    /// `a > b` beyond rounding: on a flat market the two means are equal in exact arithmetic,
    /// but the slow one's sum can land a unit in the last place away, which read as a cross
    /// would trade on a price that did not move. Differences under 1e-12 of the price are equal.
    static func above(_ a: Double, _ b: Double) -> Bool {
        a - b > 1e-12 * max(abs(a), abs(b))
    }
}
