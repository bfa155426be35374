import Foundation

/// The path a backtest assumes the price took inside one candle, and the order in which it
/// reached resting limit orders. A candle that closed at or above its open went to its low first,
/// then its high (open → low → high → close); one that closed below went to its high first
/// (open → high → low → close), as MetaTrader's "1 minute OHLC" model does. A buy is reached where
/// the path falls to its price, a sell where it rises to it; each fills at its own price.
public enum CandlePath {
    public struct Resting<ID: Hashable & Sendable>: Sendable {
        public let id: ID
        public let side: SymbolFilters.Side
        public let price: Decimal

        public init(id: ID, side: SymbolFilters.Side, price: Decimal) {
            self.id = id
            self.side = side
            self.price = price
        }
    }

    /// The prices the path passes through, in order.
    public static func waypoints(open: Decimal, high: Decimal, low: Decimal, close: Decimal) -> [Decimal] {
        close >= open ? [open, low, high, close] : [open, high, low, close]
    }

    /// The orders this candle fills, in the order the path reaches them. Orders placed on this
    /// candle must not be passed in: they wait for the next one.
    public static func fills<ID>(_ orders: [Resting<ID>], open: Decimal, high: Decimal, low: Decimal, close: Decimal) -> [Resting<ID>] {
        let points = waypoints(open: open, high: high, low: low, close: close)
        return orders.compactMap { order in reached(order, along: points).map { (order, $0) } }
            .sorted { $0.1 < $1.1 }
            .map(\.0)
    }

    /// How far along the path (0 at the open, 1 per leg) the price first reaches the order:
    /// a buy where it is at or below the order's price, a sell where it is at or above.
    static func reached<ID>(_ order: Resting<ID>, along points: [Decimal]) -> Decimal? {
        let isBuy = order.side == .buy
        if isBuy ? points[0] <= order.price : points[0] >= order.price { return 0 }
        for leg in 0..<(points.count - 1) {
            let from = points[leg]
            let to = points[leg + 1]
            if isBuy, to < from, to <= order.price, order.price < from {
                return Decimal(leg) + (from - order.price) / (from - to)
            }
            if !isBuy, to > from, to >= order.price, order.price > from {
                return Decimal(leg) + (order.price - from) / (to - from)
            }
        }
        return nil
    }
}
