import Common
import Foundation

extension SimExchange {
    static let clientOrderIDCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/")

    /// Places an order (or only validates it, for `order/test`) and returns it with its fills.
    func placeOrder(key: String, _ request: OrderRequest, validateOnly: Bool = false) throws(SimError) -> (SimOrder, [SimFill]) {
        advance()
        guard let market = MarketCatalog.bySymbol[request.symbol] else { throw .badSymbol }
        let filters = market.filters
        if let id = request.clientOrderID, id.isEmpty || id.count > 36 || !id.allSatisfy(Self.clientOrderIDCharacters.contains) {
            throw SimError(status: 400, code: -1100, message: "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_.:/]{1,36}$'.")
        }
        let now = nowMs
        return try state.withLock { (state: inout State) throws(SimError) -> (SimOrder, [SimFill]) in
            // Taken out of the dictionary while it changes, so its arrays are not copied.
            guard var account = state.accounts.removeValue(forKey: key) else { throw .rejectedKey }
            var putBack = false
            defer { if !putBack { state.accounts[key] = account } }
            guard account.canTrade != false else {
                throw SimError(status: 400, code: -2010, message: "This action is disabled on this account.")
            }
            let price = state.walks[request.symbol]!.price
            let plan = try Self.plan(request, market: market, price: price)
            if let id = request.clientOrderID, account.openOrderIDs.contains(where: { account.orders[$0]?.clientOrderID == id }) {
                throw .duplicateOrder
            }
            try Self.checkFunds(account, request, plan: plan, filters: filters)
            if validateOnly {
                return (SimOrder(orderID: 0, clientOrderID: request.clientOrderID ?? "", symbol: request.symbol, side: request.side,
                    type: request.type, timeInForce: request.timeInForce, price: request.price ?? 0, origQty: request.quantity ?? 0,
                    origQuoteOrderQty: request.quoteOrderQty ?? 0, time: now, updateTime: now), [])
            }
            var order = SimOrder(
                orderID: state.nextOrderID, clientOrderID: request.clientOrderID ?? "sim-" + Self.randomToken(22), symbol: request.symbol,
                side: request.side, type: request.type, timeInForce: request.timeInForce, price: request.price ?? 0,
                origQty: plan.quantity, origQuoteOrderQty: request.quoteOrderQty ?? 0, time: now, updateTime: now)
            state.nextOrderID += 1
            if request.type != "MARKET" { Self.lock(&account, &order, filters: filters) }
            var fills: [SimFill] = []
            for level in plan.takes {
                fills.append(Self.fill(&account, &order, price: level.price, quantity: level.quantity, maker: false, filters: filters, tradeID: &state.nextTradeID, time: now))
            }
            Self.settle(&account, &order, plan: plan, filters: filters)
            account.orders[order.orderID] = order
            if order.isOpen { account.openOrderIDs.insert(order.orderID) }
            account.fills += fills
            state.accounts[key] = account
            putBack = true
            state.revision += 1
            Self.recordEvents(&state, key: key, order: order, fills: fills, closing: order.status == "EXPIRED" ? "EXPIRED" : nil, now: now, isNew: true)
            return (order, fills)
        }
    }

    /// What an order will do against the current book: the levels it takes, and whether a
    /// remainder rests, expires, or the order is refused as a whole.
    struct Plan {
        var quantity: Decimal
        var takes: [Level]
        var expiresUnfilled: Bool
    }

    static func plan(_ request: OrderRequest, market: MarketCatalog.Market, price: Decimal) throws(SimError) -> Plan {
        let filters = market.filters
        switch request.type {
        case "MARKET":
            if let quantity = request.quantity {
                try check(filters, quantity: quantity, price: price, market: true)
                return Plan(quantity: quantity, takes: walk(side: request.side, price: price, market: market, quantity: quantity, limit: nil), expiresUnfilled: false)
            }
            guard let quote = request.quoteOrderQty, quote > 0 else { throw .missing("quantity") }
            if quote < filters.minNotional { throw .filter("NOTIONAL") }
            let takes = walk(side: request.side, price: price, market: market, quote: quote)
            let quantity = takes.reduce(Decimal(0)) { $0 + $1.quantity }
            if quantity <= 0 { throw .filter("LOT_SIZE") }
            return Plan(quantity: quantity, takes: takes, expiresUnfilled: false)
        case "LIMIT", "LIMIT_MAKER":
            guard let quantity = request.quantity else { throw .missing("quantity") }
            guard let limit = request.price else { throw .missing("price") }
            if request.type == "LIMIT" {
                guard let tif = request.timeInForce else { throw .missing("timeInForce") }
                guard ["GTC", "IOC", "FOK"].contains(tif) else { throw .badTimeInForce }
            }
            try check(filters, quantity: quantity, price: limit, market: false)
            let takes = walk(side: request.side, price: price, market: market, quantity: quantity, limit: limit)
            if request.type == "LIMIT_MAKER", !takes.isEmpty { throw .wouldTake }
            let taken = takes.reduce(Decimal(0)) { $0 + $1.quantity }
            if request.timeInForce == "FOK", taken < quantity {
                return Plan(quantity: quantity, takes: [], expiresUnfilled: true)
            }
            return Plan(quantity: quantity, takes: takes, expiresUnfilled: request.timeInForce == "IOC" || request.timeInForce == "FOK")
        default:
            throw .badType
        }
    }

    static func check(_ filters: SymbolFilters, quantity: Decimal, price: Decimal, market: Bool) throws(SimError) {
        do {
            try filters.check(quantity: quantity, price: price, isMarket: market)
        } catch {
            throw .filter(error.filter)
        }
    }

    /// The levels a quantity takes, up to a limit price for a LIMIT order.
    static func walk(side: OrderSide, price: Decimal, market: MarketCatalog.Market, quantity: Decimal, limit: Decimal?) -> [Level] {
        var remaining = quantity
        var takes: [Level] = []
        for index in 0..<10_000 where remaining > 0 {
            let level = level(index, side: side, price: price, market: market)
            if let limit, side == .buy ? level.price > limit : level.price < limit { break }
            let take = min(remaining, level.quantity)
            takes.append(Level(price: level.price, quantity: take))
            remaining -= take
        }
        return takes
    }

    /// The levels an amount of quote asset buys (or, selling, receives).
    static func walk(side: OrderSide, price: Decimal, market: MarketCatalog.Market, quote: Decimal) -> [Level] {
        var remaining = quote
        var takes: [Level] = []
        for index in 0..<10_000 {
            let level = level(index, side: side, price: price, market: market)
            let affordable = market.filters.roundQuantity(remaining / level.price)
            let take = min(affordable, level.quantity)
            if take <= 0 { break }
            takes.append(Level(price: level.price, quantity: take))
            remaining -= take * level.price
            if take < level.quantity { break }
        }
        return takes
    }

    static func checkFunds(_ account: SimAccount, _ request: OrderRequest, plan: Plan, filters: SymbolFilters) throws(SimError) {
        let quote = account.balances[filters.quoteAsset]?.free ?? 0
        let base = account.balances[filters.baseAsset]?.free ?? 0
        switch (request.side, request.type) {
        case (.buy, "MARKET"):
            if plan.takes.reduce(Decimal(0), { $0 + $1.price * $1.quantity }) > quote { throw .insufficientBalance }
        case (.buy, _):
            if (request.price ?? 0) * plan.quantity > quote { throw .insufficientBalance }
        case (.sell, _):
            if plan.quantity > base { throw .insufficientBalance }
        }
    }

    /// A LIMIT order holds its whole amount until it fills, is cancelled or expires.
    static func lock(_ account: inout SimAccount, _ order: inout SimOrder, filters: SymbolFilters) {
        let (asset, amount) = order.side == .buy ? (filters.quoteAsset, order.price * order.origQty) : (filters.baseAsset, order.origQty)
        account.balances[asset, default: Balance()].free -= amount
        account.balances[asset, default: Balance()].locked += amount
        order.locked = amount
    }

    /// Releases what a closed order still holds.
    static func unlock(_ account: inout SimAccount, _ order: inout SimOrder, filters: SymbolFilters) {
        guard order.locked > 0 else { return }
        let asset = order.side == .buy ? filters.quoteAsset : filters.baseAsset
        account.balances[asset, default: Balance()].locked -= order.locked
        account.balances[asset, default: Balance()].free += order.locked
        order.locked = 0
    }

    /// One trade: balances move, commission is taken from what is received (0.1 %).
    static func fill(
        _ account: inout SimAccount, _ order: inout SimOrder, price: Decimal, quantity: Decimal, maker: Bool, filters: SymbolFilters,
        tradeID: inout Int64, time: Int64
    ) -> SimFill {
        let quoteAmount = price * quantity
        let commission: Decimal
        let commissionAsset: String
        if order.side == .buy {
            commission = quantity * commissionRate
            commissionAsset = filters.baseAsset
            if order.type == "MARKET" {
                account.balances[filters.quoteAsset, default: Balance()].free -= quoteAmount
            } else {
                let held = order.price * quantity
                account.balances[filters.quoteAsset, default: Balance()].locked -= held
                account.balances[filters.quoteAsset, default: Balance()].free += held - quoteAmount
                order.locked -= held
            }
            account.balances[filters.baseAsset, default: Balance()].free += quantity - commission
        } else {
            commission = quoteAmount * commissionRate
            commissionAsset = filters.quoteAsset
            if order.type == "MARKET" {
                account.balances[filters.baseAsset, default: Balance()].free -= quantity
            } else {
                account.balances[filters.baseAsset, default: Balance()].locked -= quantity
                order.locked -= quantity
            }
            account.balances[filters.quoteAsset, default: Balance()].free += quoteAmount - commission
        }
        order.executedQty += quantity
        order.cumulativeQuoteQty += quoteAmount
        order.updateTime = time
        order.status = order.executedQty >= order.origQty ? "FILLED" : "PARTIALLY_FILLED"
        defer { tradeID += 1 }
        return SimFill(
            tradeID: tradeID, orderID: order.orderID, symbol: order.symbol, price: price, qty: quantity, quoteQty: quoteAmount,
            commission: commission, commissionAsset: commissionAsset, time: time, isBuyer: order.side == .buy, isMaker: maker)
    }

    /// After the taking fills: a MARKET order is done; an IOC/FOK remainder expires; a GTC
    /// remainder rests.
    static func settle(_ account: inout SimAccount, _ order: inout SimOrder, plan: Plan, filters: SymbolFilters) {
        if order.type == "MARKET" {
            order.status = "FILLED"
            return
        }
        if order.executedQty < order.origQty, plan.expiresUnfilled {
            order.status = "EXPIRED"
            unlock(&account, &order, filters: filters)
        }
    }

    /// Fills resting LIMIT orders the price has crossed, at their limit price, as makers.
    func matchResting(_ state: inout State, symbol: String) {
        guard let price = state.walks[symbol]?.price, let market = MarketCatalog.bySymbol[symbol] else { return }
        let now = nowMs
        for key in Array(state.accounts.keys) where !(state.accounts[key]?.openOrderIDs.isEmpty ?? true) {
            for id in state.accounts[key]!.openOrderIDs {
                guard var account = state.accounts.removeValue(forKey: key) else { break }
                guard var order = account.orders[id], order.symbol == symbol,
                    order.side == .buy ? price <= order.price : price >= order.price
                else {
                    state.accounts[key] = account
                    continue
                }
                let fill = Self.fill(
                    &account, &order, price: order.price, quantity: order.origQty - order.executedQty, maker: true, filters: market.filters,
                    tradeID: &state.nextTradeID, time: now)
                account.fills.append(fill)
                account.orders[id] = order
                if !order.isOpen { account.openOrderIDs.remove(id) }
                state.accounts[key] = account
                state.revision += 1
                Self.recordEvents(&state, key: key, order: order, fills: [fill], closing: nil, now: now, isNew: false)
            }
        }
    }

    // MARK: - Queries and cancels

    func order(key: String, symbol: String, orderID: Int64?, clientOrderID: String?) throws(SimError) -> SimOrder {
        advance()
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        guard let found = Self.find(account, symbol: symbol, orderID: orderID, clientOrderID: clientOrderID) else { throw .noSuchOrder }
        return found
    }

    func cancel(key: String, symbol: String, orderID: Int64?, clientOrderID: String?) throws(SimError) -> SimOrder {
        advance()
        guard let market = MarketCatalog.bySymbol[symbol] else { throw .badSymbol }
        let now = nowMs
        return try state.withLock { (state: inout State) throws(SimError) -> SimOrder in
            guard var account = state.accounts[key] else { throw .rejectedKey }
            guard var order = Self.find(account, symbol: symbol, orderID: orderID, clientOrderID: clientOrderID), order.isOpen else {
                throw .unknownOrder
            }
            order.status = "CANCELED"
            order.updateTime = now
            Self.unlock(&account, &order, filters: market.filters)
            account.orders[order.orderID] = order
            account.openOrderIDs.remove(order.orderID)
            state.accounts[key] = account
            state.revision += 1
            Self.recordEvents(&state, key: key, order: order, fills: [], closing: "CANCELED", now: now, isNew: false)
            return order
        }
    }

    func cancelAll(key: String, symbol: String) throws(SimError) -> [SimOrder] {
        let open = try openOrders(key: key, symbol: symbol)
        var cancelled: [SimOrder] = []
        for order in open { cancelled.append(try cancel(key: key, symbol: symbol, orderID: order.orderID, clientOrderID: nil)) }
        return cancelled
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

    func trades(key: String, symbol: String, orderID: Int64?) throws(SimError) -> [SimFill] {
        guard let account = state.withLock({ $0.accounts[key] }) else { throw .rejectedKey }
        return account.fills.filter { $0.symbol == symbol && (orderID == nil || $0.orderID == orderID) }
    }

    static func find(_ account: SimAccount, symbol: String, orderID: Int64?, clientOrderID: String?) -> SimOrder? {
        if let orderID { return account.orders[orderID].flatMap { $0.symbol == symbol ? $0 : nil } }
        guard let clientOrderID else { return nil }
        return account.orders.values.filter { $0.symbol == symbol && $0.clientOrderID == clientOrderID }.max { $0.orderID < $1.orderID }
    }
}
