import Foundation

/// A symbol's trading rules from `exchangeInfo` (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL or
/// NOTIONAL), with the rounding and checks our client applies before sending an order, so that
/// an order the exchange would refuse is refused here, with the reason.
public struct SymbolFilters: Sendable, Equatable {
    public var symbol: String
    public var baseAsset: String
    public var quoteAsset: String
    public var minPrice: Decimal
    public var maxPrice: Decimal
    public var tickSize: Decimal
    public var minQty: Decimal
    public var maxQty: Decimal
    public var stepSize: Decimal
    public var minNotional: Decimal
    public var maxNotional: Decimal?
    /// Whether the notional minimum applies to MARKET orders too.
    public var applyMinToMarket: Bool

    public init(
        symbol: String, baseAsset: String, quoteAsset: String, minPrice: Decimal, maxPrice: Decimal, tickSize: Decimal,
        minQty: Decimal, maxQty: Decimal, stepSize: Decimal, minNotional: Decimal, maxNotional: Decimal? = nil, applyMinToMarket: Bool = true
    ) {
        self.symbol = symbol
        self.baseAsset = baseAsset
        self.quoteAsset = quoteAsset
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.tickSize = tickSize
        self.minQty = minQty
        self.maxQty = maxQty
        self.stepSize = stepSize
        self.minNotional = minNotional
        self.maxNotional = maxNotional
        self.applyMinToMarket = applyMinToMarket
    }

    /// Why an order cannot be sent; `filter` is Binance's filter name.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let filter: String
        public let reason: String
        public var description: String { "Filter failure: \(filter) (\(reason))" }
    }

    public enum Side: String, Sendable, Codable {
        case buy = "BUY"
        case sell = "SELL"
    }

    /// The quantity rounded down to the step: never more than asked for.
    public func roundQuantity(_ quantity: Decimal) -> Decimal {
        Self.floor(quantity, step: stepSize)
    }

    /// The price rounded to the tick, in the buyer's or seller's favour: a buy never pays more
    /// than asked, a sell never asks less.
    public func roundPrice(_ price: Decimal, side: Side) -> Decimal {
        side == .buy ? Self.floor(price, step: tickSize) : Self.ceil(price, step: tickSize)
    }

    /// Checks an order as the exchange would. `price` is the limit price, or for a MARKET order
    /// the reference price used for the notional check.
    public func check(quantity: Decimal, price: Decimal, isMarket: Bool) throws(Refusal) {
        if !isMarket {
            if price <= 0 { throw Refusal(filter: "PRICE_FILTER", reason: "price must be positive") }
            if minPrice > 0, price < minPrice { throw Refusal(filter: "PRICE_FILTER", reason: "price \(price) is below \(minPrice)") }
            if maxPrice > 0, price > maxPrice { throw Refusal(filter: "PRICE_FILTER", reason: "price \(price) is above \(maxPrice)") }
            if tickSize > 0, !Self.isMultiple(price - minPrice, of: tickSize) {
                throw Refusal(filter: "PRICE_FILTER", reason: "price \(price) is not a multiple of the tick \(tickSize)")
            }
        }
        if quantity <= 0 { throw Refusal(filter: "LOT_SIZE", reason: "quantity must be positive") }
        if quantity < minQty { throw Refusal(filter: "LOT_SIZE", reason: "quantity \(quantity) is below \(minQty)") }
        if maxQty > 0, quantity > maxQty { throw Refusal(filter: "LOT_SIZE", reason: "quantity \(quantity) is above \(maxQty)") }
        if stepSize > 0, !Self.isMultiple(quantity - minQty, of: stepSize) {
            throw Refusal(filter: "LOT_SIZE", reason: "quantity \(quantity) is not a multiple of the step \(stepSize)")
        }
        let notional = quantity * price
        if !isMarket || applyMinToMarket, notional < minNotional {
            throw Refusal(filter: "NOTIONAL", reason: "order value \(notional) \(quoteAsset) is below the minimum \(minNotional)")
        }
        if let maxNotional, maxNotional > 0, notional > maxNotional {
            throw Refusal(filter: "NOTIONAL", reason: "order value \(notional) \(quoteAsset) is above the maximum \(maxNotional)")
        }
    }

    static func isMultiple(_ value: Decimal, of step: Decimal) -> Bool {
        round(value, step: step, .plain) == value
    }

    /// `value` rounded down to a multiple of `step`.
    public static func floor(_ value: Decimal, step: Decimal) -> Decimal { round(value, step: step, .down) }

    /// `value` rounded up to a multiple of `step`.
    public static func ceil(_ value: Decimal, step: Decimal) -> Decimal { round(value, step: step, .up) }

    /// `value` rounded to a multiple of `step` by `mode` (`.plain`: to the nearest).
    public static func round(_ value: Decimal, step: Decimal, _ mode: NSDecimalNumber.RoundingMode) -> Decimal {
        guard step > 0 else { return value }
        var quotient = value / step
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, mode)
        return rounded * step
    }
}
