import Foundation

/// Technical indicators in `Double`, each in an incremental form (constant work per new candle,
/// for live trading) whose batch form runs the incremental one over the series, so both give
/// identical results. Values before an indicator's warm-up are `nan`. The definitions follow
/// pandas (the reference: Tests/CommonTests/Fixtures/indicators/make_reference.py).
public enum Indicators {
    /// A window sum with compensation, so that adding and removing for a long time does not drift.
    struct WindowSum: Sendable {
        let size: Int
        private var values: [Double]
        private var next = 0
        private(set) var count = 0
        private var sum = 0.0
        private var compensation = 0.0

        init(size: Int) {
            self.size = size
            values = Array(repeating: 0, count: size)
        }

        /// Adds a value, dropping the oldest once full; returns the window's sum.
        mutating func add(_ value: Double) -> Double {
            if count == size { accumulate(-values[next]) } else { count += 1 }
            values[next] = value
            next = (next + 1) % size
            accumulate(value)
            return sum + compensation
        }

        private mutating func accumulate(_ value: Double) {
            let total = sum + value
            compensation += abs(sum) >= abs(value) ? (sum - total) + value : (value - total) + sum
            sum = total
        }

        var isFull: Bool { count == size }
    }

    /// SMA(n): the mean of the last n values.
    public struct SMA: Sendable {
        var window: WindowSum
        public init(_ n: Int) { window = WindowSum(size: n) }
        public mutating func next(_ value: Double) -> Double {
            let sum = window.add(value)
            return window.isFull ? sum / Double(window.size) : .nan
        }
    }

    /// EMA(n) as pandas' `ewm(span=n, adjust=False)`: α = 2/(n+1), starting at the first value.
    public struct EMA: Sendable {
        let alpha: Double
        var value: Double?
        public init(_ n: Int) { alpha = 2 / Double(n + 1) }
        init(alpha: Double) { self.alpha = alpha }
        public mutating func next(_ x: Double) -> Double {
            let updated = value.map { $0 + alpha * (x - $0) } ?? x
            value = updated
            return updated
        }
    }

    /// A rolling standard deviation (`ddof` 1 as pandas' default, or 0), from window sums of
    /// the values and their squares taken about the first value (which keeps it accurate).
    public struct RollingStd: Sendable {
        let ddof: Int
        var sums: WindowSum
        var squares: WindowSum
        var shift: Double?
        public init(_ n: Int, ddof: Int = 1) {
            self.ddof = ddof
            sums = WindowSum(size: n)
            squares = WindowSum(size: n)
        }
        public mutating func next(_ x: Double) -> Double {
            let k = shift ?? x
            shift = k
            let s = sums.add(x - k)
            let q = squares.add((x - k) * (x - k))
            guard sums.isFull else { return .nan }
            let n = Double(sums.size)
            let variance = max(0, (q - s * s / n) / (n - Double(ddof)))
            return variance.squareRoot()
        }
    }

    /// RSI(n), Wilder's: gains and losses smoothed with α = 1/n (pandas `ewm(alpha=1/n,
    /// adjust=False)` from the first change); defined from the n-th change on.
    public struct RSI: Sendable {
        let n: Int
        var previous: Double?
        var gains: EMA
        var losses: EMA
        var changes = 0
        public init(_ n: Int) {
            self.n = n
            gains = EMA(alpha: 1 / Double(n))
            losses = EMA(alpha: 1 / Double(n))
        }
        public mutating func next(_ close: Double) -> Double {
            defer { previous = close }
            guard let previous else { return .nan }
            let change = close - previous
            let gain = gains.next(max(change, 0))
            let loss = losses.next(max(-change, 0))
            changes += 1
            guard changes >= n else { return .nan }
            if loss == 0 { return gain == 0 ? 50 : 100 }
            return 100 - 100 / (1 + gain / loss)
        }
    }

    /// MACD(fast, slow, signal): EMA(fast) − EMA(slow), its EMA(signal), and their difference.
    public struct MACD: Sendable {
        var fast: EMA
        var slow: EMA
        var signal: EMA
        public init(fast: Int = 12, slow: Int = 26, signal: Int = 9) {
            self.fast = EMA(fast)
            self.slow = EMA(slow)
            self.signal = EMA(signal)
        }
        public mutating func next(_ close: Double) -> (macd: Double, signal: Double, histogram: Double) {
            let macd = fast.next(close) - slow.next(close)
            let line = signal.next(macd)
            return (macd, line, macd - line)
        }
    }

    /// Bollinger bands(n, k): SMA(n) ± k × the population standard deviation over n.
    public struct Bollinger: Sendable {
        var mean: SMA
        var std: RollingStd
        let k: Double
        public init(_ n: Int = 20, k: Double = 2) {
            mean = SMA(n)
            std = RollingStd(n, ddof: 0)
            self.k = k
        }
        public mutating func next(_ close: Double) -> (lower: Double, middle: Double, upper: Double) {
            let middle = mean.next(close)
            let deviation = std.next(close)
            return (middle - k * deviation, middle, middle + k * deviation)
        }
    }

    /// ATR(n), Wilder's: the true range smoothed with α = 1/n from the first candle (whose true
    /// range is high − low); defined from the n-th candle on.
    public struct ATR: Sendable {
        let n: Int
        var previousClose: Double?
        var average: EMA
        var count = 0
        public init(_ n: Int = 14) {
            self.n = n
            average = EMA(alpha: 1 / Double(n))
        }
        public mutating func next(high: Double, low: Double, close: Double) -> Double {
            let range = previousClose.map { max(high - low, abs(high - $0), abs(low - $0)) } ?? (high - low)
            previousClose = close
            let value = average.next(range)
            count += 1
            return count >= n ? value : .nan
        }
    }

    /// The simple return close / previous close − 1.
    public struct Returns: Sendable {
        var previous: Double?
        public init() {}
        public mutating func next(_ close: Double) -> Double {
            defer { previous = close }
            return previous.map { close / $0 - 1 } ?? .nan
        }
    }

    /// Volatility(n): the standard deviation (ddof 1) of the last n returns.
    public struct Volatility: Sendable {
        var returns = Returns()
        var std: RollingStd
        public init(_ n: Int = 20) { std = RollingStd(n) }
        public mutating func next(_ close: Double) -> Double {
            let r = returns.next(close)
            return r.isNaN ? .nan : std.next(r)
        }
    }

    /// Volume z-score(n): (volume − its n-mean) / its n-standard deviation (ddof 1).
    public struct VolumeZScore: Sendable {
        var mean: SMA
        var std: RollingStd
        public init(_ n: Int = 20) {
            mean = SMA(n)
            std = RollingStd(n)
        }
        public mutating func next(_ volume: Double) -> Double {
            let m = mean.next(volume)
            let s = std.next(volume)
            return s > 0 ? (volume - m) / s : .nan
        }
    }

    // MARK: - Batch forms: the incremental ones run over a series.

    public static func sma(_ x: [Double], _ n: Int) -> [Double] { var i = SMA(n); return x.map { i.next($0) } }
    public static func ema(_ x: [Double], _ n: Int) -> [Double] { var i = EMA(n); return x.map { i.next($0) } }
    public static func rsi(_ x: [Double], _ n: Int = 14) -> [Double] { var i = RSI(n); return x.map { i.next($0) } }
    public static func macd(_ x: [Double]) -> [(macd: Double, signal: Double, histogram: Double)] { var i = MACD(); return x.map { i.next($0) } }
    public static func bollinger(_ x: [Double], _ n: Int = 20, k: Double = 2) -> [(lower: Double, middle: Double, upper: Double)] {
        var i = Bollinger(n, k: k)
        return x.map { i.next($0) }
    }
    public static func atr(_ candles: [StrategyCandle], _ n: Int = 14) -> [Double] {
        var i = ATR(n)
        return candles.map { i.next(high: $0.high, low: $0.low, close: $0.close) }
    }
    public static func returns(_ x: [Double]) -> [Double] { var i = Returns(); return x.map { i.next($0) } }
    public static func volatility(_ x: [Double], _ n: Int = 20) -> [Double] { var i = Volatility(n); return x.map { i.next($0) } }
    public static func volumeZScore(_ x: [Double], _ n: Int = 20) -> [Double] { var i = VolumeZScore(n); return x.map { i.next($0) } }
}
