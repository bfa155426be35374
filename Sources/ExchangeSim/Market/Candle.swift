import Foundation

/// One kline. Prices in `Double` here: they are the simulator's market data, turned into
/// tick-rounded decimal strings when served.
struct Candle: Sendable, Equatable {
    var openTime: Int64
    var open: Double
    var high: Double
    var low: Double
    var close: Double
    var volume: Double
    var trades: Int

    mutating func absorb(_ child: Candle) {
        high = max(high, child.high)
        low = min(low, child.low)
        close = child.close
        volume += child.volume
        trades += child.trades
    }
}

/// The kline intervals the simulator serves, finest first; each divides the next.
enum KlineInterval: String, CaseIterable, Sendable {
    case s1 = "1s", m1 = "1m", m5 = "5m", m15 = "15m", h1 = "1h", h4 = "4h", d1 = "1d"

    var milliseconds: Int64 {
        switch self {
        case .s1: 1_000
        case .m1: 60_000
        case .m5: 300_000
        case .m15: 900_000
        case .h1: 3_600_000
        case .h4: 14_400_000
        case .d1: 86_400_000
        }
    }

    /// The next finer interval, whose candles make up this one's.
    var finer: KlineInterval? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return index == 0 ? nil : all[index - 1]
    }
}
