import Foundation

/// An order of the bot as reported to the supervisor and shown on the dashboard (CONTRACT §6).
public struct OrderRecord: Sendable, Equatable {
    public var clientOrderID: String
    /// nil until the exchange has taken it.
    public var orderID: Int64?
    public var symbol: String
    public var side: String
    public var type: String
    /// Binance's status, or `INTENT` (stored, not yet answered), `UNKNOWN` (no answer: being
    /// looked up), `NOT_PLACED` (the exchange never received it).
    public var status: OrderStatus
    public var price: Decimal?
    public var origQty: Decimal
    public var executedQty: Decimal
    public var createdAt: Date
    public var updatedAt: Date
    /// Why it was placed, refused or cancelled.
    public var reason: String?
    /// The exchange's order list (an OCO's two legs share it); nil outside lists.
    public var orderListID: Int64?
    /// A conditional order's trigger price.
    public var stopPrice: Decimal?
    /// The bot it belongs to: decided by the supervisor as it stores what the worker reported
    /// (a worker's claim counts only for the user's own live grid or DCA bot, ``RowOwner``), read
    /// back from central.sqlite; nil for rows from before bots.
    public var botID: Int64?

    public init(
        clientOrderID: String, orderID: Int64?, symbol: String, side: String, type: String, status: OrderStatus, price: Decimal?, origQty: Decimal,
        executedQty: Decimal, createdAt: Date, updatedAt: Date, reason: String?, orderListID: Int64? = nil, stopPrice: Decimal? = nil, botID: Int64? = nil
    ) {
        self.botID = botID
        self.orderListID = orderListID
        self.stopPrice = stopPrice
        self.clientOrderID = clientOrderID
        self.orderID = orderID
        self.symbol = symbol
        self.side = side
        self.type = type
        self.status = status
        self.price = price
        self.origQty = origQty
        self.executedQty = executedQty
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.reason = reason
    }

    public static let openStatuses: Set<OrderStatus> = Set(OrderStatus.allCases.filter(\.isOpen))
    public var isOpen: Bool { status.isOpen }

    /// The row in the worker's line protocol (``WorkerReport``) and in central.sqlite's stored
    /// JSON; the web answers with its own types (`Sources/Web/API`), checked against the OpenAPI
    /// document.
    public var json: [String: Any] {
        var fields: [String: Any] = [
            "client_order_id": clientOrderID, "order_id": orderID ?? NSNull(), "symbol": symbol, "side": side, "type": type, "status": status.rawValue,
            "order_list_id": orderListID ?? NSNull(), "stop_price": stopPrice.map { DecimalText.format($0) } ?? NSNull(),
            "price": price.map { DecimalText.format($0) } ?? NSNull(), "orig_qty": DecimalText.format(origQty),
            "executed_qty": DecimalText.format(executedQty), "created_at": Timestamp.string(createdAt), "updated_at": Timestamp.string(updatedAt),
            "reason": reason ?? NSNull(),
        ]
        // The bot a worker claims the row for: the supervisor keeps it only for that user's own
        // grid or DCA bot (``RowOwner``).
        if let botID { fields["bot_id"] = botID }
        return fields
    }

    public init(json f: [String: Any]) throws(ProtocolError) {
        clientOrderID = try Fields.text(f, "client_order_id", limit: 36)
        orderID = (f["order_id"] as? NSNumber)?.int64Value
        symbol = try Fields.symbol(f, "symbol")
        side = try Fields.oneOf(f, "side", ["BUY", "SELL"])
        type = try Fields.text(f, "type", limit: 32)
        guard let status = (f["status"] as? String).flatMap(OrderStatus.init(rawValue:)) else {
            throw ProtocolError(reason: "status must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.status = status
        orderListID = (f["order_list_id"] as? NSNumber)?.int64Value
        stopPrice = try Fields.optionalAmount(f, "stop_price")
        price = try Fields.optionalAmount(f, "price")
        origQty = try Fields.amount(f, "orig_qty")
        executedQty = try Fields.amount(f, "executed_qty")
        createdAt = try Fields.time(f, "created_at")
        updatedAt = try Fields.time(f, "updated_at")
        reason = f["reason"] is String ? try Fields.text(f, "reason", limit: 500) : nil
        botID = (f["bot_id"] as? NSNumber)?.int64Value
    }
}

extension BotFill {
    /// The row in the worker's line protocol (``WorkerReport``) and in central.sqlite's stored
    /// JSON; the web answers with its own types (`Sources/Web/API`), checked against the OpenAPI
    /// document.
    public var json: [String: Any] {
        var fields: [String: Any] = [
            "trade_id": tradeID, "order_id": orderID, "client_order_id": clientOrderID, "symbol": symbol, "side": side,
            "price": DecimalText.format(price), "qty": DecimalText.format(qty), "quote_qty": DecimalText.format(quoteQty),
            "commission": DecimalText.format(commission), "commission_asset": commissionAsset, "time": Timestamp.string(time),
        ]
        if let botID { fields["bot_id"] = botID }
        return fields
    }

    public init(json f: [String: Any]) throws(ProtocolError) {
        guard let trade = (f["trade_id"] as? NSNumber)?.int64Value, let order = (f["order_id"] as? NSNumber)?.int64Value else {
            throw ProtocolError(reason: "a fill needs trade_id and order_id")
        }
        self.init(
            symbol: try Fields.symbol(f, "symbol"), tradeID: trade, orderID: order, clientOrderID: try Fields.text(f, "client_order_id", limit: 36),
            side: try Fields.oneOf(f, "side", ["BUY", "SELL"]), price: try Fields.amount(f, "price"), qty: try Fields.amount(f, "qty"),
            quoteQty: try Fields.amount(f, "quote_qty"), commission: try Fields.amount(f, "commission"),
            commissionAsset: try Fields.text(f, "commission_asset", limit: 20), time: try Fields.time(f, "time"),
            botID: (f["bot_id"] as? NSNumber)?.int64Value
        )
    }
}

/// A position as reported and shown (CONTRACT §6).
public struct PositionRecord: Sendable, Equatable {
    public var symbol: String
    public var qty: Decimal
    public var avgEntryPrice: Decimal?
    public var currentPrice: Decimal?
    public var unrealizedPnLUSDT: Decimal?
    public var realizedPnLUSDT: Decimal
    public var stopLoss: Decimal?
    public var takeProfit: Decimal?
    /// The bot it belongs to (as ``OrderRecord/botID``).
    public var botID: Int64?
    /// What is left below the lot size or the minimum order value: held, but not a position.
    public var dust = false

    /// Held and large enough to trade.
    public var isOpen: Bool { qty > 0 && !dust }

    public init(
        symbol: String, qty: Decimal, avgEntryPrice: Decimal?, currentPrice: Decimal?, unrealizedPnLUSDT: Decimal?, realizedPnLUSDT: Decimal,
        stopLoss: Decimal?, takeProfit: Decimal?, dust: Bool = false
    ) {
        self.dust = dust
        self.symbol = symbol
        self.qty = qty
        self.avgEntryPrice = avgEntryPrice
        self.currentPrice = currentPrice
        self.unrealizedPnLUSDT = unrealizedPnLUSDT
        self.realizedPnLUSDT = realizedPnLUSDT
        self.stopLoss = stopLoss
        self.takeProfit = takeProfit
    }

    /// The row in the worker's line protocol (``WorkerReport``) and in central.sqlite's stored
    /// JSON; the web answers with its own types (`Sources/Web/API`), checked against the OpenAPI
    /// document.
    public var json: [String: Any] {
        func d(_ value: Decimal?) -> Any { value.map { DecimalText.format($0) } ?? NSNull() }
        return [
            "symbol": symbol, "qty": DecimalText.format(qty), "avg_entry_price": d(avgEntryPrice), "current_price": d(currentPrice),
            "unrealized_pnl_usdt": d(unrealizedPnLUSDT), "realized_pnl_usdt": DecimalText.format(realizedPnLUSDT), "stop_loss": d(stopLoss),
            "take_profit": d(takeProfit), "dust": dust,
        ]
    }

    public init(json f: [String: Any]) throws(ProtocolError) {
        symbol = try Fields.symbol(f, "symbol")
        qty = try Fields.amount(f, "qty")
        avgEntryPrice = try Fields.optionalAmount(f, "avg_entry_price")
        currentPrice = try Fields.optionalAmount(f, "current_price")
        unrealizedPnLUSDT = try Fields.optionalAmount(f, "unrealized_pnl_usdt", signed: true)
        realizedPnLUSDT = try Fields.amount(f, "realized_pnl_usdt", signed: true)
        stopLoss = try Fields.optionalAmount(f, "stop_loss")
        takeProfit = try Fields.optionalAmount(f, "take_profit")
        dust = f["dust"] as? Bool ?? false
    }
}

/// Field readers for reports: every value checked, every failure named.
enum Fields {
    static func text(_ f: [String: Any], _ key: String, limit: Int) throws(ProtocolError) -> String {
        guard let value = f[key] as? String, !value.isEmpty, value.count <= limit else {
            throw ProtocolError(reason: "\(key) must be a string of 1 to \(limit) characters")
        }
        return value
    }

    static func symbol(_ f: [String: Any], _ key: String) throws(ProtocolError) -> String {
        let value = try text(f, key, limit: 20)
        guard value.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else { throw ProtocolError(reason: "\(key) is not a symbol") }
        return value
    }

    static func oneOf(_ f: [String: Any], _ key: String, _ values: Set<String>) throws(ProtocolError) -> String {
        let value = try text(f, key, limit: 32)
        guard values.contains(value) else { throw ProtocolError(reason: "\(key) must be one of \(values.sorted().joined(separator: ", "))") }
        return value
    }

    static func amount(_ f: [String: Any], _ key: String, signed: Bool = false) throws(ProtocolError) -> Decimal {
        guard let value = (f[key] as? String).flatMap(DecimalText.parse), signed || value >= 0 else {
            throw ProtocolError(reason: "\(key) must be a decimal string")
        }
        return value
    }

    static func optionalAmount(_ f: [String: Any], _ key: String, signed: Bool = false) throws(ProtocolError) -> Decimal? {
        guard let raw = f[key], !(raw is NSNull) else { return nil }
        return try amount(f, key, signed: signed)
    }

    static func time(_ f: [String: Any], _ key: String) throws(ProtocolError) -> Date {
        guard let value = (f[key] as? String).flatMap({ Timestamp.date($0) }) else { throw ProtocolError(reason: "\(key) must be an ISO-8601 time") }
        return value
    }
}

/// A signal of the bot's strategy (CONTRACT §6), with the model's record when it has one.
public struct SignalRecord: Sendable, Equatable {
    public var symbol: String
    public var time: Date
    public var action: String
    public var confidence: Double?
    public var expectedReturn: Double?
    public var modelAccuracy: Double?
    public var modelPrecision: Double?
    public var trainedAt: Date?
    public var strategy: String
    /// The bot it belongs to (as ``OrderRecord/botID``).
    public var botID: Int64?
    /// Feature name → share of the forest's impurity decrease.
    public var importances: [String: Double]

    public init(
        symbol: String, time: Date, action: String, confidence: Double?, expectedReturn: Double?, modelAccuracy: Double?, modelPrecision: Double?,
        trainedAt: Date?, strategy: String, importances: [String: Double]
    ) {
        self.symbol = symbol
        self.time = time
        self.action = action
        self.confidence = confidence
        self.expectedReturn = expectedReturn
        self.modelAccuracy = modelAccuracy
        self.modelPrecision = modelPrecision
        self.trainedAt = trainedAt
        self.strategy = strategy
        self.importances = importances
    }

    /// The row in the worker's line protocol (``WorkerReport``) and in central.sqlite's stored
    /// JSON; the web answers with its own types (`Sources/Web/API`), checked against the OpenAPI
    /// document.
    public var json: [String: Any] {
        func n(_ value: Double?) -> Any { value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        return [
            "symbol": symbol, "time": Timestamp.string(time), "action": action, "confidence": n(confidence), "expected_return": n(expectedReturn),
            "model_accuracy": n(modelAccuracy), "model_precision": n(modelPrecision), "trained_at": trainedAt.map(Timestamp.string) ?? NSNull(),
            "strategy": strategy, "feature_importances": importances,
        ].merging(botID.map { ["bot_id": $0] } ?? [:]) { first, _ in first }
    }

    public init(json f: [String: Any]) throws(ProtocolError) {
        func n(_ key: String) throws(ProtocolError) -> Double? {
            guard let raw = f[key], !(raw is NSNull) else { return nil }
            guard let value = (raw as? NSNumber)?.doubleValue, value.isFinite else { throw ProtocolError(reason: "\(key) must be a number") }
            return value
        }
        symbol = try Fields.symbol(f, "symbol")
        time = try Fields.time(f, "time")
        action = try Fields.oneOf(f, "action", ["buy", "sell", "hold"])
        confidence = try n("confidence")
        expectedReturn = try n("expected_return")
        modelAccuracy = try n("model_accuracy")
        modelPrecision = try n("model_precision")
        trainedAt = f["trained_at"] is String ? try Fields.time(f, "trained_at") : nil
        botID = (f["bot_id"] as? NSNumber)?.int64Value
        strategy = try Fields.text(f, "strategy", limit: 32)
        let raw = f["feature_importances"] as? [String: Any] ?? [:]
        guard raw.count <= 50 else { throw ProtocolError(reason: "too many feature importances") }
        importances = raw.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}
