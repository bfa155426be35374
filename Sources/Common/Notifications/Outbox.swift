import Foundation

/// A message waiting in the outbox (`notification_outbox`, the supervisor's write) for one
/// channel, until the channel accepts it or it is given up.
public struct OutboxItem: Sendable, Equatable {
    public var id: Int64
    public var channelID: Int64
    public var userID: UserID
    /// The event's name; `test` for a test message.
    public var event: String
    public var key: String
    public var text: String
    /// The notice's facts as JSON text (a JSON webhook's `data`).
    public var data: String
    public var queuedAt: Date
    public var attempts: Int
    public var nextAt: Date

    public init(
        id: Int64 = 0, channelID: Int64, userID: UserID, event: String, key: String, text: String, data: String, queuedAt: Date, attempts: Int = 0,
        nextAt: Date
    ) {
        self.id = id
        self.channelID = channelID
        self.userID = userID
        self.event = event
        self.key = key
        self.text = text
        self.data = data
        self.queuedAt = queuedAt
        self.attempts = attempts
        self.nextAt = nextAt
    }

    /// The outbox row of a notice for a channel, in the user's language.
    public init(notice: Notice, channel: NotificationChannel, language: String?, now: Date) {
        self.init(
            channelID: channel.id, userID: channel.userID, event: notice.event?.rawValue ?? "test", key: notice.key, text: notice.text(language: language),
            data: WireJSON.text(notice.data), queuedAt: now, nextAt: now)
    }

    /// The `Idempotency-Key` of this message: the same on every retry.
    public var idempotencyKey: String { "ctp-\(channelID)-\(id)" }
}

/// How fast a channel is sent to, and when a burst becomes one message.
///
/// Telegram allows about one message a second to a chat (and answers 429 with `retry_after`
/// past it), so the messages due for a Telegram or e-mail channel at once are sent as one
/// summary when there are `summarizeFrom` or more; a webhook gets each message on its own (its
/// receiver may count on one body per event and its idempotency key), no faster than its gap.
public enum DeliveryPace {
    public static let summarizeFrom = 3
    /// The most lines a summary lists (the rest are counted).
    public static let summaryLines = 20
    public static let mostPerSummary = 200

    public static func gap(_ kind: ChannelKind, preset: WebhookPreset?) -> TimeInterval {
        switch kind {
        case .telegram: 1.0
        case .email: 2.0
        case .webhook: preset == .json ? 0.02 : 0.5
        }
    }

    public enum Plan: Sendable, Equatable {
        /// Nothing due.
        case idle
        case wait(until: Date)
        /// Send these as one message (one item: itself; more: a summary).
        case send([OutboxItem])
    }

    /// `due`: the channel's messages due now, oldest first; `lastSentAt`: its last attempt.
    public static func plan(due: [OutboxItem], kind: ChannelKind, preset: WebhookPreset?, lastSentAt: Date?, now: Date) -> Plan {
        guard let first = due.first else { return .idle }
        if let last = lastSentAt, now.timeIntervalSince(last) < gap(kind, preset: preset) {
            return .wait(until: last.addingTimeInterval(gap(kind, preset: preset)))
        }
        guard kind != .webhook, due.count >= summarizeFrom else { return .send([first]) }
        return .send(Array(due.prefix(mostPerSummary)))
    }

    /// The text of one message for `items`: the item's own, or a summary listing them.
    public static func text(_ items: [OutboxItem], language: String?) -> String {
        guard items.count > 1 else { return items.first?.text ?? "" }
        let ko = language == "ko"
        var lines = [ko ? "알림 \(items.count)건:" : "\(items.count) notifications:"]
        lines += items.prefix(summaryLines).map { "• \($0.text)" }
        if items.count > summaryLines {
            lines.append(ko ? "… 외 \(items.count - summaryLines)건" : "… and \(items.count - summaryLines) more")
        }
        return String(lines.joined(separator: "\n").prefix(4000))
    }
}
