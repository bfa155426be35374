import Foundation
import GRDB

/// The `commands` table: every command the web sent for a user's bot, as the supervisor received
/// it, and when the worker got and acknowledged it. Written by the supervisor only.
public protocol CommandStore: Sendable {
    func record(user: UserID, command: String, payload: String?, at: Date) throws -> Int64
    func markDelivered(id: Int64, at: Date) throws
    func markAcknowledged(user: UserID, id: Int64, result: String, at: Date) throws
    /// Commands recorded for a user that no worker has received yet, oldest first.
    func undelivered(user: UserID) throws -> [StoredCommand]
    /// Several hosts: takes the commands of `users` that no worker has received and that were
    /// recorded before `recordedBefore`, marking them delivered at `at` in the same write, oldest
    /// first; two hosts never take the same one. (The host that records a command for a worker
    /// it runs delivers it itself at once; the grace lets it.)
    func takeUndelivered(users: Set<UserID>, recordedBefore: Date, at: Date) throws -> [StoredCommand]
    func command(id: Int64) throws -> StoredCommand?
    /// The user's newest command of that name (`settings_changed`, …), if any.
    func latest(user: UserID, command: String) throws -> StoredCommand?
    /// The id of the user's most recently acknowledged command (0 when none): the live feed's mark.
    func lastAcknowledgedID(user: UserID) throws -> Int64
}

/// A command as recorded.
public struct StoredCommand: Sendable, Equatable {
    public var id: Int64
    public var userID: UserID
    public var command: String
    public var payload: String?
    public var createdAt: Date?
    public var deliveredAt: Date?
    public var acknowledgedAt: Date?
    public var result: String?

    public init(
        id: Int64, userID: UserID, command: String, payload: String? = nil, createdAt: Date? = nil, deliveredAt: Date? = nil,
        acknowledgedAt: Date? = nil, result: String? = nil
    ) {
        self.id = id
        self.userID = userID
        self.command = command
        self.payload = payload
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
        self.acknowledgedAt = acknowledgedAt
        self.result = result
    }
}

public struct SQLiteCommandStore: CommandStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func record(user: UserID, command: String, payload: String?, at: Date = Date()) throws -> Int64 {
        try db.write { db in
            try db.execute(
                sql: "INSERT INTO commands (user_id, command, payload, created_at) VALUES (?, ?, ?, ?)",
                arguments: [user.rawValue, command, payload, Timestamp.string(at)]
            )
            return db.lastInsertedRowID
        }
    }

    public func markDelivered(id: Int64, at: Date = Date()) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE commands SET delivered_at = ? WHERE id = ?", arguments: [Timestamp.string(at), id])
        }
    }

    public func takeUndelivered(users: Set<UserID>, recordedBefore: Date, at: Date) throws -> [StoredCommand] {
        guard !users.isEmpty else { return [] }
        let ids = users.map { String($0.rawValue) }.joined(separator: ",")
        return try db.write { db in
            let taken = try Row.fetchAll(
                db, sql: "SELECT * FROM commands WHERE user_id IN (\(ids)) AND delivered_at IS NULL AND created_at < ? ORDER BY id",
                arguments: [Timestamp.string(recordedBefore)]
            ).map(Self.decode)
            for command in taken {
                try db.execute(sql: "UPDATE commands SET delivered_at = ? WHERE id = ?", arguments: [Timestamp.string(at), command.id])
            }
            return taken.map { command in
                var command = command
                command.deliveredAt = Timestamp.date(Timestamp.string(at))
                return command
            }
        }
    }

    public func undelivered(user: UserID) throws -> [StoredCommand] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM commands WHERE user_id = ? AND delivered_at IS NULL ORDER BY id"), arguments: [user.rawValue]
            ).map(Self.decode)
        }
    }

    public func command(id: Int64) throws -> StoredCommand? {
        try db.read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM commands WHERE id = ?"), arguments: [id]).map(Self.decode) }
    }

    public func latest(user: UserID, command: String) throws -> StoredCommand? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM commands WHERE user_id = ? AND command = ? ORDER BY id DESC LIMIT 1"), arguments: [user.rawValue, command]
            ).map(Self.decode)
        }
    }

    public func lastAcknowledgedID(user: UserID) throws -> Int64 {
        try db.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM commands WHERE user_id = ? AND acknowledged_at IS NOT NULL ORDER BY acknowledged_at DESC, id DESC LIMIT 1"),
                arguments: [user.rawValue]
            ) ?? 0
        }
    }

    static func decode(_ row: Row) -> StoredCommand {
        StoredCommand(
            id: row["id"], userID: UserID(rawValue: row["user_id"]), command: row["command"], payload: row["payload"],
            createdAt: (row["created_at"] as String?).flatMap(Timestamp.date), deliveredAt: (row["delivered_at"] as String?).flatMap(Timestamp.date),
            acknowledgedAt: (row["acknowledged_at"] as String?).flatMap(Timestamp.date), result: row["result"]
        )
    }

    /// Scoped by user: a worker can only acknowledge its own user's commands.
    public func markAcknowledged(user: UserID, id: Int64, result: String, at: Date = Date()) throws {
        try db.write { db in
            try db.execute(
                sql: "UPDATE commands SET acknowledged_at = ?, result = ? WHERE id = ? AND user_id = ?",
                arguments: [Timestamp.string(at), result, id, user.rawValue]
            )
        }
    }
}
