import Common
import Foundation

extension SimExchange {
    // MARK: - Queries and cancels

    func order(key: String, symbol: String, orderID: Int64?, clientOrderID: String?) throws(SimError) -> SimOrder {
        advance()
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        guard let found = Self.find(account, symbol: symbol, orderID: orderID, clientOrderID: clientOrderID) else { throw .noSuchOrder }
        return found
    }

    /// Cancels an order; an order of an open list cancels the whole list, as on Binance.
    func cancel(key: String, symbol: String, orderID: Int64?, clientOrderID: String?) throws(SimError) -> SimOrder {
        advance()
        guard MarketCatalog.bySymbol[symbol] != nil else { throw .badSymbol }
        let now = nowMs
        return try state.withLock { (state: inout State) throws(SimError) -> SimOrder in
            guard let account = state.accounts[key] else { throw .rejectedKey }
            guard let order = Self.find(account, symbol: symbol, orderID: orderID, clientOrderID: clientOrderID), order.isOpen else {
                throw .unknownOrder
            }
            let ids = order.orderListID.flatMap { account.orderLists?[$0]?.orderIDs } ?? [order.orderID]
            let cancelled = Self.cancelOrders(&state, key: key, ids: ids, listID: order.orderListID, now: now)
            return cancelled.first { $0.orderID == order.orderID } ?? order
        }
    }

    /// Cancels open orders of one account (all of one list, or one order), and closes the list.
    static func cancelOrders(_ state: inout State, key: String, ids: [Int64], listID: Int64?, now: Int64) -> [SimOrder] {
        guard var account = state.accounts[key] else { return [] }
        var cancelled: [SimOrder] = []
        for id in ids {
            guard var order = account.orders[id], order.isOpen, let market = MarketCatalog.bySymbol[order.symbol] else { continue }
            state.books[order.symbol]?.remove(order)
            order.status = "CANCELED"
            order.updateTime = now
            unlock(&account, &order, filters: market.filters)
            account.orders[id] = order
            account.openOrderIDs.remove(id)
            cancelled.append(order)
        }
        var closedList: SimOrderList?
        if let listID, var list = account.orderLists?[listID], list.isOpen {
            list.listStatusType = "ALL_DONE"
            list.listOrderStatus = "ALL_DONE"
            list.transactionTime = now
            account.orderLists?[listID] = list
            closedList = list
        }
        state.accounts[key] = account
        state.revision += 1
        for order in cancelled {
            recordEvents(&state, key: key, order: order, fills: [], closing: "CANCELED", now: now, isNew: false, position: false)
        }
        if let closedList {
            recordReport(&state, key: key, listStatus(closedList, orders: closedList.orderIDs.compactMap { account.orders[$0] }, now: now))
        }
        if let filters = cancelled.first.flatMap({ MarketCatalog.bySymbol[$0.symbol]?.filters }) {
            recordReport(&state, key: key, accountPosition(account, assets: [filters.baseAsset, filters.quoteAsset], now: now))
        }
        return cancelled
    }

    /// `DELETE /api/v3/openOrders`: every open order of a symbol; a list's orders as one entry.
    func cancelAll(key: String, symbol: String) throws(SimError) -> [Either] {
        let open = try openOrders(key: key, symbol: symbol)
        var answers: [Either] = []
        var listsDone: Set<Int64> = []
        for order in open {
            if let listID = order.orderListID {
                guard !listsDone.contains(listID) else { continue }
                listsDone.insert(listID)
                if let result = try? cancelOrderList(key: key, symbol: symbol, orderListID: listID, listClientOrderID: nil) {
                    answers.append(.list(result.0, result.1))
                }
                continue
            }
            if let cancelled = try? cancel(key: key, symbol: symbol, orderID: order.orderID, clientOrderID: nil) { answers.append(.order(cancelled)) }
        }
        return answers
    }

    enum Either {
        case order(SimOrder)
        case list(SimOrderList, [SimOrder])
    }

    func openOrders(key: String, symbol: String?) throws(SimError) -> [SimOrder] {
        advance()
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        return account.openOrderIDs.compactMap { account.orders[$0] }.filter { symbol == nil || $0.symbol == symbol }.sorted { $0.orderID < $1.orderID }
    }

    func allOrders(key: String, symbol: String) throws(SimError) -> [SimOrder] {
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        return account.orders.values.filter { $0.symbol == symbol }.sorted { $0.orderID < $1.orderID }
    }

    /// The account's fills, each with the orderListId of its order (-1 outside lists).
    func trades(key: String, symbol: String, orderID: Int64?) throws(SimError) -> [(SimFill, Int64)] {
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        return account.fills.filter { $0.symbol == symbol && (orderID == nil || $0.orderID == orderID) }
            .map { ($0, account.orders[$0.orderID]?.listID ?? -1) }
    }

    static func find(_ account: SimAccount, symbol: String, orderID: Int64?, clientOrderID: String?) -> SimOrder? {
        if let orderID { return account.orders[orderID].flatMap { $0.symbol == symbol ? $0 : nil } }
        guard let clientOrderID else { return nil }
        return account.orders.values.filter { $0.symbol == symbol && $0.clientOrderID == clientOrderID }.max { $0.orderID < $1.orderID }
    }
}
