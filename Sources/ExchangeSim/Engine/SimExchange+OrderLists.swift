import Common
import Foundation

/// A new OCO (`POST /api/v3/orderList/oco`, and the legacy `/api/v3/order/oco` mapped onto it).
struct OrderListRequest: Sendable {
    var symbol: String
    var side: OrderSide
    var quantity: Decimal
    var listClientOrderID: String?
    /// The legs, each an order request with its own type, prices and client id.
    var above: OrderRequest
    var below: OrderRequest
}

extension SimExchange {
    static let ocoLimitTypes: Set = ["LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]
    static let ocoStopTypes: Set = ["STOP_LOSS", "STOP_LOSS_LIMIT"]

    /// Places both legs of an OCO. They share one lock, the larger of the two legs' needs, held by
    /// the first leg; when either leg starts to execute the other expires and it holds its own
    /// (`activate`).
    func placeOrderList(key: String, _ request: OrderListRequest) throws(SimError) -> (SimOrderList, [SimOrder]) {
        advance()
        guard let market = MarketCatalog.bySymbol[request.symbol] else { throw .badSymbol }
        for leg in [request.above, request.below] {
            guard Self.ocoLimitTypes.contains(leg.type) || Self.ocoStopTypes.contains(leg.type) else { throw .notSupportedInOCO }
            try Self.checkClientOrderID(leg.clientOrderID)
        }
        try Self.checkClientOrderID(request.listClientOrderID, parameter: "listClientOrderId")
        let types = Set([request.above.type, request.below.type])
        if types.isSubset(of: Self.ocoLimitTypes) || types.isSubset(of: Self.ocoStopTypes) {
            throw SimError(status: 400, code: -1168, message: "At least one OCO order must be contingent.")
        }
        // SELL: the limit/take-profit leg above, the stop below; BUY: the stop above.
        let stopLeg = request.side == .sell ? request.below : request.above
        guard Self.ocoStopTypes.contains(stopLeg.type) else { throw .badPriceRelationship }
        let now = nowMs
        return try state.withLock { (state: inout State) throws(SimError) -> (SimOrderList, [SimOrder]) in
            guard var account = state.accounts[key] else { throw .rejectedKey }
            guard account.canTrade != false else { throw SimError(status: 400, code: -2010, message: "This action is disabled on this account.") }
            let last = state.walks[request.symbol]!.price
            var plans: [(OrderRequest, Plan)] = []
            for leg in [request.below, request.above] {
                do throws(SimError) {
                    plans.append((leg, try Self.plan(leg, market: market, price: last)))
                } catch {
                    throw error == .wouldTake || error == .wouldTrigger ? .badPriceRelationship : error
                }
                if let id = leg.clientOrderID, Self.isDuplicate(state, account, key: key, clientOrderID: id) { throw .duplicateOrder }
            }
            if let id = request.listClientOrderID, account.orderLists?.values.contains(where: { $0.isOpen && $0.listClientOrderID == id }) == true {
                throw .duplicateOrder
            }
            let filters = market.filters
            let need =
                plans.map { leg, plan in
                    request.side == .sell ? plan.quantity : (SimOrder.marketTypes.contains(leg.type) ? leg.stopPrice ?? 0 : leg.price ?? 0) * plan.quantity
                }.max() ?? 0
            let asset = request.side == .sell ? filters.baseAsset : filters.quoteAsset
            if need > account.balances[asset]?.free ?? 0 { throw .insufficientBalance }
            let listID = state.nextOrderListID
            state.nextOrderListID += 1
            var orders: [SimOrder] = []
            for (leg, plan) in plans {
                var leg = leg
                leg.orderListID = listID
                orders.append(Self.create(&state, &account, key: key, leg, plan: plan, market: market, lastPrice: last, now: now, locks: false).0)
            }
            let holder = orders[0].orderID
            let holding = need
            account.balances[asset, default: Balance()].free -= holding
            account.balances[asset, default: Balance()].locked += holding
            account.orders[holder]?.locked = holding
            orders[0].locked = holding
            let list = SimOrderList(
                orderListID: listID, listClientOrderID: request.listClientOrderID ?? "sim-list-" + Self.randomToken(20), symbol: request.symbol,
                orderIDs: orders.map(\.orderID), transactionTime: now)
            account.orderLists = account.orderLists ?? [:]
            account.orderLists?[listID] = list
            state.accounts[key] = account
            state.revision += 1
            for order in orders {
                Self.recordEvents(&state, key: key, order: order, fills: [], closing: nil, now: now, isNew: true, position: false)
            }
            Self.recordReport(&state, key: key, Self.listStatus(list, orders: orders, now: now))
            Self.recordReport(&state, key: key, Self.accountPosition(account, assets: [filters.baseAsset, filters.quoteAsset], now: now))
            return (list, orders)
        }
    }

    /// `DELETE /api/v3/orderList`: cancels every open order of the list.
    func cancelOrderList(key: String, symbol: String, orderListID: Int64?, listClientOrderID: String?) throws(SimError) -> (SimOrderList, [SimOrder]) {
        advance()
        guard MarketCatalog.bySymbol[symbol] != nil else { throw .badSymbol }
        if orderListID == nil, listClientOrderID == nil { throw .eitherMissing("orderListId", "listClientOrderId") }
        let now = nowMs
        return try state.withLock { (state: inout State) throws(SimError) -> (SimOrderList, [SimOrder]) in
            guard let account = state.accounts[key] else { throw .rejectedKey }
            guard let list = Self.findList(account, orderListID: orderListID, clientID: listClientOrderID), list.symbol == symbol, list.isOpen else {
                throw .noSuchOrderList
            }
            _ = Self.cancelOrders(&state, key: key, ids: list.orderIDs, listID: list.orderListID, now: now)
            let after = state.accounts[key]!
            return (after.orderLists![list.orderListID]!, list.orderIDs.compactMap { after.orders[$0] })
        }
    }

    static func findList(_ account: SimAccount, orderListID: Int64?, clientID: String?) -> SimOrderList? {
        if let orderListID { return account.orderLists?[orderListID] }
        return account.orderLists?.values.filter { $0.listClientOrderID == clientID }.max { $0.orderListID < $1.orderListID }
    }

    func orderList(key: String, orderListID: Int64?, clientID: String?) throws(SimError) -> (SimOrderList, [SimOrder]) {
        advance()
        if orderListID == nil, clientID == nil { throw .eitherMissing("orderListId", "origClientOrderId") }
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        guard let list = Self.findList(account, orderListID: orderListID, clientID: clientID) else { throw .noSuchOrderList }
        return (list, list.orderIDs.compactMap { account.orders[$0] })
    }

    func orderLists(key: String, openOnly: Bool) throws(SimError) -> [(SimOrderList, [SimOrder])] {
        advance()
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        return (account.orderLists ?? [:]).values.filter { !openOnly || $0.isOpen }.sorted { $0.orderListID < $1.orderListID }
            .map { list in (list, list.orderIDs.compactMap { account.orders[$0] }) }
    }
}
