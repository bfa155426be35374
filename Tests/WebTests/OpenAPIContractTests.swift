import Common
import Foundation
import Testing

@testable import Web

/// The OpenAPI document against the answer types: every answer, encoded as the web sends it,
/// has only the properties its schema lists, every property the schema requires, and values of
/// the kinds the schema says. A field renamed in a type or in the document alone fails here.
@Suite struct OpenAPIContractTests {
    // MARK: - The document's schemas

    // Read once and never changed (`Any` is not `Sendable`).
    nonisolated(unsafe) static let document: [String: Any] = {
        (try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8))) as? [String: Any] ?? [:]
    }()

    /// The JSON schema of an operation's answer, `$ref`s resolved.
    static func schema(_ path: String, _ method: String, _ status: String) throws -> [String: Any] {
        let paths = try #require(document["paths"] as? [String: Any])
        let operation = try #require((paths[path] as? [String: Any])?[method] as? [String: Any], "\(method) \(path) is not documented")
        let response = try #require((operation["responses"] as? [String: Any])?[status] as? [String: Any], "\(method) \(path) has no \(status)")
        let content = try #require((response["content"] as? [String: Any])?["application/json"] as? [String: Any])
        return resolve(try #require(content["schema"] as? [String: Any]))
    }

    static func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String else { return schema }
        let name = String(ref.split(separator: "/").last ?? "")
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        return resolve(schemas?[name] as? [String: Any] ?? [:])
    }

    // MARK: - JSON as the client reads it

    /// A JSON value, read strictly: `true` is not a number and `1` is not a boolean.
    enum Value: Decodable {
        case null, bool(Bool), integer(Int64), number(Double), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([Value].self) {
                self = .array(value)
            } else {
                self = .object(try container.decode([String: Value].self))
            }
        }

        /// The JSON schema types this value is an instance of.
        var kinds: Set<String> {
            switch self {
            case .null: ["null"]
            case .bool: ["boolean"]
            case .integer: ["integer", "number"]
            case .number: ["number"]
            case .string: ["string"]
            case .array: ["array"]
            case .object: ["object"]
            }
        }
    }

    static func encoded(_ value: some Encodable) throws -> Value {
        try JSONDecoder().decode(Value.self, from: WireJSON.data(value))
    }

    /// What in `value` the schema does not allow, each problem with its place.
    static func problems(_ value: Value, _ schema: [String: Any], at place: String) -> [String] {
        let schema = resolve(schema)
        var found: [String] = []
        if let type = schema["type"] {
            let allowed = Set((type as? [String]) ?? [type as? String].compactMap { $0 })
            if value.kinds.isDisjoint(with: allowed) { found.append("\(place): \(value.kinds.sorted()) where the document says \(allowed.sorted())") }
        }
        if let options = schema["enum"] as? [String] {
            if case .string(let text) = value, !options.contains(text) { found.append("\(place): \"\(text)\" is not one of \(options)") }
            if case .string = value {} else { found.append("\(place): not one of the strings \(options)") }
        }
        if let constant = schema["const"] as? String {
            if case .string(let text) = value, text == constant {} else { found.append("\(place): not \"\(constant)\"") }
        }
        switch value {
        case .object(let fields):
            if let properties = schema["properties"] as? [String: Any] {
                for (key, field) in fields {
                    guard let property = properties[key] as? [String: Any] else {
                        found.append("\(place).\(key) is sent but not in the document")
                        continue
                    }
                    found += problems(field, property, at: "\(place).\(key)")
                }
                for key in schema["required"] as? [String] ?? [] where fields[key] == nil {
                    found.append("\(place).\(key) is required by the document but not sent")
                }
            } else if let additional = schema["additionalProperties"] as? [String: Any] {
                for (key, field) in fields { found += problems(field, additional, at: "\(place).\(key)") }
            }
        case .array(let items):
            if let itemSchema = schema["items"] as? [String: Any] {
                for (index, item) in items.enumerated() { found += problems(item, itemSchema, at: "\(place)[\(index)]") }
            }
        default: break
        }
        return found
    }

    /// Checks one answer against its operation's schema.
    static func check(_ value: some Encodable, _ path: String, _ method: String = "get", _ status: String = "200") throws {
        let answer = try encoded(value)
        for problem in problems(answer, try schema(path, method, status), at: "\(method) \(path)") { Issue.record("\(problem)") }
    }

    // MARK: - Representative answers

    static let time = Date(timeIntervalSince1970: 1_796_000_000)

    static let fill = BotFill(
        symbol: "BTCUSDT", tradeID: 7, orderID: 70, clientOrderID: "u1-BTCUSDT-abc-E", side: "BUY", price: 42_000.5, qty: 0.001, quoteQty: 42.0005,
        commission: 0.000001, commissionAsset: "BTC", time: time
    )
    static let order = OrderRecord(
        clientOrderID: "u1-BTCUSDT-abc-E", orderID: 70, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: .new, price: 42_000, origQty: 0.001,
        executedQty: 0, createdAt: time, updatedAt: time, reason: "entry", orderListID: 3, stopPrice: 41_000
    )
    static let pendingOrder = OrderRecord(
        clientOrderID: "u1-BTCUSDT-abd-E", orderID: nil, symbol: "BTCUSDT", side: "SELL", type: "MARKET", status: .intent, price: nil, origQty: 0.001,
        executedQty: 0, createdAt: time, updatedAt: time, reason: nil
    )
    static let position = PositionRecord(
        symbol: "BTCUSDT", qty: 0.001, avgEntryPrice: 42_000, currentPrice: 42_100, unrealizedPnLUSDT: 0.1, realizedPnLUSDT: -1.5, stopLoss: 41_000,
        takeProfit: 44_000
    )
    static let unpricedPosition = PositionRecord(
        symbol: "ETHUSDT", qty: 0.5, avgEntryPrice: nil, currentPrice: nil, unrealizedPnLUSDT: nil, realizedPnLUSDT: 0, stopLoss: nil, takeProfit: nil
    )
    static let signal = SignalRecord(
        symbol: "BTCUSDT", time: time, action: "buy", confidence: 0.7, expectedReturn: 0.01, modelAccuracy: 0.55, modelPrecision: 0.6, trainedAt: time,
        strategy: "ml", importances: ["rsi_14": 0.2, "return_1": 0.1]
    )
    static let smaSignal = SignalRecord(
        symbol: "BTCUSDT", time: time, action: "hold", confidence: nil, expectedReturn: .nan, modelAccuracy: nil, modelPrecision: nil, trainedAt: nil,
        strategy: "sma_cross", importances: [:]
    )

    @Test func theListsAnswerAsDocumented() throws {
        let page = ListPage.Response(items: [FillResponse(Self.fill)], nextBefore: Self.time)
        try Self.check(page, "/api/v1/fills")
        try Self.check(ListPage.Response(items: [FillResponse](), nextBefore: nil), "/api/v1/fills")
        try Self.check(ListPage.Response(items: [OrderResponse(Self.order), OrderResponse(Self.pendingOrder)], nextBefore: nil), "/api/v1/orders")
        try Self.check(
            ListPage.Response(items: [PositionResponse(Self.position), PositionResponse(Self.unpricedPosition)], nextBefore: nil), "/api/v1/positions")
        try Self.check(ListPage.Response(items: [SignalResponse(Self.signal), SignalResponse(Self.smaSignal)], nextBefore: nil), "/api/v1/signals")
        try Self.check(ListPage.Response(items: [EquityPointResponse(time: Self.time, totalUSDT: 10_123.45)], nextBefore: Self.time), "/api/v1/equity")
    }

    @Test func theAccountAnswersAsDocumented() throws {
        try Self.check(SignupResponse(userId: 1), "/api/v1/signup", "post", "201")
        try Self.check(LoginResponse(userId: 1, csrfToken: "t"), "/api/v1/login", "post")
        try Self.check(MeResponse(userId: 1, username: "trader", csrfToken: "t", isAdmin: false), "/api/v1/me")
        try Self.check(PasswordChangeResponse(csrfToken: "t"), "/api/v1/password", "post")
        let token = StoredAPIToken(
            id: 3, userID: UserID(1), name: "report", scopes: [.read, .trade], createdAt: Self.time, expiresAt: Self.time, lastUsedAt: nil, revokedAt: Self.time)
        try Self.check(APITokenListResponse(items: [APITokenResponse(token, now: Self.time)]), "/api/v1/tokens")
        var created = APITokenResponse(token, now: Self.time)
        created.token = "ctp_x"
        try Self.check(created, "/api/v1/tokens", "post", "201")
        try Self.check(PoliciesResponse(PlatformPolicies(maxOrderUsdt: 100, allowedSymbols: ["BTCUSDT"], paperOnlyUntilApproved: true)), "/api/v1/admin/policies")
        try Self.check(PoliciesResponse(PlatformPolicies()), "/api/v1/admin/policies", "put")
        let record = AuditRecord(at: Self.time, userID: nil, actor: "ann", address: nil, action: "login.success", detail: "password")
        try Self.check(AuditListResponse(items: [AuditEntryResponse(AuditChain.append(record, after: nil))]), "/api/v1/activity")
        for key in [
            ExchangeKeyInfo(maskedKey: "abcd…wxyz", canTrade: true, verifiedAt: Self.time), ExchangeKeyInfo(maskedKey: "k", canTrade: false, verifiedAt: nil),
            ExchangeKeyInfo(maskedKey: "k", canTrade: true, verifiedAt: Self.time, warning: "this key is not restricted to IP addresses"),
        ] {
            try Self.check(key, "/api/v1/exchange-key")
            try Self.check(key, "/api/v1/exchange-key", "put")
            try Self.check(key, "/api/v1/sim-account", "post")
        }
        try Self.check(ErrorBody(code: "not_found", message: "No such resource."), "/api/v1/me", "get", "401")
    }

    @Test func theBotsAnswerAsDocumented() throws {
        let at = Self.time
        let grid = BotRecord(
            id: 2, definition: BotDefinition(
                name: "grid", mode: .paper, allocationUsdt: 1_000,
                plan: .grid(GridParameters(symbol: "BTCUSDT", lowerPrice: 40_000, upperPrice: 50_000, levels: 11, spacing: .arithmetic, investment: 1_000)),
                paperBalances: ["USDT": 1_000]),
            createdAt: at, updatedAt: at)
        let first = BotRecord(id: 1, definition: .first(from: .defaults), createdAt: at, updatedAt: at)
        let (key, english) = BotsView.notRunning(grid.definition, isFirst: false)
        let notRunning = BotsView.Bot(record: grid, isFirst: false, state: "not_running", stateReason: english, reasonKey: key, running: nil)
        let worker = BotView(state: "no_key", stateReason: "no API key is stored", worker: nil, alive: false, positions: [], todayPnL: nil)
        let running = BotsView.Bot(record: first, isFirst: true, state: "no_key", stateReason: "no API key is stored", reasonKey: nil, running: worker)
        var status = BotRunStatus(botID: 2, state: "running", reason: nil, mode: "paper", symbol: "BTCUSDT", updatedAt: 1_800_000_000_000)
        status.price = 45_000
        status.gridProfit = 3
        status.unrealisedPnL = -1
        status.openOrders = [.init(side: "BUY", price: 44_000, quantity: 1, level: 4, role: nil), .init(side: "SELL", price: 46_000, quantity: 1, level: nil, role: "take-profit")]
        status.fills = [.init(time: 1_800_000_000_000, side: "BUY", price: 45_000, quantity: 1, feeQuote: 1, level: 5, role: nil)]
        status.deals = [.init(number: 1, phase: "closed", entry: 1, average: 1, safetyFilled: 1, safetyOrders: 3, takeProfit: 2, held: 0, pnl: 1, closeReason: "take-profit"),
                        .init(number: 2, phase: "open", entry: nil, average: nil, safetyFilled: 0, safetyOrders: 3, takeProfit: nil, held: 0, pnl: nil, closeReason: nil)]
        status.balances = ["USDT": 900, "BTC": 1]
        var hostedRecord = grid
        hostedRecord.wanted = true
        let hosted = BotsView.Bot(record: hostedRecord, isFirst: false, state: "running", stateReason: nil, reasonKey: nil, running: nil, hosted: status)
        let items = [BotItemResponse(running), BotItemResponse(notRunning), BotItemResponse(hosted)]
        try Self.check(BotListResponse(items: items, maxPerUser: 20), "/api/v1/bots")
        try Self.check(items[1], "/api/v1/bots", "post", "201")
        for method in ["get", "put"] { try Self.check(items[0], "/api/v1/bots/{bot_id}", method) }
        let accepted = CommandAccepted(commandID: 5, delivered: true)
        for path in ["/api/v1/bots/{bot_id}/start", "/api/v1/bots/{bot_id}/stop", "/api/v1/bots/{bot_id}/emergency-stop"] {
            try Self.check(accepted, path, "post", "202")
        }
    }

    @Test func theBotAndItsCommandsAnswerAsDocumented() throws {
        let worker = BotResponse.Worker(alive: true, pid: 4242, lastHeartbeat: Self.time, restarts: 1)
        let running = BotResponse(
            state: "running", stateReason: nil, worker: worker, openPositions: 1, openPositionsReason: nil, todayPnlUsdt: "-1.5", todayPnlUsdtReason: nil,
            staleSince: nil, positions: [PositionResponse(Self.position)]
        )
        try Self.check(running, "/api/v1/bot")
        let silent = BotResponse(
            state: "error", stateReason: "the bot's process keeps crashing", worker: .init(alive: false, pid: nil, lastHeartbeat: nil, restarts: 9),
            openPositions: nil, openPositionsReason: "not_reported_yet", todayPnlUsdt: nil, todayPnlUsdtReason: "not_reported_yet", staleSince: Self.time,
            positions: []
        )
        try Self.check(silent, "/api/v1/bot")
        let accepted = CommandAccepted(commandID: 5, delivered: true)
        for path in ["/api/v1/bot/start", "/api/v1/bot/stop", "/api/v1/bot/emergency-stop"] { try Self.check(accepted, path, "post", "202") }
        try Self.check(accepted, "/api/v1/orders/{order_id}", "delete", "202")
        let placed = OrderPlacedResponse(commandId: 6, delivered: false, clientOrderId: "u1-BTCUSDT-docExample1-M", requestId: "docExample1")
        try Self.check(placed, "/api/v1/orders", "post", "202")
    }

    @Test func theSettingsAnswerAsDocumented() throws {
        try Self.check(SettingsResponse(settings: .defaults, isDefault: true), "/api/v1/settings")
        var settings = BotSettings.defaults
        settings.strategy = .init(name: "sma_cross", params: ["fast": 5, "slow": 20])
        try Self.check(SettingsResponse(settings: settings, isDefault: false), "/api/v1/settings", "put")
    }

    @Test func theSettingsAnswerIsTheSettingsWithIsDefault() throws {
        guard case .object(let answer) = try Self.encoded(SettingsResponse(settings: .defaults, isDefault: true)),
            case .object(let stored) = try JSONDecoder().decode(Value.self, from: BotSettings.defaults.encoded())
        else {
            Issue.record("not objects")
            return
        }
        #expect(Set(answer.keys) == Set(stored.keys).union(["is_default"]))
        if case .bool(true) = answer["is_default"] {} else { Issue.record("is_default is not true") }
    }

    @Test func thePortfolioAnswersAsDocumented() throws {
        let lines = [
            PortfolioValuation.Line(asset: "ACME", free: 12.5, locked: 0, priceUSDT: 0.5, route: "ACMEBTC×BTCUSDT"),
            PortfolioValuation.Line(asset: "USDT", free: 100, locked: 5, priceUSDT: 1, route: nil),
            PortfolioValuation.Line(asset: "ZZZ", free: 1, locked: 0, priceUSDT: nil, route: nil),
        ]
        var priced = PortfolioResponse()
        priced.totalUsdt = "111.25"
        priced.unpricedAssets = ["ZZZ"]
        priced.balances = lines.map(PortfolioResponse.Balance.init)
        priced.updatedAt = Self.time
        priced.balancesAt = Self.time
        priced.staleSince = Self.time
        priced.exchangeUnreachableSince = Self.time
        priced.exchangeReason = Nullable(wrappedValue: nil)
        try Self.check(priced, "/api/v1/portfolio")
        var none = PortfolioResponse()
        none.totalUsdtReason = "no_key"
        try Self.check(none, "/api/v1/portfolio")
    }

    @Test func theReportAndTheBacktestAnswerAsDocumented() throws {
        let sell = BotFill(
            symbol: "BTCUSDT", tradeID: 8, orderID: 71, clientOrderID: "u1-BTCUSDT-abd-X", side: "SELL", price: 43_000, qty: 0.001, quoteQty: 43,
            commission: 0.043, commissionAsset: "USDT", time: Self.time.addingTimeInterval(60)
        )
        let rows = PnLReport.rows([Self.fill, sell], period: .day, timeZone: .gmt)
        #expect(!rows.isEmpty)
        try Self.check(ReportResponse(period: "day", items: rows.map(ReportResponse.Row.init)), "/api/v1/reports")

        // Candles that rise, fall and rise again: a cross each way, so there are trades.
        let closes: [Double] = (0..<60).map { 100 + 10 * sin(Double($0) / 6) }
        let candles = closes.enumerated().map { index, close in
            StrategyCandle(
                openTime: Int64(index) * 3_600_000, open: close, high: close + 1, low: close - 1, close: close, volume: 1,
                closeTime: Int64(index + 1) * 3_600_000 - 1
            )
        }
        let backtest = Backtest(fee: 0.001, cash: 10_000)
        let result = backtest.run(candles, strategy: SMACross(fast: 2, slow: 5))
        #expect(!result.trades.isEmpty)
        try Self.check(BacktestResponse(result, symbol: "BTCUSDT", buyAndHold: backtest.buyAndHold(candles)), "/api/v1/backtests", "post")

        // A grid and a DCA bot on the same candles: their own parts of the answer.
        let filters = SymbolFilters(
            symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: 0.01, maxPrice: 1_000_000, tickSize: Decimal(string: "0.01")!,
            minQty: Decimal(string: "0.00001")!, maxQty: 9_000, stepSize: Decimal(string: "0.00001")!, minNotional: 5
        )
        let gridParameters = GridParameters(symbol: "BTCUSDT", lowerPrice: 92, upperPrice: 108, levels: 9, spacing: .arithmetic, investment: 1_000)
        let plan = try GridPlan.make(gridParameters, filters: filters, price: 100, makerFee: Decimal(string: "0.001")!, freeQuote: 1_000, allocation: nil).get()
        let grid = GridBacktest().run(plan: plan, candles: candles)
        #expect(!grid.fills.isEmpty)
        let gridOutcome = BacktestController.Outcome(
            result: grid.summary, buyAndHold: [], grid: grid)
        try Self.check(BacktestResponse(gridOutcome, symbol: "BTCUSDT", strategy: "grid"), "/api/v1/backtests", "post")
        let dcaPlan = DCAPlan(DCAParameters(symbol: "BTCUSDT", baseOrder: 100, safetyOrders: 2, deviationPct: 2, stepScale: 1, volumeScale: 1, takeProfitPct: 2))
        let dca = DCABacktest().run(plan: dcaPlan, filters: filters, candles: candles)
        #expect(dca.deals.contains { $0.closed != nil } && dca.deals.contains { $0.closed == nil })
        let dcaOutcome = BacktestController.Outcome(
            result: dca.summary, buyAndHold: [], dca: dca)
        try Self.check(BacktestResponse(dcaOutcome, symbol: "BTCUSDT", strategy: "dca"), "/api/v1/backtests", "post")
    }

    // MARK: - The check itself

    /// The check fails on a field renamed on one side: a key the document does not list, a
    /// required key not sent, a value of another kind.
    @Test func aRenamedFieldIsCaught() throws {
        struct RenamedFill: Encodable {
            let tradeId: Int64, orderId: Int64, clientOrderId: String, symbol: String, side: String, price: String, qty: String, quoteQty: String
            let commission: String, commissionAssetName: String, time: Date
        }
        let renamed = RenamedFill(
            tradeId: 1, orderId: 2, clientOrderId: "c", symbol: "BTCUSDT", side: "BUY", price: "1", qty: "1", quoteQty: "1", commission: "0",
            commissionAssetName: "BNB", time: Self.time
        )
        let fillSchema = Self.resolve(["$ref": "#/components/schemas/Fill"])
        let found = Self.problems(try Self.encoded(renamed), fillSchema, at: "fill")
        #expect(found.contains("fill.commission_asset_name is sent but not in the document"))
        #expect(found.contains("fill.commission_asset is required by the document but not sent"))
        #expect(Self.problems(try Self.encoded(FillResponse(Self.fill)), fillSchema, at: "fill").isEmpty)

        var wrongKind = fillSchema
        var properties = try #require(wrongKind["properties"] as? [String: Any])
        properties["trade_id"] = ["type": "string"]
        wrongKind["properties"] = properties
        #expect(
            Self.problems(try Self.encoded(FillResponse(Self.fill)), wrongKind, at: "fill") == [
                #"fill.trade_id: ["integer", "number"] where the document says ["string"]"#
            ])
    }
}
