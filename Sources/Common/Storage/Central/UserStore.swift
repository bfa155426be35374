import Foundation
import GRDB

/// A user account as stored.
public struct StoredUser: Sendable, Equatable {
    public let id: UserID
    public let username: String
    public let createdAt: Date
}

/// The `users` table. Written by the web (and by tests, until sign-up exists).
public protocol UserStore: Sendable {
    func createUser(username: String, passwordHash: String, at: Date) throws -> UserID
    func user(_ id: UserID) throws -> StoredUser?
}

public struct SQLiteUserStore: UserStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func createUser(username: String, passwordHash: String, at: Date = Date()) throws -> UserID {
        try db.write { db in
            try db.execute(
                sql: "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)",
                arguments: [username, passwordHash, Timestamp.string(at)]
            )
            return UserID(db.lastInsertedRowID)
        }
    }

    public func user(_ id: UserID) throws -> StoredUser? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT id, username, created_at FROM users WHERE id = ?", arguments: [id.rawValue])
                .map { StoredUser(id: UserID($0["id"]), username: $0["username"], createdAt: Timestamp.date($0["created_at"]) ?? .distantPast) }
        }
    }
}
