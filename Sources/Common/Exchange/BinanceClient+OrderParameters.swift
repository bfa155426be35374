import Foundation

extension BinanceClient {
    /// Rounds an order to the symbol's filters (quantity down to the step, price to the tick
    /// in the trader's favour) and checks it as the exchange would; one that cannot meet them is
    /// refused here, with the reason. `referencePrice` values a MARKET order for the notional.
    public static func prepare(_ order: NewOrder, filters: SymbolFilters, referencePrice: Decimal) throws(ExchangeError) -> NewOrder {
        let kind: NewOrder.Kind
        let quantity: Decimal
        let price: Decimal
        var isMarket = false
        switch order.kind {
        case .market(let amount):
            quantity = filters.roundQuantity(amount)
            price = referencePrice
            isMarket = true
            kind = .market(quantity: quantity)
        case .marketQuote(let quote):
            guard quote >= filters.minNotional else {
                throw .refusedLocally("Filter failure: NOTIONAL (order value \(quote) \(filters.quoteAsset) is below the minimum \(filters.minNotional))")
            }
            return order
        case .limit(let amount, let limit, let timeInForce):
            quantity = filters.roundQuantity(amount)
            price = filters.roundPrice(limit, side: order.side)
            kind = .limit(quantity: quantity, price: price, timeInForce: timeInForce)
        case .limitMaker(let amount, let limit):
            quantity = filters.roundQuantity(amount)
            price = filters.roundPrice(limit, side: order.side)
            kind = .limitMaker(quantity: quantity, price: price)
        case .conditional(var conditional):
            quantity = filters.roundQuantity(conditional.quantity)
            conditional.quantity = quantity
            conditional.stopPrice = conditional.stopPrice.map { filters.roundPrice($0, side: order.side) }
            conditional.limitPrice = conditional.limitPrice.map { filters.roundPrice($0, side: order.side) }
            price = conditional.limitPrice ?? conditional.stopPrice ?? referencePrice
            isMarket = !conditional.trigger.isLimit
            kind = .conditional(conditional)
        }
        do {
            try filters.check(quantity: quantity, price: price, isMarket: isMarket)
        } catch {
            throw .refusedLocally(error.description)
        }
        return NewOrder(symbol: order.symbol, side: order.side, kind: kind, clientOrderID: order.clientOrderID)
    }

    /// An order's request parameters, as `order` and `order/cancelReplace` both send them
    /// (the same names, so that a replacement is exactly the order `place` would have sent).
    static func orderParameters(_ order: NewOrder) -> QueryString {
        var query: QueryString = ["symbol": order.symbol, "side": order.side.rawValue]
        switch order.kind {
        case .market(let quantity):
            query.append("type", "MARKET")
            query.append("quantity", DecimalText.plain(quantity))
        case .marketQuote(let quote):
            query.append("type", "MARKET")
            query.append("quoteOrderQty", DecimalText.plain(quote))
        case .limit(let quantity, let price, let timeInForce):
            query.append("type", "LIMIT")
            query.append("timeInForce", timeInForce)
            query.append("quantity", DecimalText.plain(quantity))
            query.append("price", DecimalText.plain(price))
        case .limitMaker(let quantity, let price):
            query.append("type", "LIMIT_MAKER")
            query.append("quantity", DecimalText.plain(quantity))
            query.append("price", DecimalText.plain(price))
        case .conditional(let conditional):
            query.append("type", conditional.trigger.rawValue)
            query.append("quantity", DecimalText.plain(conditional.quantity))
            if let stop = conditional.stopPrice { query.append("stopPrice", DecimalText.plain(stop)) }
            if let delta = conditional.trailingDelta { query.append("trailingDelta", String(delta)) }
            if let limit = conditional.limitPrice { query.append("price", DecimalText.plain(limit)) }
            if conditional.trigger.isLimit { query.append("timeInForce", conditional.timeInForce ?? "GTC") }
        }
        query.append("newClientOrderId", order.clientOrderID)
        // Conditional orders default to ACK, which lacks the status: ask for the whole answer.
        query.append("newOrderRespType", "FULL")
        return query
    }
}
