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
/// below. Constant work per candle.
public struct SMACross: TradingStrategy {
    public let fast: Int
    public let slow: Int
    private var closes: [Double]
    private var next = 0
    private var count = 0
    private(set) var previous: (fast: Double, slow: Double)?

    public init(fast: Int, slow: Int) {
        self.fast = fast
        self.slow = slow
        closes = Array(repeating: 0, count: slow)
    }

    public var warmUp: Int { slow + 1 }

    /// SMA over the last `n` closes of the ring buffer (sum / n, newest first).
    private func mean(_ n: Int) -> Double {
        closes.withUnsafeBufferPointer { buffer in
            var sum = 0.0
            var index = next - 1
            if index < 0 { index += slow }
            for _ in 0..<n {
                sum += buffer[index]
                index = index == 0 ? slow - 1 : index - 1
            }
            return sum / Double(n)
        }
    }

    public mutating func onClose(_ candle: StrategyCandle) -> StrategySignal {
        closes[next] = candle.close
        next = (next + 1) % slow
        count += 1
        guard count >= slow else { return .hold }
        let now = (fast: mean(fast), slow: mean(slow))
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
