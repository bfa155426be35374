import Foundation
import GRDB

/// The `api_tokens` table: users' personal API tokens, by the SHA-256 of the token. Written by
/// the web.
public protocol APITokenStore: Sendable {
    func create(user: UserID, name: String, tokenHash: String, scopes: Set<APIScope>, at: Date, expiresAt: Date) throws -> StoredAPIToken
    /// A user's tokens, newest first (revoked and expired ones too: the list says so).
    func tokens(for user: UserID) throws -> [StoredAPIToken]
    /// The token whose hash this is, in whatever state.
    func token(hash: String) throws -> StoredAPIToken?
    /// Writes the token's last use.
    func touch(id: Int64, at: Date) throws
    /// Revokes one of the user's tokens; false when it is not theirs or was revoked already.
    func revoke(id: Int64, user: UserID, at: Date) throws -> Bool
    /// Revokes every token of the user (a disabled account); how many.
    func revokeAll(user: UserID, at: Date) throws -> Int
}

public struct SQLiteAPITokenStore: APITokenStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func create(user: UserID, name: String, tokenHash: String, scopes: Set<APIScope>, at: Date, expiresAt: Date) throws -> StoredAPIToken {
        try db.write { db in
            try db.execute(
                sql: "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [user.rawValue, name, tokenHash, APIScope.text(scopes), Timestamp.string(at), Timestamp.string(expiresAt)])
            let id = db.lastInsertedRowID
            return try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE id = ?", arguments: [id]).map(Self.token)!
        }
    }

    public func tokens(for user: UserID) throws -> [StoredAPIToken] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id DESC", arguments: [user.rawValue]).map(Self.token)
        }
    }

    public func token(hash: String) throws -> StoredAPIToken? {
        try db.read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_tokens WHERE token_hash = ?"), arguments: [hash]).map(Self.token) }
    }

    public func touch(id: Int64, at: Date) throws {
        try db.write { db in try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [Timestamp.string(at), id]) }
    }

    public func revoke(id: Int64, user: UserID, at: Date) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                arguments: [Timestamp.string(at), id, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func revokeAll(user: UserID, at: Date) throws -> Int {
        try db.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", arguments: [Timestamp.string(at), user.rawValue])
            return db.changesCount
        }
    }

    static func token(_ row: Row) -> StoredAPIToken {
        StoredAPIToken(
            id: row["id"], userID: UserID(row["user_id"]), name: row["name"], scopes: APIScope.parse(row["scopes"]),
            createdAt: Timestamp.date(row["created_at"]) ?? .distantPast, expiresAt: Timestamp.date(row["expires_at"]) ?? .distantPast,
            lastUsedAt: (row["last_used_at"] as String?).flatMap(Timestamp.date), revokedAt: (row["revoked_at"] as String?).flatMap(Timestamp.date))
    }
}
