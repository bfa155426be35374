import Foundation

// The control socket's messages (`DIR/run/supervisor.sock`, CONTRACT §2): the web writes the
// requests and reads the answers, the supervisor reads the requests and writes the answers, both
// with these types and ``WireJSON``, so neither side spells a key the other does not read.

/// A command the supervisor hands to a user's worker.
public enum ControlCommand: String, Sendable, Codable, CaseIterable {
    case start
    case stop
    case emergencyStop = "emergency_stop"
    case settingsChanged = "settings_changed"
    case cancelOrder = "cancel_order"
    case placeOrder = "place_order"
    /// Starts one grid or DCA bot (payload ``BotCommandPayload`` with its definition).
    case botStart = "bot_start"
    /// Stops one grid or DCA bot, cancelling its orders (payload ``BotCommandPayload``; `sell`
    /// sells what it holds at market).
    case botStop = "bot_stop"
    /// A signal a bot's hook accepted (payload ``SignalCommandPayload``): acted on at once.
    case signal
}

/// The payload of `signal`: the bot, the signal's record, and its action.
public struct SignalCommandPayload: Sendable, Equatable, Codable {
    public let botID: Int64
    public let recordID: Int64
    /// `buy`, `sell`, `close`, `cancel_all`, `start_deal`.
    public let action: String
    /// `buy`/`sell`: `market` or `limit`, with the price of a limit order.
    public let orderType: String?
    public let price: Decimal?
    public let amountUSDT: Decimal?
    public let amountBase: Decimal?
    /// A share of the bot's allocation, 0 < x ≤ 1.
    public let allocationShare: Decimal?
    /// When the hook received it (Unix ms), and how old it may be when acted on (seconds): a
    /// signal that waited for a worker longer than that is refused, never acted on late.
    public let receivedAt: Int64
    public let maxLagSeconds: Int

    public init(botID: Int64, recordID: Int64, action: SignalHookRequest.Action, receivedAt: Date, maxLagSeconds: Int) {
        self.botID = botID
        self.recordID = recordID
        self.receivedAt = Int64((receivedAt.timeIntervalSince1970 * 1000).rounded(.down))
        self.maxLagSeconds = maxLagSeconds
        self.action = action.name
        var order: SignalHookRequest.SignalOrder?
        if case .buy(let o) = action { order = o }
        if case .sell(let o) = action { order = o }
        switch order?.kind {
        case .limit(let price): (orderType, self.price) = ("limit", price)
        case .market: (orderType, price) = ("market", nil)
        case nil: (orderType, price) = (nil, nil)
        }
        switch order?.amount {
        case .quote(let value): (amountUSDT, amountBase, allocationShare) = (value, nil, nil)
        case .base(let value): (amountUSDT, amountBase, allocationShare) = (nil, value, nil)
        case .allocationShare(let value): (amountUSDT, amountBase, allocationShare) = (nil, nil, value)
        case nil: (amountUSDT, amountBase, allocationShare) = (nil, nil, nil)
        }
    }

    /// The action again; nil when the payload does not make one.
    public var decoded: SignalHookRequest.Action? {
        switch action {
        case "close": return .close
        case "cancel_all": return .cancelAll
        case "start_deal": return .startDeal
        case "buy", "sell":
            let kind: SignalHookRequest.SignalOrder.Kind
            switch (orderType, price) {
            case ("limit", let price?): kind = .limit(price: price)
            case ("market", nil), (nil, nil): kind = .market
            default: return nil
            }
            let amounts: [SignalHookRequest.SignalOrder.Amount] = [amountUSDT.map { .quote($0) }, amountBase.map { .base($0) }, allocationShare.map { .allocationShare($0) }]
                .compactMap { $0 }
            guard amounts.count == 1 else { return nil }
            let order = SignalHookRequest.SignalOrder(kind: kind, amount: amounts[0])
            return action == "buy" ? .buy(order) : .sell(order)
        default: return nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case botID = "bot_id"
        case recordID = "record_id"
        case action
        case orderType = "order_type"
        case price
        case amountUSDT = "amount_usdt"
        case amountBase = "amount_base"
        case allocationShare = "allocation_share"
        case receivedAt = "received_at"
        case maxLagSeconds = "max_lag_seconds"
    }

    /// Why the worker does not act on it now (it waited too long); nil: act.
    public func lateness(now: Date) -> String? {
        let waited = now.timeIntervalSince1970 - Double(receivedAt) / 1000
        guard waited > Double(maxLagSeconds) else { return nil }
        return String(format: "the signal waited %.0f s for the bot's worker; at most %d s", waited, maxLagSeconds)
    }
}

/// The payload of `bot_start` and `bot_stop`.
public struct BotCommandPayload: Sendable, Equatable, Codable {
    public let botID: Int64
    /// `bot_start`: the bot's definition as stored (``BotDefinition/encoded()``).
    public let definition: String?
    /// `bot_stop`: sell the coins the bot holds at market.
    public let sell: Bool?

    public init(botID: Int64, definition: String? = nil, sell: Bool? = nil) {
        self.botID = botID
        self.definition = definition
        self.sell = sell
    }

    enum CodingKeys: String, CodingKey {
        case botID = "bot_id"
        case definition, sell
    }
}

/// `POST /v1/users/{user}/commands`: the command and its payload, a JSON text the worker reads
/// (kept a string so the supervisor stores and forwards it without knowing its shape).
///
/// `command` stays a string when read, so an unknown one is refused by name (`unknown_command`)
/// rather than as a malformed body.
public struct CommandRequest: Sendable, Equatable, Codable {
    public static let known: Set<String> = Set(ControlCommand.allCases.map(\.rawValue))

    public let command: String
    public let payload: String?

    public init(command: String, payload: String?) {
        self.command = command
        self.payload = payload
    }

    /// A command without a payload.
    public init(_ command: ControlCommand) {
        self.init(command: command.rawValue, payload: nil)
    }

    /// A command whose payload is JSON text already (the settings, a manual order), sent as it is.
    public init(_ command: ControlCommand, json: String) {
        self.init(command: command.rawValue, payload: json)
    }

    /// Text is not a typed payload: it would be sent as a JSON string, quoted, which the worker
    /// cannot read. Text that is JSON goes through `init(_:json:)`.
    @available(*, unavailable, message: "JSON text goes through init(_:json:)")
    public init(_ command: ControlCommand, payload: String) {
        fatalError("unavailable")
    }

    /// The command with a typed payload, written as its JSON text.
    public init(_ command: ControlCommand, payload: some Encodable) {
        self.init(command: command.rawValue, payload: WireJSON.text(payload))
    }
}

/// The payload of `stop`.
public struct StopPayload: Sendable, Equatable, Codable {
    public let closePositions: Bool

    public init(closePositions: Bool) { self.closePositions = closePositions }

    enum CodingKeys: String, CodingKey { case closePositions = "close_positions" }
}

/// The payload of `cancel_order`: the exchange's order id.
public struct CancelOrderPayload: Sendable, Equatable, Codable {
    public let orderID: Int64

    public init(orderID: Int64) { self.orderID = orderID }

    enum CodingKeys: String, CodingKey { case orderID = "order_id" }
}

/// 202 to a command: its id, and whether a running worker got it now (otherwise it waits for
/// the worker's start). The web answers its own clients with the same object.
public struct CommandAccepted: Sendable, Equatable, Codable {
    public let commandID: Int64
    public let delivered: Bool

    public init(commandID: Int64, delivered: Bool) {
        self.commandID = commandID
        self.delivered = delivered
    }

    enum CodingKeys: String, CodingKey {
        case commandID = "command_id"
        case delivered
    }
}

/// `PUT /v1/users/{user}/exchange-key`: a key and its secret, as the web hands them over.
/// Never logged, never echoed.
public struct ExchangeKeyRequest: Sendable, Equatable, Codable {
    public let apiKey: String
    public let apiSecret: String

    public init(apiKey: String, apiSecret: String) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    enum CodingKeys: String, CodingKey {
        case apiKey = "api_key"
        case apiSecret = "api_secret"
    }
}

/// A stored key, masked: the supervisor's answer to storing one (then `verified_at` is the time
/// the exchange accepted it) and the web's `GET /api/v1/exchange-key` (`null` for a key stored
/// before verification times were kept).
public struct ExchangeKeyInfo: Sendable, Equatable, Codable {
    public let maskedKey: String
    public let canTrade: Bool
    @Nullable public var verifiedAt: Date?
    /// What the check of the key's permissions found worth saying (mainnet: no IP restriction;
    /// testnet: the check could not be made); absent otherwise.
    public var warning: String?

    public init(maskedKey: String, canTrade: Bool, verifiedAt: Date?, warning: String? = nil) {
        self.maskedKey = maskedKey
        self.canTrade = canTrade
        self.verifiedAt = verifiedAt
        self.warning = warning
    }

    enum CodingKeys: String, CodingKey {
        case maskedKey = "masked_key"
        case canTrade = "can_trade"
        case verifiedAt = "verified_at"
        case warning
    }
}

/// The error shape of the control socket and of the JSON API: `{"error":{"code","message"}}`,
/// with `retry_after` (seconds, as text) when the exchange asked to wait.
public struct ErrorBody: Sendable, Equatable, Codable {
    public struct Detail: Sendable, Equatable, Codable {
        public let code: String
        public let message: String
        public let retryAfter: String?

        public init(code: String, message: String, retryAfter: String? = nil) {
            self.code = code
            self.message = message
            self.retryAfter = retryAfter
        }

        enum CodingKeys: String, CodingKey {
            case code, message
            case retryAfter = "retry_after"
        }
    }

    public let error: Detail

    public init(code: String, message: String, retryAfter: String? = nil) {
        error = Detail(code: code, message: message, retryAfter: retryAfter)
    }
}

/// The supervisor's answer to the kill switch: how many running workers were told to stop
/// their bots.
public struct KillSwitchOutcome: Sendable, Equatable, Codable {
    public let workers: Int

    public init(workers: Int) { self.workers = workers }
}
