import Foundation
import GRDB

/// A signed-in browser or client, as stored: the SHA-256 of its id, never the id itself.
public struct StoredSession: Sendable, Equatable {
    public var idHash: String
    public var userID: UserID
    public var csrfToken: String
    /// "Keep me signed in": the cookie outlives the browser session.
    public var persistent: Bool
    public var createdAt: Date
    public var lastSeenAt: Date
    /// The absolute end, whatever the activity.
    public var expiresAt: Date
    public var userAgent: String?
    /// The client's address at login.
    public var address: String?

    public init(
        idHash: String, userID: UserID, csrfToken: String, persistent: Bool, createdAt: Date, lastSeenAt: Date, expiresAt: Date,
        userAgent: String?, address: String? = nil
    ) {
        self.address = address
        self.idHash = idHash
        self.userID = userID
        self.csrfToken = csrfToken
        self.persistent = persistent
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.userAgent = userAgent
    }
}

/// The `sessions` table. Written by the web only.
public protocol SessionStore: Sendable {
    func insert(_ session: StoredSession) throws
    func session(idHash: String) throws -> StoredSession?
    func touch(idHash: String, at: Date) throws
    func delete(idHash: String) throws
    /// Ends every session of a user (a password change); returns how many.
    @discardableResult func deleteAll(of user: UserID) throws -> Int
    /// Removes sessions past their absolute end or idle since before `idleBefore`.
    @discardableResult func deleteExpired(now: Date, idleBefore: Date) throws -> Int
    func count(of user: UserID) throws -> Int
    /// A user's sessions, the most recently seen first.
    func sessions(of user: UserID) throws -> [StoredSession]
}

public struct SQLiteSessionStore: SessionStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func insert(_ s: StoredSession) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO sessions (id_hash, user_id, csrf_token, persistent, created_at, last_seen_at, expires_at, user_agent, address)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    s.idHash, s.userID.rawValue, s.csrfToken, s.persistent, Timestamp.string(s.createdAt), Timestamp.string(s.lastSeenAt),
                    Timestamp.string(s.expiresAt), s.userAgent.map { String($0.prefix(200)) }, s.address.map { String($0.prefix(64)) },
                ]
            )
        }
    }

    public func session(idHash: String) throws -> StoredSession? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE id_hash = ?"), arguments: [idHash]).map(Self.session)
        }
    }

    public func sessions(of user: UserID) throws -> [StoredSession] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC", arguments: [user.rawValue]).map(Self.session)
        }
    }

    static func session(_ row: Row) -> StoredSession {
        StoredSession(
            idHash: row["id_hash"], userID: UserID(row["user_id"]), csrfToken: row["csrf_token"], persistent: row["persistent"],
            createdAt: Timestamp.date(row["created_at"]) ?? .distantPast,
            lastSeenAt: Timestamp.date(row["last_seen_at"]) ?? .distantPast,
            expiresAt: Timestamp.date(row["expires_at"]) ?? .distantPast, userAgent: row["user_agent"], address: row["address"]
        )
    }

    public func touch(idHash: String, at: Date) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", arguments: [Timestamp.string(at), idHash])
        }
    }

    public func delete(idHash: String) throws {
        try db.write { db in try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [idHash]) }
    }

    @discardableResult
    public func deleteAll(of user: UserID) throws -> Int {
        try db.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [user.rawValue])
            return db.changesCount
        }
    }

    @discardableResult
    public func deleteExpired(now: Date, idleBefore: Date) throws -> Int {
        try db.write { db in
            try db.execute(
                sql: "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?",
                arguments: [Timestamp.string(now), Timestamp.string(idleBefore)]
            )
            return db.changesCount
        }
    }

    public func count(of user: UserID) throws -> Int {
        try db.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM sessions WHERE user_id = ?"), arguments: [user.rawValue]) ?? 0 }
    }
}
