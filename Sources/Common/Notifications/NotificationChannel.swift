import Foundation

/// What a user can be told about, chosen per channel.
public enum NotificationEvent: String, Sendable, CaseIterable, Codable {
    case fills
    /// Orders placed or cancelled.
    case orders
    /// A position closed by its stop-loss or take-profit.
    case exits
    /// A bot started, stopped, in error, or its worker in a crash loop.
    case botState = "bot_state"
    case emergencyStop = "emergency_stop"
    /// The day's PnL, fills and equity, after midnight in the user's time zone.
    case dailySummary = "daily_summary"
    /// The exchange unreachable for longer than the channel's minutes.
    case exchangeUnreachable = "exchange_unreachable"
    /// The exchange stopped accepting the user's key.
    case keyRefused = "key_refused"

    /// What a new channel tells unless the user picks otherwise: everything but every order.
    public static let defaults: Set<NotificationEvent> = Set(allCases).subtracting([.orders])

    /// A stored or submitted list (`fills orders …`, spaces or commas); nil names the first unknown one.
    public static func parse(_ names: [String]) -> Result<Set<NotificationEvent>, ChannelProblem> {
        var events = Set<NotificationEvent>()
        for name in names {
            guard let event = NotificationEvent(rawValue: name) else {
                return .failure(ChannelProblem("unknown event \(name); events are \(allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            events.insert(event)
        }
        return .success(events)
    }

    public static func stored(_ text: String) -> Set<NotificationEvent> {
        Set(text.split(separator: " ").compactMap { NotificationEvent(rawValue: String($0)) })
    }

    public static func storedText(_ events: Set<NotificationEvent>) -> String {
        allCases.filter(events.contains).map(\.rawValue).joined(separator: " ")
    }
}

/// Where a user's notifications go.
public enum ChannelKind: String, Sendable, CaseIterable, Codable {
    case telegram, webhook, email
}

/// The shape of a webhook's body: ours (signed JSON), or what Discord's and Slack's incoming
/// webhooks take.
public enum WebhookPreset: String, Sendable, CaseIterable, Codable {
    case json, discord, slack
}

/// Why a channel's settings cannot be stored, in words for the user.
public struct ChannelProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One of a user's notification channels as stored (`notification_channels`, the supervisor's
/// write). Its secret (a Telegram bot token, a webhook's signing secret) is a Fernet token under
/// the master key: only the supervisor, which sends, can read it.
public struct NotificationChannel: Sendable, Equatable {
    public var id: Int64
    public var userID: UserID
    public var kind: ChannelKind
    public var name: String
    /// Telegram: the linked chat's id (empty until linked); webhook: its URL; e-mail: the address.
    public var target: String
    public var preset: WebhookPreset?
    public var events: Set<NotificationEvent>
    public var secretToken: String?
    /// Telegram: the one-time code the user sends the bot to link a chat; nil once linked.
    public var linkCode: String?
    /// Telegram: the next update id to ask for (`getUpdates`' offset).
    public var updateOffset: Int64
    /// `exchange_unreachable` is told after this many minutes.
    public var unreachableMinutes: Int
    /// The last delivery's result (`delivered at …`, `failed: 401 from Telegram`), and when.
    public var lastResult: String?
    public var lastResultAt: Date?
    public var lastOK: Bool?
    public var createdAt: Date

    public init(
        id: Int64 = 0, userID: UserID, kind: ChannelKind, name: String, target: String, preset: WebhookPreset? = nil,
        events: Set<NotificationEvent> = NotificationEvent.defaults, secretToken: String? = nil, linkCode: String? = nil, updateOffset: Int64 = 0,
        unreachableMinutes: Int = 5, lastResult: String? = nil, lastResultAt: Date? = nil, lastOK: Bool? = nil, createdAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.name = name
        self.target = target
        self.preset = preset
        self.events = events
        self.secretToken = secretToken
        self.linkCode = linkCode
        self.updateOffset = updateOffset
        self.unreachableMinutes = unreachableMinutes
        self.lastResult = lastResult
        self.lastResultAt = lastResultAt
        self.lastOK = lastOK
        self.createdAt = createdAt
    }

    /// A Telegram channel can deliver once a chat sent it its code; the others at once.
    public var isReady: Bool { kind != .telegram || !target.isEmpty }

    public static let maxPerUser = 10
    public static let unreachableMinutesRange = 1...1440
}

/// A channel's settings as a user submits them (the web's form or `POST /api/v1/notification-channels`),
/// checked before the supervisor stores them.
public struct ChannelRequest: Sendable, Equatable, Codable {
    public var kind: String
    public var name: String?
    /// Webhook: its URL; e-mail: the address.
    public var target: String?
    public var preset: String?
    public var events: [String]?
    /// Telegram: the bot's token; webhook: the signing secret (Discord's and Slack's URLs carry theirs).
    public var secret: String?
    public var unreachableMinutes: Int?

    public init(kind: String, name: String? = nil, target: String? = nil, preset: String? = nil, events: [String]? = nil, secret: String? = nil, unreachableMinutes: Int? = nil) {
        self.kind = kind
        self.name = name
        self.target = target
        self.preset = preset
        self.events = events
        self.secret = secret
        self.unreachableMinutes = unreachableMinutes
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, target, preset, events, secret
        case unreachableMinutes = "unreachable_minutes"
    }

    /// The checked settings: what to store, with the secret still plain (the supervisor encrypts it).
    public struct Checked: Sendable, Equatable {
        public let kind: ChannelKind
        public let name: String
        public let target: String
        public let preset: WebhookPreset?
        public let events: Set<NotificationEvent>
        public let secret: String?
        public let unreachableMinutes: Int
    }

    /// `existing`: the channel being changed, whose kind, target and secret stay unless given.
    public func check(existing: NotificationChannel? = nil) -> Result<Checked, ChannelProblem> {
        guard let kind = ChannelKind(rawValue: kind) else { return .failure(ChannelProblem("kind must be telegram, webhook or email")) }
        if let existing, existing.kind != kind { return .failure(ChannelProblem("a channel's kind cannot change; make a new channel")) }
        let name = (self.name ?? "").trimmingCharacters(in: .whitespaces)
        guard name.count <= 60 else { return .failure(ChannelProblem("the name is at most 60 characters")) }
        let events: Set<NotificationEvent>
        switch checkedEvents(existing) {
        case .success(let parsed): events = parsed
        case .failure(let problem): return .failure(problem)
        }
        let minutes = unreachableMinutes ?? existing?.unreachableMinutes ?? 5
        guard NotificationChannel.unreachableMinutesRange.contains(minutes) else {
            return .failure(ChannelProblem("unreachable_minutes is 1 to 1440"))
        }
        let secret = self.secret?.trimmingCharacters(in: .whitespaces)
        if let secret, secret.count > 256 || secret.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f }) {
            return .failure(ChannelProblem("the secret is at most 256 printable characters without spaces"))
        }
        var preset: WebhookPreset?
        var target = (self.target ?? existing?.target ?? "").trimmingCharacters(in: .whitespaces)
        switch kind {
        case .telegram:
            guard let token = secret ?? (existing != nil ? "" : nil), existing != nil || Self.looksLikeBotToken(token) else {
                return .failure(ChannelProblem("a Telegram channel needs its bot's token (123456:ABC…, from @BotFather)"))
            }
            if !token.isEmpty, !Self.looksLikeBotToken(token) { return .failure(ChannelProblem("that is not a Telegram bot token (123456:ABC…)")) }
            target = existing?.target ?? ""
        case .webhook:
            guard let name = self.preset ?? existing?.preset?.rawValue ?? Optional("json"), let chosen = WebhookPreset(rawValue: name) else {
                return .failure(ChannelProblem("preset must be json, discord or slack"))
            }
            preset = chosen
            if let problem = Self.urlProblem(target) { return .failure(problem) }
            if chosen == .json, (secret ?? "").isEmpty, existing?.secretToken == nil {
                return .failure(ChannelProblem("a JSON webhook needs a secret of at least 16 characters to sign its bodies"))
            }
            if chosen == .json, let secret, !secret.isEmpty, secret.count < 16 {
                return .failure(ChannelProblem("the webhook's secret is at least 16 characters"))
            }
        case .email:
            guard Self.looksLikeAddress(target) else { return .failure(ChannelProblem("an e-mail channel needs an address like name@example.com")) }
        }
        return .success(
            Checked(
                kind: kind, name: name.isEmpty ? kind.rawValue : name, target: target, preset: preset, events: events,
                secret: (secret?.isEmpty ?? true) ? nil : secret, unreachableMinutes: minutes))
    }

    private func checkedEvents(_ existing: NotificationChannel?) -> Result<Set<NotificationEvent>, ChannelProblem> {
        guard let events else { return .success(existing?.events ?? NotificationEvent.defaults) }
        return NotificationEvent.parse(events.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) })
    }

    static func looksLikeBotToken(_ token: String) -> Bool {
        let parts = token.split(separator: ":", maxSplits: 1)
        return parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy(\.isNumber) && parts[1].count >= 20
            && parts[1].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }

    static func looksLikeAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" })
    }

    static func urlProblem(_ text: String) -> ChannelProblem? {
        guard text.count <= 2000, let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return ChannelProblem("a webhook needs its URL (https://…)")
        }
        guard scheme == "https" || scheme == "http" else { return ChannelProblem("a webhook's URL starts with https:// or http://") }
        return nil
    }
}

/// The supervisor's answer to a stored channel: its id, and a Telegram channel's linking code.
public struct ChannelSaved: Sendable, Equatable, Codable {
    public let id: Int64
    public let linkCode: String?

    public init(id: Int64, linkCode: String?) {
        self.id = id
        self.linkCode = linkCode
    }

    enum CodingKeys: String, CodingKey {
        case id
        case linkCode = "link_code"
    }
}
