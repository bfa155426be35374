import Foundation

/// A bot's signal hook as stored (`signal_hooks`, written by the web): the id in its URL
/// (`POST /hooks/{id}`), the digest of its secret (the secret itself is shown to its owner once,
/// when made, and kept nowhere), and its limits.
public struct SignalHook: Sendable, Equatable {
    public static let defaultMaxLag = 60
    public static let defaultPerMinute = 60
    public static let maxLagRange = 1...3_600
    /// At most 10 a second: a charting tool's alerts come far slower (TradingView's: a few a
    /// minute), and a bot's kept records (``SignalHookRecord/keptPerBot``) hold a whole minute.
    public static let perMinuteRange = 1...600
    public static let maxAddresses = 20

    public var id: String
    public var userID: UserID
    public var botID: Int64
    /// ``SecureToken/storedForm(_:)`` of the secret.
    public var secretDigest: String
    /// How old a signal's `time` may be, in seconds.
    public var maxLagSeconds: Int
    /// Signals per minute this hook takes (accepted or refused, once the secret is right).
    public var perMinute: Int
    /// The source addresses it takes signals from; empty: any.
    public var allowedAddresses: [String]
    public var createdAt: Date

    public init(
        id: String, userID: UserID, botID: Int64, secretDigest: String, maxLagSeconds: Int = SignalHook.defaultMaxLag,
        perMinute: Int = SignalHook.defaultPerMinute, allowedAddresses: [String] = [], createdAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.botID = botID
        self.secretDigest = secretDigest
        self.maxLagSeconds = maxLagSeconds
        self.perMinute = perMinute
        self.allowedAddresses = allowedAddresses
        self.createdAt = createdAt
    }

    /// A new hook for a bot, and its secret (to be shown once). Both are 256 random bits.
    public static func make(user: UserID, bot: Int64, limits: SignalHookLimits, at now: Date) -> (hook: SignalHook, secret: String) {
        let secret = SecureToken.random()
        let hook = SignalHook(
            id: SecureToken.random(), userID: user, botID: bot, secretDigest: SecureToken.storedForm(secret), maxLagSeconds: limits.maxLagSeconds,
            perMinute: limits.perMinute, allowedAddresses: limits.allowedAddresses, createdAt: now)
        return (hook, secret)
    }

    public var limits: SignalHookLimits {
        SignalHookLimits(maxLagSeconds: maxLagSeconds, perMinute: perMinute, allowedAddresses: allowedAddresses)
    }

    /// The body's check's policy.
    public var policy: SignalHookPolicy { SignalHookPolicy(maxLag: TimeInterval(maxLagSeconds)) }

    /// Whether a request from `address` may use the hook, and whether one more fits its rate
    /// (`recent`: the signals recorded for it in the last minute). Nil: admitted.
    public func admission(address: String, recent: Int) -> SignalRefusal? {
        if !allowedAddresses.isEmpty, !allowedAddresses.contains(address) {
            return SignalRefusal(.addressNotAllowed, "\(address.prefix(64)) is not among the hook's allowed addresses")
        }
        if recent >= perMinute {
            return SignalRefusal(.rateLimited, "the hook takes at most \(perMinute) signals a minute")
        }
        return nil
    }
}

/// What an owner sets for a hook: its maximum lag, its rate and the addresses it accepts.
public struct SignalHookLimits: Sendable, Equatable {
    public var maxLagSeconds: Int
    public var perMinute: Int
    public var allowedAddresses: [String]

    public init(maxLagSeconds: Int = SignalHook.defaultMaxLag, perMinute: Int = SignalHook.defaultPerMinute, allowedAddresses: [String] = []) {
        self.maxLagSeconds = maxLagSeconds
        self.perMinute = perMinute
        self.allowedAddresses = allowedAddresses
    }

    /// The limits from their texts (a form or JSON): `max_lag` seconds, `per_minute`, and the
    /// addresses separated by commas, spaces or lines. The error names the field.
    public static func parse(maxLag: String?, perMinute: String?, addresses: String?) throws(SettingsError) -> SignalHookLimits {
        func whole(_ text: String?, _ field: String, _ range: ClosedRange<Int>, _ fallback: Int) throws(SettingsError) -> Int {
            let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !trimmed.isEmpty else { return fallback }
            guard let value = Int(trimmed), range.contains(value) else {
                throw SettingsError(field: field, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        let list = (addresses ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        guard list.count <= SignalHook.maxAddresses else {
            throw SettingsError(field: "allowed_addresses", "at most \(SignalHook.maxAddresses) addresses")
        }
        for address in list where !isAddress(address) {
            throw SettingsError(field: "allowed_addresses", "\(address.prefix(64)) is not an IPv4 or IPv6 address")
        }
        return SignalHookLimits(
            maxLagSeconds: try whole(maxLag, "max_lag", SignalHook.maxLagRange, SignalHook.defaultMaxLag),
            perMinute: try whole(perMinute, "per_minute", SignalHook.perMinuteRange, SignalHook.defaultPerMinute),
            allowedAddresses: list.enumerated().filter { list.firstIndex(of: $0.element) == $0.offset }.map(\.element))
    }

    /// An IPv4 address in dotted decimal, or an IPv6 address (hex groups and colons).
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 {
            return parts.allSatisfy { part in (1...3).contains(part.count) && part.allSatisfy(\.isASCII) && Int(part).map { (0...255).contains($0) } == true }
        }
        return text.count <= 45 && text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}

/// One signal a hook received, accepted or refused (`signal_records`, written by the web).
public struct SignalHookRecord: Sendable, Equatable {
    public static let keptPerBot = 1_000

    public var id: Int64
    public var hookID: String
    public var userID: UserID
    public var botID: Int64
    public var receivedAt: Date
    public var address: String
    public var accepted: Bool
    /// Why it was refused (`stale: the signal's time is …`); nil when accepted.
    public var reason: String?
    /// `buy`, `sell`, `close`, `cancel_all`, `start_deal`; nil when the body did not say.
    public var action: String?
    /// The sender's `id`, when it gave one.
    public var signalID: String?
    /// The worker's command that carries it out (its result is the outcome).
    public var commandID: Int64?

    public init(
        id: Int64 = 0, hookID: String, userID: UserID, botID: Int64, receivedAt: Date, address: String, accepted: Bool, reason: String? = nil,
        action: String? = nil, signalID: String? = nil, commandID: Int64? = nil
    ) {
        self.id = id
        self.hookID = hookID
        self.userID = userID
        self.botID = botID
        self.receivedAt = receivedAt
        self.address = address
        self.accepted = accepted
        self.reason = reason
        self.action = action
        self.signalID = signalID
        self.commandID = commandID
    }
}

/// A second accepted signal with the same `id` for the same hook (two requests at once): the
/// later one is a replay.
public struct SignalReplayed: Error, Sendable {
    public init() {}
}
