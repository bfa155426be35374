import Common
import Foundation

/// The klines of one symbol at every interval, consistent across intervals.
///
/// History is generated once at start, top-down: a daily random walk ending at the start
/// price, then each finer interval filled in by Brownian bridges between its parent's open
/// and close, for the most recent ~1000 candles of every interval. Highs, lows and volumes
/// are then aggregated bottom-up wherever finer candles exist, so a 1h candle is exactly the
/// sum of its four 15m candles. After start every price step becomes a 1s candle that updates
/// the current candle of every interval.
struct CandleHistory: Sendable {
    static let depth = 1_000
    static let kept = 1_500
    private(set) var candles: [KlineInterval: [Candle]] = [:]
    private var random: SplitMix

    init(seed: UInt64, symbol: String, price: Double, volatility: Double, nowMs: Int64) {
        random = SplitMix(seed: seed ^ 0xC0FF_EE00 ^ symbol.utf8.reduce(UInt64(5_381)) { ($0 << 5) &+ $0 &+ UInt64($1) })
        let now = nowMs / 1_000 * 1_000
        // Coarsest first: the daily walk, backwards from the start price.
        let day = KlineInterval.d1
        let lastDay = now / day.milliseconds * day.milliseconds
        var points: [(Int64, Double)] = [(now, price)]
        var value = price
        var time = lastDay
        let dailySigma = volatility * sqrt(86_400)
        for _ in 0...Self.depth {
            let span = Double(points.last!.0 - time) / 86_400_000
            value /= exp(dailySigma * sqrt(max(span, 0.01)) * random.gaussian())
            points.append((time, value))
            time -= day.milliseconds
        }
        candles[day] = Self.candles(from: points.reversed(), random: &random, volatility: volatility, interval: day)
        // Finer intervals: bridges inside the most recent parents.
        for interval in KlineInterval.allCases.reversed().dropFirst() {
            let parent = candles[Self.parent(of: interval)]!
            let perParent = Int(Self.parent(of: interval).milliseconds / interval.milliseconds)
            let parentsNeeded = min(parent.count, (Self.depth + perParent - 1) / perParent + 1)
            var children: [Candle] = []
            for candle in parent.suffix(parentsNeeded) {
                let end = min(candle.openTime + Self.parent(of: interval).milliseconds, now)
                children += Self.bridge(from: candle, to: end, interval: interval, volatility: volatility, random: &random)
            }
            candles[interval] = children
        }
        aggregateUpwards()
    }

    static func parent(of interval: KlineInterval) -> KlineInterval {
        let all = KlineInterval.allCases
        return all[all.firstIndex(of: interval)! + 1]
    }

    /// Candles between consecutive points (open at one, close at the next).
    static func candles(from points: [(Int64, Double)], random: inout SplitMix, volatility: Double, interval: KlineInterval) -> [Candle] {
        zip(points, points.dropFirst()).map { start, end in
            let wick = volatility * sqrt(Double(interval.milliseconds) / 1_000) * 0.5
            let high = max(start.1, end.1) * (1 + abs(random.gaussian()) * wick)
            let low = min(start.1, end.1) * (1 - abs(random.gaussian()) * wick)
            return Candle(openTime: start.0, open: start.1, high: high, low: low, close: end.1, volume: random.volume(interval), trades: random.trades(interval))
        }
    }

    /// The children of a candle: a Brownian bridge from its open to its close, up to `end`.
    static func bridge(from parent: Candle, to end: Int64, interval: KlineInterval, volatility: Double, random: inout SplitMix) -> [Candle] {
        let step = interval.milliseconds
        let count = Int((end - parent.openTime + step - 1) / step)
        guard count > 0 else { return [] }
        let sigma = volatility * sqrt(Double(step) / 1_000)
        var logs = [0.0]
        for _ in 0..<count { logs.append(logs.last! + sigma * random.gaussian()) }
        let drift = log(parent.close / parent.open)
        var points: [(Int64, Double)] = []
        for index in 0...count {
            let fraction = Double(index) / Double(count)
            let bridged = logs[index] - fraction * logs[count] + fraction * drift
            points.append((parent.openTime + Int64(index) * step, parent.open * exp(bridged)))
        }
        return candles(from: points, random: &random, volatility: volatility, interval: interval)
    }

    /// Where finer candles exist, a coarser candle's high, low, volume and trades are theirs.
    mutating func aggregateUpwards() {
        for interval in KlineInterval.allCases.dropFirst() {
            guard let finer = interval.finer, let children = candles[finer], var parents = candles[interval] else { continue }
            var index = [Int64: Int]()
            for (position, candle) in parents.enumerated() { index[candle.openTime] = position }
            var seen = Set<Int64>()
            for child in children {
                let openTime = child.openTime / interval.milliseconds * interval.milliseconds
                guard let position = index[openTime] else { continue }
                if seen.insert(openTime).inserted {
                    parents[position].high = child.high
                    parents[position].low = child.low
                    parents[position].volume = 0
                    parents[position].trades = 0
                }
                parents[position].high = max(parents[position].high, child.high)
                parents[position].low = min(parents[position].low, child.low)
                parents[position].volume += child.volume
                parents[position].trades += child.trades
            }
            candles[interval] = parents
        }
    }

    /// One live second: the price went from `from` to `to` during the second starting at `time`.
    mutating func record(time: Int64, from: Double, to: Double) {
        let volume = random.volume(.s1)
        let trades = random.trades(.s1)
        let second = Candle(openTime: time, open: from, high: max(from, to), low: min(from, to), close: to, volume: volume, trades: trades)
        for interval in KlineInterval.allCases {
            let openTime = time / interval.milliseconds * interval.milliseconds
            var list = candles[interval] ?? []
            if var last = list.last, last.openTime == openTime {
                last.absorb(second)
                list[list.count - 1] = last
            } else if list.last.map({ $0.openTime < openTime }) ?? true {
                var fresh = second
                fresh.openTime = openTime
                fresh.open = list.last?.close ?? from
                fresh.high = max(fresh.high, fresh.open)
                fresh.low = min(fresh.low, fresh.open)
                list.append(fresh)
            }
            if list.count > Self.kept { list.removeFirst(list.count - Self.kept) }
            candles[interval] = list
        }
    }

    /// A price set by hand: the current candles take it as a trade.
    mutating func touch(time: Int64, price: Double) {
        let previous = candles[.s1]?.last?.close ?? price
        record(time: time, from: previous, to: price)
    }

    func klines(_ interval: KlineInterval, start: Int64?, end: Int64?, limit: Int) -> [Candle] {
        var list = candles[interval] ?? []
        if let start { list = list.filter { $0.openTime >= start } }
        if let end { list = list.filter { $0.openTime <= end } }
        return start != nil ? Array(list.prefix(limit)) : Array(list.suffix(limit))
    }
}

/// The market data's own uses of the shared generator.
extension SplitMix {
    mutating func volume(_ interval: KlineInterval) -> Double {
        (0.5 + uniform()) * Double(interval.milliseconds) / 1_000 * 0.02
    }

    mutating func trades(_ interval: KlineInterval) -> Int {
        Int((0.5 + uniform()) * Double(interval.milliseconds) / 1_000 * 0.3) + 1
    }
}
