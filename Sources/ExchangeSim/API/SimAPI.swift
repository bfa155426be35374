import Common
import Foundation
import Hummingbird

/// The Binance Spot REST API of the simulator (CONTRACT §5).
struct SimAPI {
    let exchange: SimExchange
    let weights: RequestWeights
    let faults: Faults

    func register(on router: Router<SimContext>) {
        router.get("/api/v3/ping") { request, context in await handle(request, context, weight: { _ in 1 }) { _, _ in [String: Any]() } }
        router.get("/api/v3/time") { request, context in
            await handle(request, context, weight: { _ in 1 }) { _, _ in ["serverTime": exchange.nowMs] }
        }
        router.get("/api/v3/exchangeInfo") { request, context in
            await handle(request, context, weight: { _ in 20 }) { binance, _ in try exchangeInfo(binance) }
        }
        router.get("/api/v3/ticker/price") { request, context in
            await handle(request, context, weight: { $0.parameters["symbol"] == nil ? 4 : 2 }) { binance, _ in try tickerPrice(binance) }
        }
        router.get("/api/v3/ticker/bookTicker") { request, context in
            await handle(request, context, weight: { $0.parameters["symbol"] == nil ? 4 : 2 }) { binance, _ in try bookTicker(binance) }
        }
        registerMarketData(on: router)
        registerSigned(on: router)
        registerOrderLists(on: router)
    }

    private func registerSigned(on router: Router<SimContext>) {
        router.post("/api/v3/userDataStream") { request, context in
            await handle(request, context, weight: { _ in 2 }) { binance, _ in
                guard let apiKey = binance.apiKey, !apiKey.isEmpty else { throw SimError.badKeyFormat }
                return ["listenKey": try exchange.listenKey(for: apiKey)]
            }
        }
        router.put("/api/v3/userDataStream") { request, context in
            await handle(request, context, weight: { _ in 2 }) { binance, _ in
                guard let apiKey = binance.apiKey, !apiKey.isEmpty else { throw SimError.badKeyFormat }
                try exchange.keepAlive(listenKey: try binance.string("listenKey"), apiKey: apiKey)
                return [String: Any]()
            }
        }
        router.delete("/api/v3/userDataStream") { request, context in
            await handle(request, context, weight: { _ in 2 }) { binance, _ in
                guard let apiKey = binance.apiKey, !apiKey.isEmpty else { throw SimError.badKeyFormat }
                try exchange.close(listenKey: try binance.string("listenKey"), apiKey: apiKey)
                return [String: Any]()
            }
        }
        router.get("/api/v3/account") { request, context in
            await handle(request, context, weight: { _ in 20 }, signed: true) { binance, key in
                guard let account = exchange.account(key!) else { throw SimError.rejectedKey }
                return BinanceJSON.account(account, omitZero: binance.parameters["omitZeroBalances"] == "true", now: exchange.nowMs)
            }
        }
        // Binance's wallet endpoint (not on the testnet): what the key may do.
        router.get("/sapi/v1/account/apiRestrictions") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { _, key in
                guard let account = exchange.account(key!) else { throw SimError.rejectedKey }
                return BinanceJSON.apiRestrictions(account, now: exchange.nowMs)
            }
        }
        router.post("/api/v3/order") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in
                let order = try orderRequest(binance)
                let (placed, fills) = try exchange.placeOrder(key: key!, order)
                return BinanceJSON.placed(placed, fills: fills, responseType: try Self.responseType(binance, orderType: order.type))
            }
        }
        router.post("/api/v3/order/test") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in
                _ = try exchange.placeOrder(key: key!, try orderRequest(binance), validateOnly: true)
                return [String: Any]()
            }
        }
        router.get("/api/v3/order") { request, context in
            await handle(request, context, weight: { _ in 4 }, signed: true) { binance, key in
                let (orderID, clientID) = try orderReference(binance)
                return BinanceJSON.order(try exchange.order(key: key!, symbol: try binance.string("symbol"), orderID: orderID, clientOrderID: clientID))
            }
        }
        router.delete("/api/v3/order") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in
                let (orderID, clientID) = try orderReference(binance)
                return BinanceJSON.cancelled(try exchange.cancel(key: key!, symbol: try binance.string("symbol"), orderID: orderID, clientOrderID: clientID))
            }
        }
        router.get("/api/v3/openOrders") { request, context in
            await handle(request, context, weight: { $0.parameters["symbol"] == nil ? 80 : 6 }, signed: true) { binance, key in
                let symbol = binance.parameters["symbol"]
                if let symbol, MarketCatalog.bySymbol[symbol] == nil { throw SimError.badSymbol }
                return try exchange.openOrders(key: key!, symbol: symbol).map(BinanceJSON.order)
            }
        }
        router.delete("/api/v3/openOrders") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in
                let symbol = try binance.string("symbol")
                guard MarketCatalog.bySymbol[symbol] != nil else { throw SimError.badSymbol }
                return try exchange.cancelAll(key: key!, symbol: symbol).map { (answer: SimExchange.Either) -> [String: Any] in
                    switch answer {
                    case .order(let order): BinanceJSON.cancelled(order)
                    case .list(let list, let orders): BinanceJSON.cancelledList(list, orders: orders)
                    }
                }
            }
        }
        router.get("/api/v3/allOrders") { request, context in
            await handle(request, context, weight: { _ in 20 }, signed: true) { binance, key in
                try exchange.allOrders(key: key!, symbol: try binance.string("symbol")).map(BinanceJSON.order)
            }
        }
        router.get("/api/v3/myTrades") { request, context in
            await handle(request, context, weight: { $0.parameters["orderId"] == nil ? 20 : 5 }, signed: true) { binance, key in
                try exchange.trades(key: key!, symbol: try binance.string("symbol"), orderID: try binance.integer("orderId")).map { BinanceJSON.trade($0.0, listID: $0.1) }
            }
        }
    }

    // MARK: - Handlers

    func exchangeInfo(_ binance: BinanceRequest) throws(SimError) -> [String: Any] {
        var symbols: [String]?
        if let one = binance.parameters["symbol"] { symbols = [one] }
        if let many = binance.parameters["symbols"] { symbols = try Self.symbolList(many) }
        let markets = try (symbols ?? MarketCatalog.markets.map(\.filters.symbol)).map { (name: String) throws(SimError) in
            guard let market = MarketCatalog.bySymbol[name] else { throw SimError.badSymbol }
            return market
        }
        return [
            "timezone": "UTC", "serverTime": exchange.nowMs,
            "rateLimits": [
                ["rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": weights.limit],
                ["rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100],
                ["rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61_000],
            ],
            "exchangeFilters": [Any](), "symbols": markets.map(BinanceJSON.symbol),
        ]
    }

    func tickerPrice(_ binance: BinanceRequest) throws(SimError) -> Any {
        if let symbol = binance.parameters["symbol"] {
            guard let price = exchange.price(symbol) else { throw .badSymbol }
            return ["symbol": symbol, "price": BinanceJSON.d(price)]
        }
        let wanted = try binance.parameters["symbols"].map(Self.symbolList)
        if let wanted, wanted.contains(where: { MarketCatalog.bySymbol[$0] == nil }) { throw .badSymbol }
        return exchange.prices().filter { wanted?.contains($0.0) ?? true }.map { ["symbol": $0.0, "price": BinanceJSON.d($0.1)] }
    }

    func bookTicker(_ binance: BinanceRequest) throws(SimError) -> Any {
        func entry(_ symbol: String, _ price: Decimal) -> [String: Any] {
            let market = MarketCatalog.bySymbol[symbol]!
            let bid = SimExchange.level(0, side: .sell, price: price, market: market)
            let ask = SimExchange.level(0, side: .buy, price: price, market: market)
            return ["symbol": symbol, "bidPrice": BinanceJSON.d(bid.price), "bidQty": BinanceJSON.d(bid.quantity),
                    "askPrice": BinanceJSON.d(ask.price), "askQty": BinanceJSON.d(ask.quantity)]
        }
        if let symbol = binance.parameters["symbol"] {
            guard let price = exchange.price(symbol) else { throw .badSymbol }
            return entry(symbol, price)
        }
        return exchange.prices().map { entry($0.0, $0.1) }
    }

    func orderRequest(_ binance: BinanceRequest) throws(SimError) -> OrderRequest {
        let symbol = try binance.string("symbol")
        guard MarketCatalog.bySymbol[symbol] != nil else { throw .badSymbol }
        guard let side = OrderSide(rawValue: try binance.string("side")) else { throw .badSide }
        let type = try binance.string("type")
        guard SimOrder.allTypes.contains(type) else { throw .badType }
        return OrderRequest(
            symbol: symbol, side: side, type: type, timeInForce: binance.parameters["timeInForce"].flatMap { $0.isEmpty ? nil : $0 },
            quantity: try binance.decimal("quantity"), quoteOrderQty: try binance.decimal("quoteOrderQty"), price: try binance.decimal("price"),
            clientOrderID: binance.parameters["newClientOrderId"].flatMap { $0.isEmpty ? nil : $0 }, stopPrice: try binance.decimal("stopPrice"),
            trailingDelta: try binance.integer("trailingDelta").map { Int($0) })
    }

    /// `newOrderRespType`: MARKET and LIMIT default to FULL, every other type to ACK (BINANCE.md §5).
    static func responseType(_ binance: BinanceRequest, orderType: String) throws(SimError) -> String {
        guard let given = binance.parameters["newOrderRespType"], !given.isEmpty else {
            return orderType == "MARKET" || orderType == "LIMIT" ? "FULL" : "ACK"
        }
        guard ["ACK", "RESULT", "FULL"].contains(given) else {
            throw SimError(status: 400, code: -1100, message: "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT, FULL'.")
        }
        return given
    }

    func orderReference(_ binance: BinanceRequest) throws(SimError) -> (Int64?, String?) {
        let orderID = try binance.integer("orderId")
        let clientID = binance.parameters["origClientOrderId"]
        if orderID == nil, clientID == nil { throw .missing("orderId") }
        return (orderID, clientID)
    }

    static func symbolList(_ text: String) throws(SimError) -> [String] {
        guard let data = text.data(using: .utf8), let list = try? JSONSerialization.jsonObject(with: data) as? [String] else {
            throw SimError(status: 400, code: -1100, message: "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.")
        }
        return list
    }

    // MARK: - The common path

    /// Charges the weight, authenticates signed calls, runs the handler and writes Binance's
    /// JSON (or error) answer with the weight header.
    func handle(
        _ request: Request, _ context: SimContext, weight: (BinanceRequest) -> Int, signed: Bool = false,
        _ body: (BinanceRequest, String?) throws -> Any
    ) async -> Response {
        let injected = faults.current
        if injected.outage {
            context.channel.close(promise: nil)
            return Self.error(.unavailable, used: nil)
        }
        if faults.shouldFail() {
            return Self.error(SimError(status: 503, code: -1008, message: "Service Unavailable."), used: nil)
        }
        let response = await answer(request, context, weight: weight, signed: signed, body)
        // The exchange has acted; only the answer is late (so a client may time out on an order
        // that exists, and must look it up).
        if injected.latencyMs > 0 { try? await Task.sleep(for: .milliseconds(injected.latencyMs)) }
        return response
    }

    private func answer(
        _ request: Request, _ context: SimContext, weight: (BinanceRequest) -> Int, signed: Bool,
        _ body: (BinanceRequest, String?) throws -> Any
    ) async -> Response {
        let binance: BinanceRequest
        do {
            binance = try await BinanceRequest.read(request, context: context)
        } catch let error as SimError {
            return Self.error(error, used: nil)
        } catch {
            return Self.error(SimError(status: 400, code: -1101, message: "Too many parameters; expected less than 1024."), used: nil)
        }
        let used: Int
        switch weights.charge(context.clientAddress, weight: weight(binance), nowMs: exchange.nowMs) {
        case .allowed(let count):
            used = count
        case .limited(let count, let retryAfter):
            var response = Self.error(
                SimError(status: 429, code: -1003, message: "Too much request weight used; current limit is \(weights.limit) request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."),
                used: count)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        case .banned(let retryAfter):
            var response = Self.error(
                SimError(status: 418, code: -1003, message: "Way too much request weight used; IP banned until \(exchange.nowMs + Int64(retryAfter) * 1_000). Please use WebSocket Streams for live updates to avoid bans."),
                used: nil)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
        do {
            let key = signed ? try binance.authenticate(exchange) : nil
            return Self.json(200, try body(binance, key), used: used)
        } catch let error as SimError {
            return Self.error(error, used: used)
        } catch {
            return Self.error(SimError(status: 500, code: -1000, message: "An unknown error occurred while processing the request."), used: used)
        }
    }

    static func json(_ status: Int, _ object: Any, used: Int?) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json;charset=UTF-8"]
        if let used { headers[.init("X-MBX-USED-WEIGHT-1M")!] = String(used) }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ error: SimError, used: Int?) -> Response {
        var body: [String: Any] = ["code": error.code, "msg": error.message]
        if let data = error.data, let object = try? JSONSerialization.jsonObject(with: data) { body["data"] = object }
        return json(error.status, body, used: used)
    }
}
