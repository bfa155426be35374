import Common
import Foundation
import PostgresNIO

/// The ``NotificationStore`` on PostgreSQL: the same rows as on SQLite.
public struct PostgresNotificationStore: NotificationStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    static let channelColumns = """
        id, user_id, kind, name, target, preset, events, secret_token, link_code, update_offset, unreachable_minutes, last_result,
        last_result_at, last_ok, created_at
        """
    static let itemColumns = "id, channel_id, user_id, event, key, text, data, queued_at, attempts, next_at"

    public func channels(for user: UserID) throws -> [NotificationChannel] {
        try db.query("SELECT \(unescaped: Self.channelColumns) FROM notification_channels WHERE user_id = \(user.rawValue) ORDER BY id").map(Self.channel)
    }

    public func channel(_ id: Int64) throws -> NotificationChannel? {
        try db.query("SELECT \(unescaped: Self.channelColumns) FROM notification_channels WHERE id = \(id)").first.map(Self.channel)
    }

    public func allChannels() throws -> [NotificationChannel] {
        try db.query("SELECT \(unescaped: Self.channelColumns) FROM notification_channels ORDER BY id").map(Self.channel)
    }

    public func saveChannel(_ c: NotificationChannel) throws -> Int64 {
        let events = NotificationEvent.storedText(c.events)
        let created = PostgresValues.time(c.createdAt)
        let minutes = Int32(clamping: c.unreachableMinutes)
        if c.id == 0 {
            let rows = try db.query(
                """
                INSERT INTO notification_channels (user_id, kind, name, target, preset, events, secret_token, link_code, update_offset,
                    unreachable_minutes, created_at)
                VALUES (\(c.userID.rawValue), \(c.kind.rawValue), \(c.name), \(c.target), \(c.preset?.rawValue), \(events), \(c.secretToken),
                    \(c.linkCode), \(c.updateOffset), \(minutes), \(created))
                RETURNING id
                """
            )
            guard let id = try rows.first?.decode(Int64.self) else { throw PostgresFailure(sqlState: nil, description: "PostgreSQL: no id for the channel") }
            return id
        }
        try db.execute(
            """
            UPDATE notification_channels SET user_id = \(c.userID.rawValue), kind = \(c.kind.rawValue), name = \(c.name), target = \(c.target),
                preset = \(c.preset?.rawValue), events = \(events), secret_token = \(c.secretToken), link_code = \(c.linkCode),
                update_offset = \(c.updateOffset), unreachable_minutes = \(minutes), created_at = \(created)
            WHERE id = \(c.id)
            """
        )
        return c.id
    }

    public func deleteChannel(_ id: Int64, for user: UserID) throws -> Bool {
        try db.execute("DELETE FROM notification_channels WHERE id = \(id) AND user_id = \(user.rawValue)") > 0
    }

    public func link(channel id: Int64, chat: String) throws {
        try db.execute("UPDATE notification_channels SET target = \(chat), link_code = NULL WHERE id = \(id)")
    }

    public func setUpdateOffset(channel id: Int64, _ offset: Int64) throws {
        try db.execute("UPDATE notification_channels SET update_offset = \(offset) WHERE id = \(id)")
    }

    public func setResult(channel id: Int64, ok: Bool, result: String, at: Date) throws {
        try db.execute(
            "UPDATE notification_channels SET last_ok = \(ok), last_result = \(result), last_result_at = \(PostgresValues.time(at)) WHERE id = \(id)")
    }

    public func enqueue(_ items: [OutboxItem]) throws -> Int {
        var queued = 0
        for item in items {
            queued += try db.execute(
                """
                INSERT INTO notification_outbox (channel_id, user_id, event, key, text, data, queued_at, attempts, next_at)
                VALUES (\(item.channelID), \(item.userID.rawValue), \(item.event), \(item.key), \(item.text), \(item.data),
                    \(PostgresValues.time(item.queuedAt)), 0, \(PostgresValues.time(item.nextAt)))
                ON CONFLICT (channel_id, key) DO NOTHING
                """
            )
        }
        return queued
    }

    public func due(now: Date, users: Set<UserID>?, limit: Int) throws -> [OutboxItem] {
        let items = try db.query(
            """
            SELECT \(unescaped: Self.itemColumns) FROM notification_outbox WHERE state = 'pending' AND next_at <= \(PostgresValues.time(now))
            ORDER BY id LIMIT \(Int64(limit))
            """
        ).map(Self.item)
        guard let users else { return items }
        return items.filter { users.contains($0.userID) }
    }

    public func delivered(_ ids: [Int64], at: Date) throws {
        for id in ids {
            try db.execute(
                "UPDATE notification_outbox SET state = 'delivered', attempts = attempts + 1, result = NULL, done_at = \(PostgresValues.time(at)) WHERE id = \(id)")
        }
    }

    public func retry(_ ids: [Int64], next: Date, result: String) throws {
        for id in ids {
            try db.execute(
                "UPDATE notification_outbox SET attempts = attempts + 1, next_at = \(PostgresValues.time(next)), result = \(result) WHERE id = \(id)")
        }
    }

    public func giveUp(_ ids: [Int64], result: String, at: Date) throws {
        for id in ids {
            try db.execute(
                """
                UPDATE notification_outbox SET state = 'failed', attempts = attempts + 1, result = \(result), done_at = \(PostgresValues.time(at))
                WHERE id = \(id)
                """
            )
        }
    }

    public func pendingCount(channel id: Int64) throws -> Int {
        let rows = try db.query("SELECT count(*) FROM notification_outbox WHERE channel_id = \(id) AND state = 'pending'")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func prune(before date: Date) throws {
        try db.execute("DELETE FROM notification_outbox WHERE state != 'pending' AND done_at < \(PostgresValues.time(date))")
    }

    static func channel(_ row: PostgresRow) throws -> NotificationChannel {
        let (id, user, kind, name, target, preset, events, token, code, offset, minutes, result, resultAt, ok, created) = try row.decode(
            (Int64, Int64, String, String, String, String?, String, String?, String?, Int64, Int32, String?, Date?, Bool?, Date).self)
        return NotificationChannel(
            id: id, userID: UserID(rawValue: user), kind: ChannelKind(rawValue: kind) ?? .webhook, name: name, target: target,
            preset: preset.flatMap(WebhookPreset.init(rawValue:)), events: NotificationEvent.stored(events), secretToken: token, linkCode: code,
            updateOffset: offset, unreachableMinutes: Int(minutes), lastResult: result, lastResultAt: resultAt.map(PostgresValues.readTime), lastOK: ok,
            createdAt: PostgresValues.readTime(created))
    }

    static func item(_ row: PostgresRow) throws -> OutboxItem {
        let (id, channel, user, event, key, text, data, queued, attempts, next) = try row.decode(
            (Int64, Int64, Int64, String, String, String, String, Date, Int32, Date).self)
        return OutboxItem(
            id: id, channelID: channel, userID: UserID(rawValue: user), event: event, key: key, text: text, data: data,
            queuedAt: PostgresValues.readTime(queued), attempts: Int(attempts), nextAt: PostgresValues.readTime(next))
    }
}
