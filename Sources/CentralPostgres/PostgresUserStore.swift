import Common
import Foundation
import PostgresNIO

/// The `UserStore` on PostgreSQL. Usernames compare as SQLite's `NOCASE` does (ASCII letters
/// folded), through the `users_username_nocase` index on `lower(username COLLATE "C")`.
public struct PostgresUserStore: UserStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    /// The insert checks the name itself, so a taken name does not draw an id from the identity
    /// sequence (SQLite's AUTOINCREMENT gives the next account the next id). Two sign-ups of one
    /// name at once both pass that check; the unique index refuses the second.
    public func createUser(username: String, passwordHash: String, at: Date) throws -> UserID {
        let rows: [PostgresRow]
        do {
            rows = try db.query(
                """
                INSERT INTO users (username, password_hash, created_at, is_admin)
                SELECT \(username), \(passwordHash), \(PostgresValues.time(at)), NOT EXISTS (SELECT 1 FROM users)
                WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(username COLLATE "C") = lower(\(username) COLLATE "C"))
                RETURNING id
                """
            )
        } catch let failure as PostgresFailure where failure.isUniqueViolation {
            throw UsernameTaken()
        }
        guard let row = rows.first else { throw UsernameTaken() }
        return UserID(try row.decode(Int64.self))
    }

    public func user(_ id: UserID) throws -> StoredUser? {
        try db.query("SELECT id, username, created_at, language, is_admin, disabled_at, approved_at FROM users WHERE id = \(id.rawValue)").first.map(Self.user)
    }

    public func credentials(username: String) throws -> (user: StoredUser, passwordHash: String)? {
        let rows = try db.query(
            """
            SELECT id, username, created_at, language, is_admin, disabled_at, approved_at, password_hash FROM users
            WHERE lower(username COLLATE "C") = lower(\(username) COLLATE "C")
            """
        )
        return try rows.first.map { row in (try Self.user(row), try row.makeRandomAccess()["password_hash"].decode(String.self)) }
    }

    public func passwordHash(_ id: UserID) throws -> String? {
        try db.query("SELECT password_hash FROM users WHERE id = \(id.rawValue)").first?.decode(String.self)
    }

    public func setPasswordHash(_ hash: String, for id: UserID, at: Date) throws {
        try db.execute("UPDATE users SET password_hash = \(hash), password_changed_at = \(PostgresValues.time(at)) WHERE id = \(id.rawValue)")
    }

    public func setLanguage(_ language: String?, for id: UserID) throws {
        try db.execute("UPDATE users SET language = \(language) WHERE id = \(id.rawValue)")
    }

    public func setAdmin(_ admin: Bool, for id: UserID) throws {
        try db.execute("UPDATE users SET is_admin = \(admin) WHERE id = \(id.rawValue)")
    }

    public func setDisabled(at: Date?, for id: UserID) throws {
        try db.execute("UPDATE users SET disabled_at = \(at.map(PostgresValues.time)) WHERE id = \(id.rawValue)")
    }

    public func setApproved(at: Date?, for id: UserID) throws {
        try db.execute("UPDATE users SET approved_at = \(at.map(PostgresValues.time)) WHERE id = \(id.rawValue)")
    }

    public func allUsers() throws -> [StoredUser] {
        try db.query("SELECT id, username, created_at, language, is_admin, disabled_at, approved_at FROM users ORDER BY id").map(Self.user)
    }

    /// A row whose first six columns are `id, username, created_at, language, is_admin, disabled_at, approved_at`.
    static func user(_ row: PostgresRow) throws -> StoredUser {
        let columns = row.makeRandomAccess()
        return StoredUser(
            id: UserID(try columns[0].decode(Int64.self)), username: try columns[1].decode(String.self),
            createdAt: PostgresValues.readTime(try columns[2].decode(Date.self)), language: try columns[3].decode(String?.self),
            isAdmin: try columns[4].decode(Bool.self), disabledAt: try columns[5].decode(Date?.self).map(PostgresValues.readTime),
            approvedAt: try columns[6].decode(Date?.self).map(PostgresValues.readTime)
        )
    }
}
