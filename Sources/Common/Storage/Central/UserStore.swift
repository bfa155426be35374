import Foundation
import GRDB

/// A user account as stored.
public struct StoredUser: Sendable, Equatable {
    public let id: UserID
    public let username: String
    public let createdAt: Date
    /// The dashboard language the user chose (`en`, `ko`), or nil: the browser's.
    public var language: String? = nil

    public init(id: UserID, username: String, createdAt: Date, language: String? = nil) {
        self.id = id
        self.username = username
        self.createdAt = createdAt
        self.language = language
    }
}

/// The `users` table. Written by the web.
public protocol UserStore: Sendable {
    /// Creates an account; nil when the username is taken (in any letter case).
    func createUser(username: String, passwordHash: String, at: Date) throws -> UserID
    func user(_ id: UserID) throws -> StoredUser?
    /// The account and its password hash, by username in any letter case.
    func credentials(username: String) throws -> (user: StoredUser, passwordHash: String)?
    func passwordHash(_ id: UserID) throws -> String?
    func setPasswordHash(_ hash: String, for id: UserID, at: Date) throws
    func setLanguage(_ language: String?, for id: UserID) throws
}

/// Thrown by ``UserStore/createUser(username:passwordHash:at:)`` for a taken username.
public struct UsernameTaken: Error, CustomStringConvertible {
    public var description: String { "This username is taken." }
    public init() {}
}

public struct SQLiteUserStore: UserStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func createUser(username: String, passwordHash: String, at: Date = Date()) throws -> UserID {
        do {
            return try db.write { db in
                try db.execute(
                    sql: "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)",
                    arguments: [username, passwordHash, Timestamp.string(at)]
                )
                return UserID(db.lastInsertedRowID)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw UsernameTaken()
        }
    }

    public func user(_ id: UserID) throws -> StoredUser? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, username, created_at, language FROM users WHERE id = ?"), arguments: [id.rawValue]).map(Self.user)
        }
    }

    public func credentials(username: String) throws -> (user: StoredUser, passwordHash: String)? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, username, created_at, language, password_hash FROM users WHERE username = ?"), arguments: [username])
                .map { (Self.user($0), $0["password_hash"]) }
        }
    }

    public func passwordHash(_ id: UserID) throws -> String? {
        try db.read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT password_hash FROM users WHERE id = ?"), arguments: [id.rawValue]) }
    }

    public func setPasswordHash(_ hash: String, for id: UserID, at: Date) throws {
        try db.write { db in
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                arguments: [hash, Timestamp.string(at), id.rawValue]
            )
        }
    }

    public func setLanguage(_ language: String?, for id: UserID) throws {
        try db.write { db in try db.execute(sql: "UPDATE users SET language = ? WHERE id = ?", arguments: [language, id.rawValue]) }
    }

    static func user(_ row: Row) -> StoredUser {
        StoredUser(
            id: UserID(row["id"]), username: row["username"], createdAt: Timestamp.date(row["created_at"]) ?? .distantPast, language: row["language"]
        )
    }
}
