import Foundation

extension InMemoryExchange.Book {
    /// Whether a limit price is reached: a buy at or above the price, a sell at or below it.
    static func crosses(_ order: InMemoryExchange.Order, at price: Decimal) -> Bool {
        order.side == .buy ? price <= order.price : price >= order.price
    }

    /// Binance's trigger rule (BINANCE.md §10.1): SL BUY and TP SELL trigger on last ≥ stop,
    /// SL SELL and TP BUY on last ≤ stop, inclusive.
    static func stopReached(_ order: InMemoryExchange.Order, _ stop: Decimal, at price: Decimal) -> Bool {
        let fallsTo = (order.type.hasPrefix("STOP_LOSS")) == (order.side == .sell)
        return fallsTo ? price <= stop : price >= stop
    }

    /// The last price moved: every open order on the symbol sees it, oldest first.
    mutating func move(_ symbol: String, to price: Decimal) {
        prices[symbol] = price
        for index in orders.indices where orders[index].symbol == symbol && orders[index].status.isOpen {
            step(index, at: price)
        }
    }

    mutating func step(_ index: Int, at price: Decimal) {
        let order = orders[index]
        if order.isConditional && !order.triggered {
            if triggers(index, at: price) { trigger(index, at: price) }
        } else if order.price > 0, Self.crosses(order, at: price) {
            fill(index, at: order.price, maker: true)
        }
    }

    /// A new order meets the current price: a MARKET order fills, a LIMIT order that crosses
    /// takes at the current price, an IOC or FOK that does not expires.
    mutating func executeOnArrival(_ index: Int) {
        let order = orders[index]
        guard let price = prices[order.symbol], !order.isConditional else { return }
        if order.type == "MARKET" || (order.type == "LIMIT" && Self.crosses(order, at: price)) {
            fill(index, at: price, maker: false)
        } else if order.timeInForce == "IOC" || order.timeInForce == "FOK" {
            end(index, .expired)
        }
    }

    /// Whether a stop fires at this price. A trailing stop first waits for its stop price (or,
    /// without one, starts at once), then follows the best price and fires on a retrace of
    /// `trailingDelta` BIPS from it.
    mutating func triggers(_ index: Int, at price: Decimal) -> Bool {
        let order = orders[index]
        guard let delta = order.trailingDelta else {
            return order.stopPrice.map { Self.stopReached(order, $0, at: price) } ?? false
        }
        guard let best = order.best else {
            if let stop = order.stopPrice, !Self.stopReached(order, stop, at: price) { return false }
            orders[index].best = price
            return false
        }
        let sells = order.side == .sell
        let newBest = sells ? max(best, price) : min(best, price)
        orders[index].best = newBest
        let distance = newBest * Decimal(delta) / 10_000
        return sells ? price <= newBest - distance : price >= newBest + distance
    }

    /// A stop fired: the other leg of its list expires first (freeing what it held), then it
    /// trades as MARKET, or as LIMIT at its price (resting if that does not cross).
    mutating func trigger(_ index: Int, at price: Decimal) {
        orders[index].triggered = true
        endSiblings(of: index, .expired)
        let order = orders[index]
        if order.price == 0 || Self.crosses(order, at: price) { fill(index, at: price, maker: false) }
    }

    /// Fills the whole order: pays from what it holds (then from the free balance), receives
    /// the other asset less 0.1 %, records the trade.
    mutating func fill(_ index: Int, at price: Decimal, maker: Bool) {
        endSiblings(of: index, .expired)
        let order = orders[index]
        guard let filters = symbols[order.symbol] else { return }
        let quote = order.quantity * price
        let buys = order.side == .buy
        let (paid, received, receivedAsset) = buys ? (quote, order.quantity, filters.baseAsset) : (order.quantity, quote, filters.quoteAsset)
        let fromLock = min(paid, order.locked)
        balances[order.lockAsset, default: InMemoryExchange.Balance()].locked -= fromLock
        balances[order.lockAsset, default: InMemoryExchange.Balance()].free -= paid - fromLock
        orders[index].locked -= fromLock
        let commission = received * InMemoryExchange.commissionRate
        balances[receivedAsset, default: InMemoryExchange.Balance()].free += received - commission
        let tradeID = Int64(trades.count + 1)
        trades.append(
            TradeReport(
                symbol: order.symbol, tradeID: tradeID, orderID: order.orderID, price: price, quantity: order.quantity, quoteQuantity: quote,
                commission: commission, commissionAsset: receivedAsset, time: now, isBuyer: buys, isMaker: maker))
        orders[index].fills.append(
            OrderReport.Fill(tradeID: tradeID, price: price, quantity: order.quantity, commission: commission, commissionAsset: receivedAsset))
        orders[index].executed = order.quantity
        orders[index].quote = quote
        end(index, .filled)
    }

    /// Ends an order and gives back whatever it still holds.
    mutating func end(_ index: Int, _ status: OrderStatus) {
        let order = orders[index]
        orders[index].status = status
        orders[index].locked = 0
        balances[order.lockAsset, default: InMemoryExchange.Balance()].locked -= order.locked
        balances[order.lockAsset, default: InMemoryExchange.Balance()].free += order.locked
    }

    /// Ends the other open legs of the order's list, and the list with them.
    mutating func endSiblings(of index: Int, _ status: OrderStatus) {
        let listID = orders[index].listID
        guard listID != -1, let list = lists.firstIndex(where: { $0.id == listID }), lists[list].isOpen else { return }
        lists[list].isOpen = false
        for member in lists[list].members where member != index && orders[member].status.isOpen {
            end(member, status)
        }
    }
}
