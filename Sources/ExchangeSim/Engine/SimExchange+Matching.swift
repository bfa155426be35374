import Common
import Foundation

/// What a price move does to a symbol's open orders: stops trigger, trailing stops follow the
/// price, resting limits fill. Only the orders the move reaches are looked at (RestingBook).
///
/// Depth: a resting order the price crosses fills at its own price, as a maker, at most one
/// book level's quantity (about 25,000 USDT, see `SimExchange`) per pass; a larger one stays
/// PARTIALLY_FILLED and fills over the following seconds while the price stays through it.
extension SimExchange {
    func matchResting(_ state: inout State, symbol: String) {
        guard let price = state.walks[symbol]?.price, let market = MarketCatalog.bySymbol[symbol],
            var book = state.books.removeValue(forKey: symbol)
        else { return }
        defer { state.books[symbol] = book }
        guard book.count > 0 else { return }
        let now = nowMs
        var triggered: [RestingBook.Entry] = []
        for entry in book.popTriggered(at: price) {
            guard var order = state.accounts[entry.key]?.orders[entry.orderID] else { continue }
            if order.trailingDelta != nil, order.trailAnchor == nil {
                // A trailing stop with a stopPrice starts tracking at the first trade reaching it.
                order.trailAnchor = price
                order.trailingTime = now
                state.accounts[entry.key]?.orders[entry.orderID] = order
                book.add(order, key: entry.key)
                state.revision += 1
            } else {
                triggered.append(entry)
            }
        }
        for (id, key) in book.trailing {
            guard var order = state.accounts[key]?.orders[id], let anchor = order.trailAnchor, let delta = order.trailingDelta else { continue }
            let (best, fires) = TrailingStop.step(side: order.side, anchor: anchor, delta: delta, price: price)
            if best != anchor {
                order.trailAnchor = best
                state.accounts[key]?.orders[id] = order
                state.revision += 1
            }
            if fires {
                book.trailing[id] = nil
                triggered.append(RestingBook.Entry(price: best, orderID: id, key: key))
            }
        }
        for entry in triggered.sorted(by: { $0.orderID < $1.orderID }) {
            trigger(&state, &book, entry, price: price, market: market, now: now)
        }
        for entry in book.crossed(at: price) {
            fillResting(&state, &book, entry, price: price, market: market, now: now)
        }
    }

    /// A stop met its trigger: SL/TP take the book as MARKET, SLL/TPL as a LIMIT at their price
    /// (the remainder rests, or expires for IOC/FOK).
    private func trigger(_ state: inout State, _ book: inout RestingBook, _ entry: RestingBook.Entry, price: Decimal, market: MarketCatalog.Market, now: Int64)
    {
        guard var account = state.accounts.removeValue(forKey: entry.key) else { return }
        guard var order = account.orders[entry.orderID], order.isOpen, order.isWaiting else {
            state.accounts[entry.key] = account
            return
        }
        let filters = market.filters
        Self.activate(&state, &book, &account, &order, key: entry.key, now: now)
        order.awaitingTrigger = false
        order.workingTime = now
        order.updateTime = now
        let remaining = order.origQty - order.executedQty
        var takes = Self.walk(side: order.side, price: price, market: market, quantity: remaining, limit: order.executesAsMarket ? nil : order.price)
        let taken = takes.reduce(Decimal(0)) { $0 + $1.quantity }
        let cost = takes.reduce(Decimal(0)) { $0 + $1.price * $1.quantity }
        var closing: String?
        if order.timeInForce == "FOK", !order.executesAsMarket, taken < remaining { takes = [] }
        if order.side == .buy, order.executesAsMarket, order.locked <= 0, cost > (account.balances[filters.quoteAsset]?.free ?? 0) {
            takes = []
            order.status = "EXPIRED"
            closing = "EXPIRED"
        }
        var fills: [SimFill] = []
        for level in takes {
            fills.append(
                Self.fill(
                    &account, &order, price: level.price, quantity: level.quantity, maker: false, filters: filters, tradeID: &state.nextTradeID, time: now))
        }
        if order.isOpen, !order.executesAsMarket, order.timeInForce == "IOC" || order.timeInForce == "FOK" {
            order.status = "EXPIRED"
            closing = "EXPIRED"
        }
        if !order.isOpen { Self.unlock(&account, &order, filters: filters) }
        account.orders[order.orderID] = order
        account.fills += fills
        if order.isOpen { book.add(order, key: entry.key) } else { account.openOrderIDs.remove(order.orderID) }
        state.revision += 1
        Self.recordEvents(&state, key: entry.key, account: account, order: order, fills: fills, closing: closing, now: now, isNew: false)
        state.accounts[entry.key] = account
    }

    /// A resting order the price crossed fills at its price, up to one level's depth.
    private func fillResting(
        _ state: inout State, _ book: inout RestingBook, _ entry: RestingBook.Entry, price: Decimal, market: MarketCatalog.Market, now: Int64
    ) {
        guard var account = state.accounts.removeValue(forKey: entry.key) else { return }
        guard var order = account.orders[entry.orderID], order.isOpen, !order.isWaiting else {
            state.accounts[entry.key] = account
            return
        }
        let before = order
        Self.activate(&state, &book, &account, &order, key: entry.key, now: now)
        let depth = Self.level(0, side: order.side, price: order.price, market: market).quantity
        let quantity = min(order.origQty - order.executedQty, depth)
        let fill = Self.fill(
            &account, &order, price: order.price, quantity: quantity, maker: true, filters: market.filters, tradeID: &state.nextTradeID, time: now)
        account.fills.append(fill)
        account.orders[order.orderID] = order
        if !order.isOpen {
            book.remove(before)
            account.openOrderIDs.remove(order.orderID)
        }
        state.revision += 1
        Self.recordEvents(&state, key: entry.key, account: account, order: order, fills: [fill], closing: nil, now: now, isNew: false)
        state.accounts[entry.key] = account
    }

    /// An order of an open list starts to execute: the other legs expire (Binance: `EXPIRED`,
    /// `eR` OCO_TRIGGER), the list is ALL_DONE, and this leg now holds its own amount (the
    /// list's one lock sat on its first leg).
    static func activate(_ state: inout State, _ book: inout RestingBook, _ account: inout SimAccount, _ order: inout SimOrder, key: String, now: Int64) {
        guard let listID = order.orderListID, var list = account.orderLists?[listID], list.isOpen,
            let filters = MarketCatalog.bySymbol[order.symbol]?.filters
        else { return }
        var expired: [SimOrder] = []
        for id in list.orderIDs where id != order.orderID {
            guard var other = account.orders[id], other.isOpen else { continue }
            book.remove(other)
            other.status = "EXPIRED"
            other.updateTime = now
            unlock(&account, &other, filters: filters)
            account.orders[id] = other
            account.openOrderIDs.remove(id)
            expired.append(other)
        }
        list.listStatusType = "ALL_DONE"
        list.listOrderStatus = "ALL_DONE"
        list.transactionTime = now
        account.orderLists?[listID] = list
        unlock(&account, &order, filters: filters)
        lock(&account, &order, filters: filters)
        account.orders[order.orderID] = order
        for other in expired {
            recordReport(&state, key: key, executionReport(other, fill: nil, executionType: "EXPIRED", now: now, expiryReason: "OCO_TRIGGER"))
        }
        recordReport(&state, key: key, listStatus(list, orders: list.orderIDs.compactMap { account.orders[$0] }, now: now))
    }
}
