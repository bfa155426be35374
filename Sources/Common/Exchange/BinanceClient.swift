import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A Binance Spot REST client: signs with HMAC-SHA256, keeps the server-time offset, reads the
/// used request weight, bounds every call with a deadline, and types every failure by what the
/// caller must do (``ExchangeError``). The same code talks to our simulator, the Spot testnet
/// and, one day, live Binance: only `baseURL` differs.
public final class BinanceClient: Sendable {
    public struct Credentials: Sendable {
        public let apiKey: String
        public let secret: String
        public init(apiKey: String, secret: String) {
            self.apiKey = apiKey
            self.secret = secret
        }
    }

    struct Clock {
        var offsetMs: Int64 = 0
        var usedWeight: Int = 0
        /// After a 429 or 418: no request at all before this local time (ms), as Binance asks.
        var blockedUntil: Int64 = 0
        var banned = false
        /// Failed calls since start, by cause: Binance's error code (`-2010`), `http_503`, `network`.
        var errors: [String: Int] = [:]
    }

    public let baseURL: String
    let credentials: Credentials?
    let localClock: @Sendable () -> Int64
    /// This process's share of the host's request weight; nil: no local limit.
    public let budget: WeightBudget?
    /// Whether orders may be sent now (``OrderPermit``); nil: always.
    public let permit: OrderPermit?
    /// How long a call may wait for its budget before it is refused (``WeightBudget/reserve(_:maxWait:)``).
    let budgetWait: Duration
    let http: HTTPClient
    let timeout: TimeAmount
    let recvWindow = 5_000
    private let clock = Mutex(Clock())

    /// - Parameter localClock: this machine's time in ms (tests inject a skewed one).
    public init(
        baseURL: String, credentials: Credentials?, http: HTTPClient = .shared, timeout: TimeAmount = .seconds(10),
        localClock: @escaping @Sendable () -> Int64 = BinanceClient.localMs, budget: WeightBudget? = nil, budgetWait: Duration = .seconds(61),
        permit: OrderPermit? = nil
    ) {
        self.localClock = localClock
        self.budget = budget
        self.permit = permit
        self.budgetWait = budgetWait
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.http = http
        self.timeout = timeout
    }

    /// The weight the exchange says this address used in the current minute.
    public var usedWeight: Int { clock.withLock { $0.usedWeight } }

    /// Failed calls since this client started, by Binance's error code, `http_<status>` when the
    /// answer had none, or `network` (no answer): for the metrics.
    public var errorCounts: [String: Int] { clock.withLock { $0.errors } }

    private func countError(_ cause: String) {
        clock.withLock { $0.errors[cause, default: 0] += 1 }
    }

    /// Milliseconds to add to the local clock to get the exchange's.
    public var serverTimeOffsetMs: Int64 { clock.withLock { $0.offsetMs } }

    // MARK: - Market data

    public func ping() async throws(ExchangeError) {
        _ = try await send(.GET, "/api/v3/ping")
    }

    /// Reads `/api/v3/time` and keeps the offset between the exchange's clock and ours.
    @discardableResult
    public func synchronizeTime() async throws(ExchangeError) -> Int64 {
        let before = localClock()
        let object = try await send(.GET, "/api/v3/time")
        let after = localClock()
        guard let server = (object as? [String: Any])?["serverTime"] as? NSNumber else { throw .invalidResponse("time without serverTime") }
        let offset = server.int64Value - (before + after) / 2
        clock.withLock { $0.offsetMs = offset }
        return offset
    }

    public func exchangeInfo(symbols: [String]? = nil) async throws(ExchangeError) -> [SymbolFilters] {
        var query = QueryString()
        if let symbols { query.append("symbols", "[" + symbols.map { "\"\($0)\"" }.joined(separator: ",") + "]") }
        let object = try await send(.GET, "/api/v3/exchangeInfo", query)
        guard let list = (object as? [String: Any])?["symbols"] as? [[String: Any]] else { throw .invalidResponse("exchangeInfo without symbols") }
        return try Self.decoding { try list.map(BinanceDecoding.filters) }
    }

    public func tickerPrices() async throws(ExchangeError) -> [String: Decimal] {
        let object = try await send(.GET, "/api/v3/ticker/price")
        guard let list = object as? [[String: Any]] else { throw .invalidResponse("ticker/price is not a list") }
        var prices: [String: Decimal] = [:]
        for entry in list {
            guard let symbol = entry["symbol"] as? String, let text = entry["price"] as? String, let price = DecimalText.parse(text) else {
                throw .invalidResponse("unreadable ticker entry")
            }
            prices[symbol] = price
        }
        return prices
    }

    /// Candles, oldest first. `interval` is Binance's name (`1s`, `1m`, … `1d`).
    public func klines(symbol: String, interval: String, limit: Int = 500, startTime: Int64? = nil) async throws(ExchangeError) -> [Kline] {
        var query: QueryString = ["symbol": symbol, "interval": interval, "limit": String(limit)]
        if let startTime { query.append("startTime", String(startTime)) }
        let object = try await send(.GET, "/api/v3/klines", query)
        guard let rows = object as? [[Any]] else { throw .invalidResponse("klines is not a list of rows") }
        return try Self.decoding { try rows.map(BinanceDecoding.kline) }
    }

    // MARK: - Account and orders

    public func account() async throws(ExchangeError) -> AccountSnapshot {
        let object = try await sendSigned(.GET, "/api/v3/account", QueryString())
        return try Self.decoding { try BinanceDecoding.account(object) }
    }

    /// What the key may do (`GET /sapi/v1/account/apiRestrictions`, Binance itself only: the
    /// testnet has no `/sapi`): whether it may withdraw, and whether it is bound to IP addresses.
    public func apiRestrictions() async throws(ExchangeError) -> APIRestrictions {
        let object = try await sendSigned(.GET, "/sapi/v1/account/apiRestrictions", QueryString())
        guard let fields = object as? [String: Any], let withdrawals = fields["enableWithdrawals"] as? Bool, let restricted = fields["ipRestrict"] as? Bool else {
            throw ExchangeError.invalidResponse("apiRestrictions without enableWithdrawals and ipRestrict")
        }
        return APIRestrictions(enableWithdrawals: withdrawals, ipRestrict: restricted, enableSpotAndMarginTrading: fields["enableSpotAndMarginTrading"] as? Bool)
    }

    /// Places an order. A timeout or 5xx gives ``ExchangeError/unknownOrderState``: call
    /// ``resolve(symbol:clientOrderID:)``, never resend blindly.
    public func place(_ order: NewOrder) async throws(ExchangeError) -> OrderReport {
        let query = Self.orderParameters(order)
        let object = try await sendSigned(.POST, "/api/v3/order", query, orderClientID: order.clientOrderID)
        return try Self.decoding { try BinanceDecoding.order(object) }
    }

    /// The order with this client id, or nil when the exchange has none (it was never placed).
    public func resolve(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport? {
        do {
            return try await order(symbol: symbol, clientOrderID: clientOrderID)
        } catch .rejected(let code, _) where code == -2013 {
            return nil
        }
    }

    public func order(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport {
        let object = try await sendSigned(.GET, "/api/v3/order", ["symbol": symbol, "origClientOrderId": clientOrderID])
        return try Self.decoding { try BinanceDecoding.order(object) }
    }

    public func cancel(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport {
        let object = try await sendSigned(.DELETE, "/api/v3/order", ["symbol": symbol, "origClientOrderId": clientOrderID], orderClientID: clientOrderID)
        return try Self.decoding { try BinanceDecoding.order(object) }
    }

    public func openOrders(symbol: String? = nil) async throws(ExchangeError) -> [OrderReport] {
        let object = try await sendSigned(.GET, "/api/v3/openOrders", symbol.map { ["symbol": $0] } ?? QueryString())
        guard let list = object as? [Any] else { throw .invalidResponse("openOrders is not a list") }
        return try Self.decoding { try list.map(BinanceDecoding.order) }
    }

    /// Cancels every open order on a symbol (`DELETE /api/v3/openOrders`).
    public func cancelOpenOrders(symbol: String) async throws(ExchangeError) -> [OrderReport] {
        let object = try await sendSigned(.DELETE, "/api/v3/openOrders", ["symbol": symbol], orderClientID: "all-open-\(symbol)")
        guard let list = object as? [Any] else { throw .invalidResponse("cancelled orders are not a list") }
        return try Self.decoding { try list.map(BinanceDecoding.order) }
    }

    public func allOrders(symbol: String) async throws(ExchangeError) -> [OrderReport] {
        let object = try await sendSigned(.GET, "/api/v3/allOrders", ["symbol": symbol])
        guard let list = object as? [Any] else { throw .invalidResponse("allOrders is not a list") }
        return try Self.decoding { try list.map(BinanceDecoding.order) }
    }

    /// The account's trades on a symbol, oldest first; `orderID` narrows them to one order.
    public func myTrades(symbol: String, orderID: Int64? = nil) async throws(ExchangeError) -> [TradeReport] {
        var query: QueryString = ["symbol": symbol]
        if let orderID { query.append("orderId", String(orderID)) }
        let object = try await sendSigned(.GET, "/api/v3/myTrades", query)
        guard let list = object as? [[String: Any]] else { throw .invalidResponse("myTrades is not a list") }
        return try Self.decoding { try list.map(BinanceDecoding.trade) }
    }

    // MARK: - Streams

    /// A listenKey for the user data stream (`POST /api/v3/userDataStream`, API key only).
    public func createListenKey() async throws(ExchangeError) -> String {
        guard let credentials else { throw .rejected(code: -2014, message: "no API key configured") }
        let object = try await send(.POST, "/api/v3/userDataStream", rawQuery: "", apiKey: credentials.apiKey, orderClientID: nil)
        guard let key = (object as? [String: Any])?["listenKey"] as? String else { throw .invalidResponse("no listenKey") }
        return key
    }

    /// Keeps a listenKey alive for another 60 minutes; send it about every 30.
    public func keepAlive(listenKey: String) async throws(ExchangeError) {
        guard let credentials else { throw .rejected(code: -2014, message: "no API key configured") }
        _ = try await send(.PUT, "/api/v3/userDataStream", rawQuery: "listenKey=" + QueryString.escape(listenKey), apiKey: credentials.apiKey, orderClientID: nil)
    }

    /// Where the streams of this exchange are: Binance's stream hosts for the testnet and live,
    /// the same host and port for our simulator.
    public var streamBaseURL: String {
        if baseURL.contains("testnet.binance.vision") { return "wss://stream.testnet.binance.vision" }
        if baseURL.contains("api.binance.com") { return "wss://stream.binance.com:9443" }
        return baseURL.replacingOccurrences(of: "https://", with: "wss://").replacingOccurrences(of: "http://", with: "ws://")
    }

    public var webSocketAPIURL: String {
        if baseURL.contains("testnet.binance.vision") { return "wss://ws-api.testnet.binance.vision/ws-api/v3" }
        if baseURL.contains("api.binance.com") { return "wss://ws-api.binance.com:443/ws-api/v3" }
        return streamBaseURL + "/ws-api/v3"
    }

    /// The WebSocket API request that subscribes to this account's user data, signed now.
    public func userDataSubscription(id: Int = 1) -> String? {
        guard let credentials else { return nil }
        let timestamp = localClock() + serverTimeOffsetMs
        let payload = "apiKey=\(credentials.apiKey)&timestamp=\(timestamp)"
        let signature = BinanceSigner(secret: credentials.secret).signature(query: payload)
        return #"{"id":\#(id),"method":"userDataStream.subscribe.signature","params":{"apiKey":"\#(credentials.apiKey)","timestamp":\#(timestamp),"signature":"\#(signature)"}}"#
    }

    // MARK: - Transport

    /// Runs a decoder; whatever it throws becomes an ``ExchangeError``.
    static func decoding<T>(_ body: () throws -> T) throws(ExchangeError) -> T {
        do {
            return try body()
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw .invalidResponse("\(error)")
        }
    }

    @Sendable public static func localMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }

    /// A signed call: adds `recvWindow`, `timestamp` (with the server offset) and `signature`.
    /// A -1021 (clock outside the window) resynchronises the clock and tries once more.
    func sendSigned(_ method: HTTPMethod, _ path: String, _ parameters: QueryString, orderClientID: String? = nil) async throws(ExchangeError) -> Any {
        guard let credentials else { throw .rejected(code: -2014, message: "no API key configured") }
        for attempt in 0..<2 {
            var query = parameters
            query.append("recvWindow", String(recvWindow))
            query.append("timestamp", String(localClock() + serverTimeOffsetMs))
            let encoded = query.encoded
            let signature = BinanceSigner(secret: credentials.secret).signature(query: encoded)
            do {
                return try await send(method, path, rawQuery: encoded + "&signature=" + signature, apiKey: credentials.apiKey, orderClientID: orderClientID)
            } catch .rejected(let code, _) where code == -1021 && attempt == 0 {
                try await synchronizeTime()
            }
        }
        throw .invalidResponse("unreachable")
    }

    func send(_ method: HTTPMethod, _ path: String, _ parameters: QueryString = QueryString()) async throws(ExchangeError) -> Any {
        try await send(method, path, rawQuery: parameters.encoded, apiKey: nil, orderClientID: nil)
    }

    /// Binance's request weight of a call (BINANCE.md §3), for the budget.
    static func weight(_ method: HTTPMethod, _ path: String, _ rawQuery: String) -> Int {
        let hasSymbol = rawQuery.contains("symbol=")
        switch (method, path) {
        case (.GET, "/api/v3/myTrades"): return rawQuery.contains("orderId=") ? 5 : 20
        case (.GET, "/api/v3/exchangeInfo"), (.GET, "/api/v3/account"), (.GET, "/api/v3/allOrders"), (.GET, "/api/v3/allOrderList"): return 20
        case (.GET, "/api/v3/ticker/price"), (.GET, "/api/v3/ticker/bookTicker"): return hasSymbol ? 2 : 4
        case (.GET, "/api/v3/ticker/24hr"): return hasSymbol ? 2 : 80
        case (.GET, "/api/v3/openOrders"): return hasSymbol ? 6 : 80
        case (.GET, "/api/v3/order"), (.GET, "/api/v3/orderList"): return 4
        case (.GET, "/api/v3/openOrderList"): return 6
        case (.GET, "/api/v3/klines"), (_, "/api/v3/userDataStream"): return 2
        // POST order, orderList/oco, order/cancelReplace; DELETE order, orderList.
        default: return 1
        }
    }

    /// A read that fails on the connection (a pooled connection the server closed) is tried
    /// once more on a new one; a write is never repeated here.
    func send(_ method: HTTPMethod, _ path: String, rawQuery: String, apiKey: String?, orderClientID: String?) async throws(ExchangeError) -> Any {
        let (blockedUntil, banned) = clock.withLock { ($0.blockedUntil, $0.banned) }
        let now = localClock()
        if now < blockedUntil {
            let seconds = Int((blockedUntil - now + 999) / 1_000)
            throw banned ? .banned(retryAfter: seconds) : .rateLimited(retryAfter: seconds)
        }
        if let permit, OrderPermit.changesOrders(method: method.rawValue, path: path) { try permit.check() }
        if let budget { try await budget.reserve(Self.weight(method, path, rawQuery), maxWait: budgetWait) }
        do {
            return try await sendOnce(method, path, rawQuery: rawQuery, apiKey: apiKey, orderClientID: orderClientID)
        } catch .temporary(let reason) where method == .GET && !reason.hasPrefix("HTTP ") {
            return try await sendOnce(method, path, rawQuery: rawQuery, apiKey: apiKey, orderClientID: orderClientID)
        }
    }

    private func sendOnce(_ method: HTTPMethod, _ path: String, rawQuery: String, apiKey: String?, orderClientID: String?) async throws(ExchangeError) -> Any {
        var request = HTTPClientRequest(url: baseURL + path + (rawQuery.isEmpty ? "" : "?" + rawQuery))
        request.method = method
        if let apiKey { request.headers.add(name: "X-MBX-APIKEY", value: apiKey) }
        let changesState = method != .GET && orderClientID != nil
        let status: Int
        let body: String
        let retryAfter: Int?
        do {
            let response = try await http.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 8 << 20)
            status = Int(response.status.code)
            body = String(buffer: buffer)
            retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0) }
            if let used = response.headers.first(name: "X-MBX-USED-WEIGHT-1M").flatMap({ Int($0) }) {
                clock.withLock { $0.usedWeight = used }
                budget?.exchangeReported(used)
            }
        } catch {
            countError("network")
            if changesState, let orderClientID { throw .unknownOrderState(clientOrderID: orderClientID, reason: "\(error)") }
            throw .temporary("\(error)")
        }
        guard (200..<300).contains(status) else {
            let error = ExchangeError.from(status: status, body: body, retryAfter: retryAfter, isOrderPlacement: changesState, clientOrderID: orderClientID)
            if case .rejected(let code, _) = error { countError(String(code)) } else { countError("http_\(status)") }
            switch error {
            case .rateLimited(let seconds), .banned(let seconds):
                let until = localClock() + Int64(seconds) * 1_000
                clock.withLock { clock in
                    clock.blockedUntil = max(clock.blockedUntil, until)
                    if case .banned = error { clock.banned = true } else if clock.blockedUntil == until { clock.banned = false }
                }
            default:
                break
            }
            throw error
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) else {
            throw .invalidResponse("not JSON: \(body.prefix(120))")
        }
        return object
    }
}

/// A key's permissions as Binance reports them (`/sapi/v1/account/apiRestrictions`).
public struct APIRestrictions: Sendable, Equatable {
    public let enableWithdrawals: Bool
    public let ipRestrict: Bool
    public let enableSpotAndMarginTrading: Bool?

    public init(enableWithdrawals: Bool, ipRestrict: Bool, enableSpotAndMarginTrading: Bool?) {
        self.enableWithdrawals = enableWithdrawals
        self.ipRestrict = ipRestrict
        self.enableSpotAndMarginTrading = enableSpotAndMarginTrading
    }

    /// On mainnet: a key that may withdraw is refused (a leak of it would empty the account); one
    /// not bound to IP addresses is stored with a warning.
    public enum Verdict: Equatable, Sendable {
        case refuse(String)
        case store(warning: String?)
    }

    public var verdict: Verdict {
        if enableWithdrawals {
            return .refuse(
                "this key may withdraw funds (enableWithdrawals): create a key without the withdrawal permission; a bot never needs it")
        }
        return .store(
            warning: ipRestrict
                ? nil : "this key is not restricted to IP addresses: on Binance, restrict it to this server's address so that a copy of it is useless elsewhere")
    }
}
