import Common
import Foundation
import PostgresNIO

/// The ``SignalHookStore`` on PostgreSQL: the same rows as on SQLite.
public struct PostgresSignalHookStore: SignalHookStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    static let hookColumns = "id, user_id, bot_id, secret_digest, max_lag_seconds, per_minute, allowed_addresses, created_at"
    static let recordColumns = "id, hook_id, user_id, bot_id, received_at, address, accepted, reason, action, signal_id, command_id"

    public func hook(id: String) throws -> SignalHook? {
        try db.query("SELECT \(unescaped: Self.hookColumns) FROM signal_hooks WHERE id = \(id)").first.map(Self.hook)
    }

    public func hook(bot: Int64, for user: UserID) throws -> SignalHook? {
        try db.query("SELECT \(unescaped: Self.hookColumns) FROM signal_hooks WHERE bot_id = \(bot) AND user_id = \(user.rawValue)").first.map(Self.hook)
    }

    public func saveHook(_ hook: SignalHook) throws {
        try db.transaction { tx in
            try tx.execute("DELETE FROM signal_hooks WHERE bot_id = \(hook.botID)")
            try tx.execute(
                """
                INSERT INTO signal_hooks (\(unescaped: Self.hookColumns))
                VALUES (\(hook.id), \(hook.userID.rawValue), \(hook.botID), \(hook.secretDigest), \(Int32(clamping: hook.maxLagSeconds)),
                    \(Int32(clamping: hook.perMinute)), \(hook.allowedAddresses.joined(separator: " ")), \(PostgresValues.time(hook.createdAt)))
                """
            )
        }
    }

    public func updateLimits(bot: Int64, for user: UserID, _ limits: SignalHookLimits) throws -> Bool {
        try db.execute(
            """
            UPDATE signal_hooks SET max_lag_seconds = \(Int32(clamping: limits.maxLagSeconds)), per_minute = \(Int32(clamping: limits.perMinute)),
                allowed_addresses = \(limits.allowedAddresses.joined(separator: " "))
            WHERE bot_id = \(bot) AND user_id = \(user.rawValue)
            """
        ) > 0
    }

    public func deleteHook(bot: Int64, for user: UserID) throws -> Bool {
        try db.execute("DELETE FROM signal_hooks WHERE bot_id = \(bot) AND user_id = \(user.rawValue)") > 0
    }

    public func seen(hook: String, signalID: String) throws -> Bool {
        try !db.query("SELECT 1 FROM signal_records WHERE hook_id = \(hook) AND signal_id = \(signalID) AND accepted LIMIT 1").isEmpty
    }

    public func count(hook: String, since: Date) throws -> Int {
        let rows = try db.query("SELECT count(*) FROM signal_records WHERE hook_id = \(hook) AND received_at >= \(PostgresValues.time(since))")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func record(_ record: SignalHookRecord) throws -> Int64 {
        let rows: [PostgresRow]
        do {
            rows = try db.query(
                """
                INSERT INTO signal_records (hook_id, user_id, bot_id, received_at, address, accepted, reason, action, signal_id, command_id)
                VALUES (\(record.hookID), \(record.userID.rawValue), \(record.botID), \(PostgresValues.time(record.receivedAt)), \(record.address),
                    \(record.accepted), \(record.reason), \(record.action), \(record.signalID), \(record.commandID))
                RETURNING id
                """
            )
        } catch let failure as PostgresFailure where failure.isUniqueViolation {
            throw SignalReplayed()
        }
        guard let id = try rows.first?.decode(Int64.self) else { throw PostgresFailure(sqlState: nil, description: "PostgreSQL: no id for the signal's record") }
        if id % 50 == 0 {
            try db.execute(
                """
                DELETE FROM signal_records WHERE bot_id = \(record.botID) AND id < (
                    SELECT id FROM signal_records WHERE bot_id = \(record.botID) ORDER BY id DESC LIMIT 1 OFFSET \(SignalHookRecord.keptPerBot - 1))
                """
            )
        }
        return id
    }

    public func settle(record id: Int64, accepted: Bool, reason: String?, commandID: Int64?) throws {
        try db.execute("UPDATE signal_records SET accepted = \(accepted), reason = \(reason), command_id = \(commandID) WHERE id = \(id)")
    }

    public func records(bot: Int64, for user: UserID, limit: Int) throws -> [SignalHookRecord] {
        try db.query(
            """
            SELECT \(unescaped: Self.recordColumns) FROM signal_records WHERE bot_id = \(bot) AND user_id = \(user.rawValue)
            ORDER BY id DESC LIMIT \(Int64(limit))
            """
        ).map(Self.record)
    }

    static func hook(_ row: PostgresRow) throws -> SignalHook {
        let (id, user, bot, digest, lag, perMinute, addresses, created) = try row.decode((String, Int64, Int64, String, Int32, Int32, String, Date).self)
        return SignalHook(
            id: id, userID: UserID(rawValue: user), botID: bot, secretDigest: digest, maxLagSeconds: Int(lag), perMinute: Int(perMinute),
            allowedAddresses: addresses.split(separator: " ").map(String.init), createdAt: PostgresValues.readTime(created))
    }

    static func record(_ row: PostgresRow) throws -> SignalHookRecord {
        let (id, hook, user, bot, received, address, accepted, reason, action, signalID, command) = try row.decode(
            (Int64, String, Int64, Int64, Date, String, Bool, String?, String?, String?, Int64?).self)
        return SignalHookRecord(
            id: id, hookID: hook, userID: UserID(rawValue: user), botID: bot, receivedAt: PostgresValues.readTime(received), address: address,
            accepted: accepted, reason: reason, action: action, signalID: signalID, commandID: command)
    }
}
