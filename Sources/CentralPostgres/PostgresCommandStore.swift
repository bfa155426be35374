import Common
import Foundation
import PostgresNIO

/// The `CommandStore` on PostgreSQL.
public struct PostgresCommandStore: CommandStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    static let columns = "id, user_id, command, payload, created_at, delivered_at, acknowledged_at, result"

    public func record(user: UserID, command: String, payload: String?, at: Date) throws -> Int64 {
        let rows = try db.query(
            """
            INSERT INTO commands (user_id, command, payload, created_at)
            VALUES (\(user.rawValue), \(command), \(payload), \(PostgresValues.time(at)))
            RETURNING id
            """
        )
        return try rows.first?.decode(Int64.self) ?? 0
    }

    public func markDelivered(id: Int64, at: Date) throws {
        try db.execute("UPDATE commands SET delivered_at = \(PostgresValues.time(at)) WHERE id = \(id)")
    }

    /// Scoped by user: a worker can only acknowledge its own user's commands.
    public func markAcknowledged(user: UserID, id: Int64, result: String, at: Date) throws {
        try db.execute(
            """
            UPDATE commands SET acknowledged_at = \(PostgresValues.time(at)), result = \(result)
            WHERE id = \(id) AND user_id = \(user.rawValue)
            """
        )
    }

    /// Rows another host is taking are skipped, not waited for.
    public func takeUndelivered(users: Set<UserID>, recordedBefore: Date, at: Date) throws -> [StoredCommand] {
        guard !users.isEmpty else { return [] }
        let ids = users.map(\.rawValue)
        return try db.query(
            """
            UPDATE commands SET delivered_at = \(PostgresValues.time(at))
            WHERE id IN (
                SELECT id FROM commands WHERE user_id = ANY(\(ids)) AND delivered_at IS NULL AND created_at < \(PostgresValues.time(recordedBefore))
                ORDER BY id FOR UPDATE SKIP LOCKED
            )
            RETURNING \(unescaped: Self.columns)
            """
        ).map(Self.decode).sorted { $0.id < $1.id }
    }

    public func undelivered(user: UserID) throws -> [StoredCommand] {
        try db.query(
            "SELECT \(unescaped: Self.columns) FROM commands WHERE user_id = \(user.rawValue) AND delivered_at IS NULL ORDER BY id"
        ).map(Self.decode)
    }

    public func command(id: Int64) throws -> StoredCommand? {
        try db.query("SELECT \(unescaped: Self.columns) FROM commands WHERE id = \(id)").first.map(Self.decode)
    }

    public func latest(user: UserID, command: String) throws -> StoredCommand? {
        try db.query(
            """
            SELECT \(unescaped: Self.columns) FROM commands WHERE user_id = \(user.rawValue) AND command = \(command)
            ORDER BY id DESC LIMIT 1
            """
        ).first.map(Self.decode)
    }

    /// Of two acknowledged in one millisecond, the higher id (SQLite's tie-breaker).
    public func lastAcknowledgedID(user: UserID) throws -> Int64 {
        let rows = try db.query(
            """
            SELECT id FROM commands WHERE user_id = \(user.rawValue) AND acknowledged_at IS NOT NULL
            ORDER BY acknowledged_at DESC, id DESC LIMIT 1
            """
        )
        return try rows.first?.decode(Int64.self) ?? 0
    }

    /// A row of ``columns``.
    static func decode(_ row: PostgresRow) throws -> StoredCommand {
        let (id, user, command, payload, createdAt, deliveredAt, acknowledgedAt, result) = try row.decode(
            (Int64, Int64, String, String?, Date, Date?, Date?, String?).self
        )
        return StoredCommand(
            id: id, userID: UserID(rawValue: user), command: command, payload: payload, createdAt: PostgresValues.readTime(createdAt),
            deliveredAt: deliveredAt.map(PostgresValues.readTime), acknowledgedAt: acknowledgedAt.map(PostgresValues.readTime), result: result
        )
    }
}
