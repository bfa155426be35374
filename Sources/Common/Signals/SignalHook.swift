import Foundation

/// A signal a charting tool (a TradingView alert, a script) sent to a bot's hook,
/// `POST /hooks/{hook_id}`, once its body has been checked (``SignalHookCheck``).
///
/// The body is JSON of at most 8 KiB:
///
/// ```json
/// {"secret": "…", "action": "buy", "id": "alert-1842", "time": "2026-12-02T10:00:00Z",
///  "order_type": "limit", "price": "50000", "amount_usdt": "25"}
/// ```
///
/// - `action`: `buy`, `sell`, `close` (sell the bot's position), `cancel_all`, `start_deal` (DCA).
/// - `buy`/`sell`: `order_type` `market` (the default) or `limit` with `price`, and exactly one
///   amount: `amount_usdt` (quote), `amount_base`, or `allocation_pct` (a share of the bot's
///   allocation, 0 < pct ≤ 100).
/// - `id` (optional, at most 64 characters): a repeated one is refused (replay).
/// - `time` (optional): ISO-8601 or Unix milliseconds; older than the hook's maximum lag, or more
///   than 5 s ahead of our clock, is refused.
/// Amounts and prices are decimal strings or JSON numbers.
public struct SignalHookRequest: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case buy(SignalOrder)
        case sell(SignalOrder)
        case close
        case cancelAll
        case startDeal

        /// As stored with the signal's record.
        public var name: String {
            switch self {
            case .buy: "buy"
            case .sell: "sell"
            case .close: "close"
            case .cancelAll: "cancel_all"
            case .startDeal: "start_deal"
            }
        }
    }

    public struct SignalOrder: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case market
            case limit(price: Decimal)
        }

        public enum Amount: Sendable, Equatable {
            case quote(Decimal)
            case base(Decimal)
            /// A share of the bot's allocation, as a fraction (0 < x ≤ 1).
            case allocationShare(Decimal)
        }

        public let kind: Kind
        public let amount: Amount

        public init(kind: Kind, amount: Amount) {
            self.kind = kind
            self.amount = amount
        }
    }

    public let action: Action
    public let id: String?
    public let time: Date?
}

/// Why a signal was refused: the answer's status and the reason recorded with the signal.
public struct SignalRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Unknown hook or wrong secret: the same answer for both.
        case notFound = "not_found"
        case tooLarge = "too_large"
        case malformed
        case stale
        case replayed
        case rateLimited = "rate_limited"
        case addressNotAllowed = "address_not_allowed"
        case notForThisBot = "not_for_this_bot"
        /// The bot is stopped: it acts on no signal until started.
        case botStopped = "bot_stopped"
    }

    public let kind: Kind
    /// What was wrong, for the record and the answer (never the secret).
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// The HTTP status: always a 4xx.
    public var status: Int {
        switch kind {
        case .notFound: 404
        case .tooLarge: 413
        case .malformed: 422
        case .stale: 422
        case .replayed: 409
        case .rateLimited: 429
        case .addressNotAllowed: 403
        case .notForThisBot: 422
        case .botStopped: 409
        }
    }
}

/// A hook's own limits.
public struct SignalHookPolicy: Sendable, Equatable {
    public static let maxBodyBytes = 8 * 1024
    /// How old a signal's `time` may be (seconds; default 60).
    public var maxLag: TimeInterval = 60
    /// How far ahead of our clock a `time` may be (a sender's clock a little fast).
    public var maxLead: TimeInterval = 5

    public init(maxLag: TimeInterval = 60) { self.maxLag = maxLag }
}

/// Checks a hook's body: size, JSON, secret (in constant time), fields, lag, replay. Pure: the
/// caller says whether an `id` was seen before, and records the outcome. The caller checks a body
/// sent to an unknown hook against a secret nobody has, so that its answers are those of a wrong
/// secret: nothing tells whether a hook exists.
///
/// `secretDigest` is the hook's secret as stored (``SecureToken/storedForm(_:)``: its SHA-256);
/// `admit` runs once the secret is known to be right, before anything else is said (the hook's
/// allowed addresses and rate limit), so that none of its answers tells a stranger the hook exists.
public enum SignalHookCheck {
    /// The refusal of a body that is not a JSON object (given before the secret is checked).
    public static let notJSON = "the body is not a JSON object"

    public static func check(
        body: [UInt8], secretDigest: String, policy: SignalHookPolicy, now: Date, admit: () -> SignalRefusal? = { nil }, seen: (String) -> Bool
    ) -> Result<SignalHookRequest, SignalRefusal> {
        guard body.count <= SignalHookPolicy.maxBodyBytes else {
            return .failure(SignalRefusal(.tooLarge, "the body has \(body.count) bytes; at most \(SignalHookPolicy.maxBodyBytes)"))
        }
        let raw: Body
        do {
            raw = try JSONDecoder().decode(Body.self, from: Data(body))
        } catch {
            return .failure(SignalRefusal(.malformed, notJSON))
        }
        // The secret first: nothing else about the hook is said to whoever does not know it.
        guard let given = raw.secret, given.utf8.count <= 256, SecureToken.constantTimeEquals(SecureToken.storedForm(given), secretDigest) else {
            return .failure(SignalRefusal(.notFound, "no such hook, or a wrong secret"))
        }
        if let refusal = admit() { return .failure(refusal) }
        if let problem = raw.problem { return .failure(SignalRefusal(.malformed, problem)) }
        let action: SignalHookRequest.Action
        switch parseAction(raw) {
        case .success(let parsed): action = parsed
        case .failure(let refusal): return .failure(refusal)
        }
        if let time = raw.time {
            let age = now.timeIntervalSince(time)
            if age > policy.maxLag {
                return .failure(SignalRefusal(.stale, String(format: "the signal's time is %.0f s old; at most %.0f s", age, policy.maxLag)))
            }
            if -age > policy.maxLead {
                return .failure(SignalRefusal(.stale, String(format: "the signal's time is %.0f s ahead of this server's clock", -age)))
            }
        }
        if let id = raw.id, seen(id) {
            return .failure(SignalRefusal(.replayed, "a signal with id \"\(id)\" was received before"))
        }
        return .success(SignalHookRequest(action: action, id: raw.id, time: raw.time))
    }

    static func parseAction(_ raw: Body) -> Result<SignalHookRequest.Action, SignalRefusal> {
        func malformed(_ text: String) -> Result<SignalHookRequest.Action, SignalRefusal> { .failure(SignalRefusal(.malformed, text)) }
        guard let name = raw.action else { return malformed("action is missing: buy, sell, close, cancel_all or start_deal") }
        switch name {
        case "close": return .success(.close)
        case "cancel_all": return .success(.cancelAll)
        case "start_deal": return .success(.startDeal)
        case "buy", "sell": break
        default: return malformed("action \"\(name.prefix(20))\" is not one of buy, sell, close, cancel_all, start_deal")
        }
        let kind: SignalHookRequest.SignalOrder.Kind
        switch raw.orderType ?? "market" {
        case "market":
            guard raw.price == nil else { return malformed("price is for a limit order; this one is market") }
            kind = .market
        case "limit":
            guard let price = raw.price, price > 0 else { return malformed("a limit order needs a positive price") }
            kind = .limit(price: price)
        case let other:
            return malformed("order_type \"\(other.prefix(20))\" is not market or limit")
        }
        let amounts: [SignalHookRequest.SignalOrder.Amount] = [
            raw.amountUSDT.map { .quote($0) }, raw.amountBase.map { .base($0) }, raw.allocationPct.map { .allocationShare($0 / 100) },
        ].compactMap { $0 }
        guard amounts.count == 1, let amount = amounts.first else {
            return malformed("give exactly one amount: amount_usdt, amount_base or allocation_pct")
        }
        switch amount {
        case .quote(let value), .base(let value):
            guard value > 0 else { return malformed("the amount must be positive") }
        case .allocationShare(let share):
            guard share > 0, share <= 1 else { return malformed("allocation_pct must be above 0 and at most 100") }
        }
        let order = SignalHookRequest.SignalOrder(kind: kind, amount: amount)
        return .success(name == "buy" ? .buy(order) : .sell(order))
    }

    /// The body as sent; a field of the wrong shape is kept as `problem` (reported once the
    /// secret is known to be right).
    struct Body: Decodable {
        var secret: String?
        var action: String?
        var id: String?
        var time: Date?
        var orderType: String?
        var price: Decimal?
        var amountUSDT: Decimal?
        var amountBase: Decimal?
        var allocationPct: Decimal?
        var problem: String?

        enum CodingKeys: String, CodingKey {
            case secret, action, id, time, price
            case orderType = "order_type"
            case amountUSDT = "amount_usdt"
            case amountBase = "amount_base"
            case allocationPct = "allocation_pct"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            secret = try? c.decodeIfPresent(String.self, forKey: .secret)
            func note(_ text: String) { if problem == nil { problem = text } }
            func text(_ key: CodingKeys, limit: Int) -> String? {
                guard c.contains(key) else { return nil }
                guard let value = try? c.decode(String.self, forKey: key) else {
                    note("\(key.stringValue) must be a string")
                    return nil
                }
                guard value.count <= limit else {
                    note("\(key.stringValue) is longer than \(limit) characters")
                    return nil
                }
                return value
            }
            func amount(_ key: CodingKeys) -> Decimal? {
                guard c.contains(key), (try? c.decodeNil(forKey: key)) == false else { return nil }
                var written: String?
                if let string = try? c.decode(String.self, forKey: key) {
                    written = string.trimmingCharacters(in: .whitespaces)
                } else if let number = try? c.decode(Decimal.self, forKey: key), number.isFinite {
                    written = "\(number)"
                }
                guard let written, Self.isPlainDecimal(written), let value = DecimalText.parse(written), value.isFinite else {
                    note("\(key.stringValue) must be a decimal number, such as \"25\" or \"0.001\"")
                    return nil
                }
                return value
            }
            action = text(.action, limit: 32)
            id = text(.id, limit: 64)
            orderType = text(.orderType, limit: 32)
            price = amount(.price)
            amountUSDT = amount(.amountUSDT)
            amountBase = amount(.amountBase)
            allocationPct = amount(.allocationPct)
            if c.contains(.time) {
                if let milliseconds = try? c.decode(Int64.self, forKey: .time) {
                    time = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
                } else if let string = try? c.decode(String.self, forKey: .time), let date = Self.isoDate(string) {
                    time = date
                } else {
                    note("time must be ISO-8601 (2026-12-02T10:00:00Z) or Unix milliseconds")
                }
            }
        }

        static func isPlainDecimal(_ text: String) -> Bool {
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        }

        static func isoDate(_ text: String) -> Date? {
            guard text.count <= 40 else { return nil }
            if let date = Timestamp.date(text) { return date }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: text)
        }
    }
}

extension BotDefinition {
    /// The hook actions this bot carries out: a `signal` bot trades on them alone, a DCA bot
    /// opens a deal (`start_deal`); grid, sma_cross and ml bots trade on their own rules.
    public var signalActions: [String] {
        switch plan {
        case .dca: ["start_deal"]
        case .signal: ["buy", "sell", "close", "cancel_all"]
        case .grid, .signals: []
        }
    }

    /// Nil when the bot carries out the action; the refusal otherwise.
    public func refusal(of action: SignalHookRequest.Action) -> SignalRefusal? {
        let accepted = signalActions
        guard !accepted.contains(action.name) else { return nil }
        let takes = accepted.isEmpty ? "it takes no signals" : "it takes \(accepted.joined(separator: ", "))"
        return SignalRefusal(.notForThisBot, "a \(strategyName) bot does not \(action.name.replacingOccurrences(of: "_", with: " ")): \(takes)")
    }
}
