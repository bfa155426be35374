import Foundation

/// What a strategy (or a person) wants done, before risk and the exchange's filters have their
/// say. The worker turns each into orders with deterministic client ids.
public struct OrderIntent: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Open a position, sized by the risk limits (`quantity` nil) or as given, sent as the
        /// settings' entry type (market, or limit below the best price).
        case enter(quantity: Decimal?)
        /// Sell the whole position at market.
        case exit
        /// A limit order at a price.
        case limit(side: SymbolFilters.Side, quantity: Decimal, price: Decimal, timeInForce: String)
        /// A stop-limit order: rests untriggered until the price crosses `stopPrice`.
        case stopLimit(side: SymbolFilters.Side, quantity: Decimal, stopPrice: Decimal, limitPrice: Decimal)
        /// The position's take-profit and stop-loss as one OCO on the exchange.
        case exitPair
        /// Cancel one of the bot's orders (a whole list when it belongs to one).
        case cancel(clientOrderID: String)
    }

    public var symbol: String
    public var action: Action
    /// Names the decision in the client order id (a candle's open time in seconds, …).
    public var key: Int64
    public var reason: String

    public init(symbol: String, action: Action, key: Int64, reason: String) {
        self.symbol = symbol
        self.action = action
        self.key = key
        self.reason = reason
    }
}

/// What a signal strategy's buy/sell/hold on a closed candle means for the bot: buy when flat
/// opens a position; sell when holding closes it; anything else is nothing to do.
public enum SignalIntents {
    public static func on(
        _ signal: StrategySignal, symbol: String, candleOpenTime: Int64, holding: Bool, buyReason: String, sellReason: String
    ) -> [OrderIntent] {
        let key = candleOpenTime / 1_000
        switch signal {
        case .buy where !holding: return [OrderIntent(symbol: symbol, action: .enter(quantity: nil), key: key, reason: "strategy: \(buyReason)")]
        case .sell where holding: return [OrderIntent(symbol: symbol, action: .exit, key: key, reason: "strategy: \(sellReason)")]
        default: return []
        }
    }
}
