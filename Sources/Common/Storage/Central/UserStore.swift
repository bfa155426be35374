import Foundation
import GRDB

/// A user account as stored.
public struct StoredUser: Sendable, Equatable {
    public let id: UserID
    public let username: String
    public let createdAt: Date
    /// The dashboard language the user chose (`en`, `ko`), or nil: the browser's.
    public var language: String? = nil
    /// An administrator: the first account of an installation, or one `supervisor admin grant` named.
    public var isAdmin = false
    /// When an administrator disabled the account (nil: it is enabled): it cannot sign in.
    public var disabledAt: Date? = nil
    /// When an administrator approved the account for live trading (the accounts that existed
    /// before approvals: when they were created); nil: not approved.
    public var approvedAt: Date? = nil

    public init(
        id: UserID, username: String, createdAt: Date, language: String? = nil, isAdmin: Bool = false, disabledAt: Date? = nil, approvedAt: Date? = nil
    ) {
        self.id = id
        self.username = username
        self.createdAt = createdAt
        self.language = language
        self.isAdmin = isAdmin
        self.disabledAt = disabledAt
        self.approvedAt = approvedAt
    }

    public var isDisabled: Bool { disabledAt != nil }
    /// May trade live under the "paper only until approved" policy: approved, or an administrator.
    public var isApproved: Bool { isAdmin || approvedAt != nil }
}

/// The `users` table. Written by the web (and an account's role by `supervisor admin`). The
/// first account created on an installation is its administrator.
public protocol UserStore: Sendable {
    /// Creates an account; nil when the username is taken (in any letter case).
    func createUser(username: String, passwordHash: String, at: Date) throws -> UserID
    func user(_ id: UserID) throws -> StoredUser?
    /// The account and its password hash, by username in any letter case.
    func credentials(username: String) throws -> (user: StoredUser, passwordHash: String)?
    func passwordHash(_ id: UserID) throws -> String?
    func setPasswordHash(_ hash: String, for id: UserID, at: Date) throws
    func setLanguage(_ language: String?, for id: UserID) throws
    /// Makes the account an administrator or takes the role away.
    func setAdmin(_ admin: Bool, for id: UserID) throws
    /// Disables the account (`at`) or enables it again (nil).
    func setDisabled(at: Date?, for id: UserID) throws
    /// Approves the account for live trading (`at`) or takes the approval back (nil).
    func setApproved(at: Date?, for id: UserID) throws
    /// Every account, by id.
    func allUsers() throws -> [StoredUser]
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
                    sql: "INSERT INTO users (username, password_hash, created_at, is_admin) VALUES (?, ?, ?, NOT EXISTS (SELECT 1 FROM users))",
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
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.columns) FROM users WHERE id = ?"), arguments: [id.rawValue]).map(Self.user)
        }
    }

    public func credentials(username: String) throws -> (user: StoredUser, passwordHash: String)? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.columns), password_hash FROM users WHERE username = ?"), arguments: [username])
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

    public func setAdmin(_ admin: Bool, for id: UserID) throws {
        try db.write { db in try db.execute(sql: "UPDATE users SET is_admin = ? WHERE id = ?", arguments: [admin, id.rawValue]) }
    }

    public func setDisabled(at: Date?, for id: UserID) throws {
        try db.write { db in try db.execute(sql: "UPDATE users SET disabled_at = ? WHERE id = ?", arguments: [at.map(Timestamp.string), id.rawValue]) }
    }

    public func allUsers() throws -> [StoredUser] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM users ORDER BY id").map(Self.user) }
    }

    public func setApproved(at: Date?, for id: UserID) throws {
        try db.write { db in try db.execute(sql: "UPDATE users SET approved_at = ? WHERE id = ?", arguments: [at.map(Timestamp.string), id.rawValue]) }
    }

    static let columns = "id, username, created_at, language, is_admin, disabled_at, approved_at"

    static func user(_ row: Row) -> StoredUser {
        StoredUser(
            id: UserID(row["id"]), username: row["username"], createdAt: Timestamp.date(row["created_at"]) ?? .distantPast, language: row["language"],
            isAdmin: row["is_admin"], disabledAt: (row["disabled_at"] as String?).flatMap(Timestamp.date),
            approvedAt: (row["approved_at"] as String?).flatMap(Timestamp.date)
        )
    }
}
