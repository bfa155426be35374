import Foundation
import GRDB

/// The tables `signal_hooks` (a bot's hook: at most one per bot) and `signal_records` (every
/// signal a hook received, accepted or refused; the newest ``SignalHookRecord/keptPerBot`` per
/// bot), written by the web only. Deleting a bot deletes both.
public protocol SignalHookStore: Sendable {
    /// The hook its URL names, whoever owns it.
    func hook(id: String) throws -> SignalHook?
    func hook(bot: Int64, for user: UserID) throws -> SignalHook?
    /// Makes the bot's hook, or replaces it (a regenerated URL and secret; its records stay).
    func saveHook(_ hook: SignalHook) throws
    /// Changes a hook's limits; false when the bot has none.
    func updateLimits(bot: Int64, for user: UserID, _ limits: SignalHookLimits) throws -> Bool
    func deleteHook(bot: Int64, for user: UserID) throws -> Bool
    /// Whether the hook accepted a signal with this `id` before.
    func seen(hook: String, signalID: String) throws -> Bool
    /// How many signals the hook recorded since `since` (its rate limit).
    func count(hook: String, since: Date) throws -> Int
    /// Records a signal; returns its id. Throws ``SignalReplayed`` when an accepted one with the
    /// same hook and `id` is there already.
    func record(_ record: SignalHookRecord) throws -> Int64
    /// The outcome of handing an accepted signal to the worker: its command, or a refusal.
    func settle(record id: Int64, accepted: Bool, reason: String?, commandID: Int64?) throws
    /// The bot's signals, newest first.
    func records(bot: Int64, for user: UserID, limit: Int) throws -> [SignalHookRecord]
}

public struct SQLiteSignalHookStore: SignalHookStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func hook(id: String) throws -> SignalHook? {
        try db.read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM signal_hooks WHERE id = ?"), arguments: [id]).map(Self.hook) }
    }

    public func hook(bot: Int64, for user: UserID) throws -> SignalHook? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM signal_hooks WHERE bot_id = ? AND user_id = ?", arguments: [bot, user.rawValue]).map(Self.hook)
        }
    }

    public func saveHook(_ hook: SignalHook) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM signal_hooks WHERE bot_id = ?", arguments: [hook.botID])
            try db.execute(
                sql: """
                    INSERT INTO signal_hooks (id, user_id, bot_id, secret_digest, max_lag_seconds, per_minute, allowed_addresses, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    hook.id, hook.userID.rawValue, hook.botID, hook.secretDigest, hook.maxLagSeconds, hook.perMinute,
                    hook.allowedAddresses.joined(separator: " "), Timestamp.string(hook.createdAt),
                ])
        }
    }

    public func updateLimits(bot: Int64, for user: UserID, _ limits: SignalHookLimits) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: "UPDATE signal_hooks SET max_lag_seconds = ?, per_minute = ?, allowed_addresses = ? WHERE bot_id = ? AND user_id = ?",
                arguments: [limits.maxLagSeconds, limits.perMinute, limits.allowedAddresses.joined(separator: " "), bot, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func deleteHook(bot: Int64, for user: UserID) throws -> Bool {
        try db.write { db in
            try db.execute(sql: "DELETE FROM signal_hooks WHERE bot_id = ? AND user_id = ?", arguments: [bot, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func seen(hook: String, signalID: String) throws -> Bool {
        try db.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM signal_records WHERE hook_id = ? AND signal_id = ? AND accepted = 1)"),
                arguments: [hook, signalID]) ?? false
        }
    }

    public func count(hook: String, since: Date) throws -> Int {
        try db.read { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM signal_records WHERE hook_id = ? AND received_at >= ?"),
                arguments: [hook, Timestamp.string(since)]) ?? 0
        }
    }

    public func record(_ record: SignalHookRecord) throws -> Int64 {
        do {
            return try db.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO signal_records (hook_id, user_id, bot_id, received_at, address, accepted, reason, action, signal_id, command_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.hookID, record.userID.rawValue, record.botID, Timestamp.string(record.receivedAt), record.address, record.accepted,
                        record.reason, record.action, record.signalID, record.commandID,
                    ])
                let id = db.lastInsertedRowID
                if id % 50 == 0 {
                    try db.execute(
                        sql: """
                            DELETE FROM signal_records WHERE bot_id = ? AND id < (
                                SELECT id FROM signal_records WHERE bot_id = ? ORDER BY id DESC LIMIT 1 OFFSET \(SignalHookRecord.keptPerBot - 1))
                            """,
                        arguments: [record.botID, record.botID])
                }
                return id
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw SignalReplayed()
        }
    }

    public func settle(record id: Int64, accepted: Bool, reason: String?, commandID: Int64?) throws {
        try db.write { db in
            try db.execute(
                sql: "UPDATE signal_records SET accepted = ?, reason = ?, command_id = ? WHERE id = ?", arguments: [accepted, reason, commandID, id])
        }
    }

    public func records(bot: Int64, for user: UserID, limit: Int) throws -> [SignalHookRecord] {
        try db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM signal_records WHERE bot_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?", arguments: [bot, user.rawValue, limit]
            ).map(Self.record)
        }
    }

    static func hook(_ row: Row) -> SignalHook {
        SignalHook(
            id: row["id"], userID: UserID(rawValue: row["user_id"]), botID: row["bot_id"], secretDigest: row["secret_digest"],
            maxLagSeconds: row["max_lag_seconds"], perMinute: row["per_minute"],
            allowedAddresses: (row["allowed_addresses"] as String).split(separator: " ").map(String.init),
            createdAt: Timestamp.date(row["created_at"] as String) ?? .distantPast)
    }

    static func record(_ row: Row) -> SignalHookRecord {
        SignalHookRecord(
            id: row["id"], hookID: row["hook_id"], userID: UserID(rawValue: row["user_id"]), botID: row["bot_id"],
            receivedAt: Timestamp.date(row["received_at"] as String) ?? .distantPast, address: row["address"], accepted: row["accepted"], reason: row["reason"],
            action: row["action"], signalID: row["signal_id"], commandID: row["command_id"])
    }
}
