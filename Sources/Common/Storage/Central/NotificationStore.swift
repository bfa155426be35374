import Foundation
import GRDB

/// The tables `notification_channels` and `notification_outbox`, written by the supervisor only
/// (it stores the channels' secrets as Fernet tokens and sends); the web reads the channels,
/// never their tokens' plain text.
public protocol NotificationStore: Sendable {
    func channels(for user: UserID) throws -> [NotificationChannel]
    func channel(_ id: Int64) throws -> NotificationChannel?
    /// Every user's channels (the sender's and the Telegram poller's view).
    func allChannels() throws -> [NotificationChannel]
    /// Stores a new channel (`id` 0; returns its id) or replaces an existing one's settings.
    func saveChannel(_ channel: NotificationChannel) throws -> Int64
    func deleteChannel(_ id: Int64, for user: UserID) throws -> Bool
    /// A Telegram channel's chat, linked by its code (which is then forgotten).
    func link(channel id: Int64, chat: String) throws
    func setUpdateOffset(channel id: Int64, _ offset: Int64) throws
    /// The last delivery's result, shown on `/settings`.
    func setResult(channel id: Int64, ok: Bool, result: String, at: Date) throws
    /// Queues messages; one with a channel's key already queued is dropped. Returns how many were queued.
    @discardableResult func enqueue(_ items: [OutboxItem]) throws -> Int
    /// Messages due at `now`, oldest first (of `users` only, when given).
    func due(now: Date, users: Set<UserID>?, limit: Int) throws -> [OutboxItem]
    func delivered(_ ids: [Int64], at: Date) throws
    /// Tried again at `next` (their attempts counted).
    func retry(_ ids: [Int64], next: Date, result: String) throws
    func giveUp(_ ids: [Int64], result: String, at: Date) throws
    /// How many of a channel's messages wait.
    func pendingCount(channel id: Int64) throws -> Int
    /// Forgets delivered and given-up messages finished before `date`.
    func prune(before date: Date) throws
}

public struct SQLiteNotificationStore: NotificationStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func channels(for user: UserID) throws -> [NotificationChannel] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notification_channels WHERE user_id = ? ORDER BY id", arguments: [user.rawValue]).map(Self.channel)
        }
    }

    public func channel(_ id: Int64) throws -> NotificationChannel? {
        try db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM notification_channels WHERE id = ?", arguments: [id]).map(Self.channel) }
    }

    public func allChannels() throws -> [NotificationChannel] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM notification_channels ORDER BY id").map(Self.channel) }
    }

    public func saveChannel(_ channel: NotificationChannel) throws -> Int64 {
        try db.write { db in
            let values: [(any DatabaseValueConvertible)?] = [
                channel.userID.rawValue, channel.kind.rawValue, channel.name, channel.target, channel.preset?.rawValue,
                NotificationEvent.storedText(channel.events), channel.secretToken, channel.linkCode, channel.updateOffset, channel.unreachableMinutes,
                Timestamp.string(channel.createdAt),
            ]
            if channel.id == 0 {
                try db.execute(
                    sql: """
                        INSERT INTO notification_channels (user_id, kind, name, target, preset, events, secret_token, link_code, update_offset,
                            unreachable_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: StatementArguments(values))
                return db.lastInsertedRowID
            }
            try db.execute(
                sql: """
                    UPDATE notification_channels SET user_id = ?, kind = ?, name = ?, target = ?, preset = ?, events = ?, secret_token = ?,
                        link_code = ?, update_offset = ?, unreachable_minutes = ?, created_at = ? WHERE id = ?
                    """, arguments: StatementArguments(values + [channel.id]))
            return channel.id
        }
    }

    public func deleteChannel(_ id: Int64, for user: UserID) throws -> Bool {
        try db.write { db in
            try db.execute(sql: "DELETE FROM notification_outbox WHERE channel_id = ? AND user_id = ?", arguments: [id, user.rawValue])
            try db.execute(sql: "DELETE FROM notification_channels WHERE id = ? AND user_id = ?", arguments: [id, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func link(channel id: Int64, chat: String) throws {
        try db.write { db in try db.execute(sql: "UPDATE notification_channels SET target = ?, link_code = NULL WHERE id = ?", arguments: [chat, id]) }
    }

    public func setUpdateOffset(channel id: Int64, _ offset: Int64) throws {
        try db.write { db in try db.execute(sql: "UPDATE notification_channels SET update_offset = ? WHERE id = ?", arguments: [offset, id]) }
    }

    public func setResult(channel id: Int64, ok: Bool, result: String, at: Date) throws {
        try db.write { db in
            try db.execute(
                sql: "UPDATE notification_channels SET last_ok = ?, last_result = ?, last_result_at = ? WHERE id = ?",
                arguments: [ok, result, Timestamp.string(at), id])
        }
    }

    public func enqueue(_ items: [OutboxItem]) throws -> Int {
        guard !items.isEmpty else { return 0 }
        return try db.write { db in
            var queued = 0
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO notification_outbox (channel_id, user_id, event, key, text, data, queued_at, attempts, next_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
                    """)
            for item in items {
                try statement.execute(arguments: [
                    item.channelID, item.userID.rawValue, item.event, item.key, item.text, item.data, Timestamp.string(item.queuedAt), Timestamp.string(item.nextAt),
                ])
                queued += db.changesCount
            }
            return queued
        }
    }

    public func due(now: Date, users: Set<UserID>?, limit: Int) throws -> [OutboxItem] {
        try db.read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM notification_outbox WHERE state = 'pending' AND next_at <= ? ORDER BY id LIMIT ?"),
                arguments: [Timestamp.string(now), limit])
            let items = rows.map(Self.item)
            guard let users else { return items }
            return items.filter { users.contains($0.userID) }
        }
    }

    public func delivered(_ ids: [Int64], at: Date) throws {
        try update(ids, sql: "UPDATE notification_outbox SET state = 'delivered', attempts = attempts + 1, result = NULL, done_at = ? WHERE id = ?", at)
    }

    public func retry(_ ids: [Int64], next: Date, result: String) throws {
        try db.write { db in
            for id in ids {
                try db.execute(
                    sql: "UPDATE notification_outbox SET attempts = attempts + 1, next_at = ?, result = ? WHERE id = ?",
                    arguments: [Timestamp.string(next), result, id])
            }
        }
    }

    public func giveUp(_ ids: [Int64], result: String, at: Date) throws {
        try db.write { db in
            for id in ids {
                try db.execute(
                    sql: "UPDATE notification_outbox SET state = 'failed', attempts = attempts + 1, result = ?, done_at = ? WHERE id = ?",
                    arguments: [result, Timestamp.string(at), id])
            }
        }
    }

    public func pendingCount(channel id: Int64) throws -> Int {
        try db.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM notification_outbox WHERE channel_id = ? AND state = 'pending'", arguments: [id]) ?? 0
        }
    }

    public func prune(before date: Date) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM notification_outbox WHERE state != 'pending' AND done_at < ?", arguments: [Timestamp.string(date)])
        }
    }

    private func update(_ ids: [Int64], sql: String, _ at: Date) throws {
        try db.write { db in
            for id in ids { try db.execute(sql: sql, arguments: [Timestamp.string(at), id]) }
        }
    }

    static func channel(_ row: Row) -> NotificationChannel {
        NotificationChannel(
            id: row["id"], userID: UserID(rawValue: row["user_id"]), kind: ChannelKind(rawValue: row["kind"]) ?? .webhook, name: row["name"],
            target: row["target"], preset: (row["preset"] as String?).flatMap(WebhookPreset.init(rawValue:)),
            events: NotificationEvent.stored(row["events"]), secretToken: row["secret_token"], linkCode: row["link_code"],
            updateOffset: row["update_offset"], unreachableMinutes: row["unreachable_minutes"], lastResult: row["last_result"],
            lastResultAt: (row["last_result_at"] as String?).flatMap(Timestamp.date), lastOK: row["last_ok"],
            createdAt: Timestamp.date(row["created_at"] as String) ?? .distantPast)
    }

    static func item(_ row: Row) -> OutboxItem {
        OutboxItem(
            id: row["id"], channelID: row["channel_id"], userID: UserID(rawValue: row["user_id"]), event: row["event"], key: row["key"],
            text: row["text"], data: row["data"], queuedAt: Timestamp.date(row["queued_at"] as String) ?? .distantPast, attempts: row["attempts"],
            nextAt: Timestamp.date(row["next_at"] as String) ?? .distantPast)
    }
}
