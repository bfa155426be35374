import Common
import Foundation
import PostgresNIO

/// The `SessionStore` on PostgreSQL.
public struct PostgresSessionStore: SessionStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    public func insert(_ s: StoredSession) throws {
        // The user agent is cut as SQLite's store cuts it: 200 characters.
        try db.execute(
            """
            INSERT INTO sessions (id_hash, user_id, csrf_token, persistent, created_at, last_seen_at, expires_at, user_agent, address)
            VALUES (\(s.idHash), \(s.userID.rawValue), \(s.csrfToken), \(s.persistent), \(PostgresValues.time(s.createdAt)),
                \(PostgresValues.time(s.lastSeenAt)), \(PostgresValues.time(s.expiresAt)), \(s.userAgent.map { String($0.prefix(200)) }),
                \(s.address.map { String($0.prefix(64)) }))
            """
        )
    }

    public func session(idHash: String) throws -> StoredSession? {
        try db.query("SELECT \(unescaped: Self.columns) FROM sessions WHERE id_hash = \(idHash)").first.map(Self.session)
    }

    public func sessions(of user: UserID) throws -> [StoredSession] {
        try db.query("SELECT \(unescaped: Self.columns) FROM sessions WHERE user_id = \(user.rawValue) ORDER BY last_seen_at DESC").map(Self.session)
    }

    static let columns = "id_hash, user_id, csrf_token, persistent, created_at, last_seen_at, expires_at, user_agent, address"

    static func session(_ row: PostgresRow) throws -> StoredSession {
        let (hash, user, csrf, persistent, created, seen, expires, agent, address) = try row.decode(
            (String, Int64, String, Bool, Date, Date, Date, String?, String?).self
        )
        return StoredSession(
            idHash: hash, userID: UserID(user), csrfToken: csrf, persistent: persistent, createdAt: PostgresValues.readTime(created),
            lastSeenAt: PostgresValues.readTime(seen), expiresAt: PostgresValues.readTime(expires), userAgent: agent, address: address
        )
    }

    public func touch(idHash: String, at: Date) throws {
        try db.execute("UPDATE sessions SET last_seen_at = \(PostgresValues.time(at)) WHERE id_hash = \(idHash)")
    }

    public func delete(idHash: String) throws {
        try db.execute("DELETE FROM sessions WHERE id_hash = \(idHash)")
    }

    @discardableResult
    public func deleteAll(of user: UserID) throws -> Int {
        try db.execute("DELETE FROM sessions WHERE user_id = \(user.rawValue)")
    }

    /// The bounds are floored to the millisecond as the stored times are, so a session that
    /// ends within `now`'s millisecond is expired here as in SQLite.
    @discardableResult
    public func deleteExpired(now: Date, idleBefore: Date) throws -> Int {
        try db.execute(
            """
            DELETE FROM sessions
            WHERE expires_at <= \(PostgresValues.time(now)) OR last_seen_at < \(PostgresValues.time(idleBefore))
            """
        )
    }

    public func count(of user: UserID) throws -> Int {
        Int(try db.query("SELECT count(*) FROM sessions WHERE user_id = \(user.rawValue)").first?.decode(Int64.self) ?? 0)
    }
}
