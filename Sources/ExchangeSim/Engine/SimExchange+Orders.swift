import Common
import Foundation

extension SimExchange {
    static let clientOrderIDCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/")

    static func checkClientOrderID(_ id: String?, parameter: String = "newClientOrderId") throws(SimError) {
        if let id, id.isEmpty || id.count > 36 || !id.allSatisfy(Self.clientOrderIDCharacters.contains) {
            throw SimError(status: 400, code: -1100, message: "Illegal characters found in parameter '\(parameter)'; legal range is '^[a-zA-Z0-9-_.:/]{1,36}$'.")
        }
    }

    /// Places an order (or only validates it, for `order/test`) and returns it with its fills.
    func placeOrder(key: String, _ request: OrderRequest, validateOnly: Bool = false) throws(SimError) -> (SimOrder, [SimFill]) {
        advance()
        guard let market = MarketCatalog.bySymbol[request.symbol] else { throw .badSymbol }
        try Self.checkClientOrderID(request.clientOrderID)
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
            if let id = request.clientOrderID, Self.isDuplicate(state, account, key: key, clientOrderID: id) { throw .duplicateOrder }
            try Self.checkFunds(account, request, plan: plan, filters: market.filters)
            if validateOnly {
                return (SimOrder(orderID: 0, clientOrderID: request.clientOrderID ?? "", symbol: request.symbol, side: request.side,
                    type: request.type, timeInForce: request.timeInForce, price: request.price ?? 0, origQty: request.quantity ?? 0,
                    origQuoteOrderQty: request.quoteOrderQty ?? 0, time: now, updateTime: now), [])
            }
            let (order, fills) = Self.create(&state, &account, key: key, request, plan: plan, market: market, lastPrice: price, now: now)
            state.revision += 1
            state.accounts[key] = account
            putBack = true
            Self.recordEvents(&state, key: key, order: order, fills: fills, closing: order.status == "EXPIRED" ? "EXPIRED" : nil, now: now, isNew: true)
            return (order, fills)
        }
    }

    /// cancelReplace checks the new order's filters before it cancels anything (BINANCE.md §10.3):
    /// a filter failure (-1013) is answered alone; other refusals come after the cancel.
    func checkFilters(_ request: OrderRequest) throws(SimError) {
        guard let market = MarketCatalog.bySymbol[request.symbol], let price = self.price(request.symbol) else { throw .badSymbol }
        do {
            _ = try Self.plan(request, market: market, price: price)
        } catch where error.code == -1013 {
            throw error
        } catch {}
    }

    static func isDuplicate(_ state: State, _ account: SimAccount, key: String, clientOrderID id: String) -> Bool {
        guard let latest = state.clientOrderIndex[key]?[id] else { return false }
        return account.orders[latest]?.isOpen == true
    }

    /// Makes a validated order: locks what it holds, takes what it takes, indexes what rests.
    /// `locks` is false for the legs of an order list, which share one lock (see `placeOrderList`).
    static func create(
        _ state: inout State, _ account: inout SimAccount, key: String, _ request: OrderRequest, plan: Plan, market: MarketCatalog.Market,
        lastPrice: Decimal, now: Int64, locks: Bool = true
    ) -> (SimOrder, [SimFill]) {
        let filters = market.filters
        var order = SimOrder(
            orderID: state.nextOrderID, clientOrderID: request.clientOrderID ?? "sim-" + randomToken(22), symbol: request.symbol,
            side: request.side, type: request.type, timeInForce: request.timeInForce, price: request.price ?? 0,
            origQty: plan.quantity, origQuoteOrderQty: request.quoteOrderQty ?? 0, time: now, updateTime: now)
        state.nextOrderID += 1
        state.clientOrderIndex[key, default: [:]][order.clientOrderID] = order.orderID
        order.orderListID = request.orderListID
        if SimOrder.stopTypes.contains(request.type) {
            order.stopPrice = request.stopPrice
            order.trailingDelta = request.trailingDelta
            order.awaitingTrigger = true
            // Without a stopPrice, trailing starts at once; with one, when the price reaches it.
            if request.trailingDelta != nil, request.stopPrice == nil {
                order.trailAnchor = lastPrice
                order.trailingTime = now
            }
        }
        if locks, request.type != "MARKET" { lock(&account, &order, filters: filters) }
        var fills: [SimFill] = []
        for level in plan.takes {
            fills.append(fill(&account, &order, price: level.price, quantity: level.quantity, maker: false, filters: filters, tradeID: &state.nextTradeID, time: now))
        }
        settle(&account, &order, plan: plan, filters: filters)
        account.orders[order.orderID] = order
        if order.isOpen {
            account.openOrderIDs.insert(order.orderID)
            state.books[order.symbol, default: RestingBook()].add(order, key: key)
        }
        account.fills += fills
        return (order, fills)
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
        if !SimOrder.stopTypes.contains(request.type) {
            if request.stopPrice != nil { throw .notRequired("stopPrice") }
            if request.trailingDelta != nil { throw .notRequired("trailingDelta") }
        }
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
            if request.type == "LIMIT" { try checkTimeInForce(request) }
            try check(filters, quantity: quantity, price: limit, market: false)
            let takes = walk(side: request.side, price: price, market: market, quantity: quantity, limit: limit)
            if request.type == "LIMIT_MAKER", !takes.isEmpty { throw .wouldTake }
            let taken = takes.reduce(Decimal(0)) { $0 + $1.quantity }
            if request.timeInForce == "FOK", taken < quantity {
                return Plan(quantity: quantity, takes: [], expiresUnfilled: true)
            }
            return Plan(quantity: quantity, takes: takes, expiresUnfilled: request.timeInForce == "IOC" || request.timeInForce == "FOK")
        case let type where SimOrder.stopTypes.contains(type):
            return try planStop(request, market: market, price: price)
        default:
            throw .badType
        }
    }

    /// A stop order takes nothing at placement: it waits, with its parameters checked as Binance
    /// checks them (BINANCE.md §5, §10.1, §10.5).
    static func planStop(_ request: OrderRequest, market: MarketCatalog.Market, price: Decimal) throws(SimError) -> Plan {
        let filters = market.filters
        guard let quantity = request.quantity else { throw .missing("quantity") }
        if request.stopPrice == nil, request.trailingDelta == nil { throw .eitherMissing("stopPrice", "trailingDelta") }
        if request.type.hasSuffix("_LIMIT") {
            guard let limit = request.price else { throw .missing("price") }
            try checkTimeInForce(request)
            try check(filters, quantity: quantity, price: limit, market: false)
        } else {
            if request.price != nil { throw .notRequired("price") }
            if request.timeInForce != nil { throw SimError(status: 400, code: -1106, message: "Parameter 'timeInForce' sent when not required.") }
            try check(filters, quantity: quantity, price: request.stopPrice ?? price, market: request.stopPrice == nil)
        }
        if let stop = request.stopPrice {
            try check(filters, quantity: quantity, price: stop, market: false)
            let probe = SimOrder(orderID: 0, clientOrderID: "", symbol: request.symbol, side: request.side, type: request.type, timeInForce: nil,
                price: 0, origQty: 0, origQuoteOrderQty: 0, time: 0, updateTime: 0)
            if TrailingStop.met(above: probe.triggersAbove, stopPrice: stop, last: price) { throw .wouldTrigger }
        }
        if let delta = request.trailingDelta, delta < 10 || delta > 2_000 { throw .filter("TRAILING_DELTA") }
        return Plan(quantity: quantity, takes: [], expiresUnfilled: false)
    }

    static func checkTimeInForce(_ request: OrderRequest) throws(SimError) {
        guard let tif = request.timeInForce else { throw .missing("timeInForce") }
        guard ["GTC", "IOC", "FOK"].contains(tif) else { throw .badTimeInForce }
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
        var index = 0
        while remaining > 0, index < 10_000 {
            let level = level(index, side: side, price: price, market: market)
            index += 1
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
}
