import Foundation
import GRDB

/// A user's exchange key as stored: only Fernet tokens and a masked form, never the plain key.
public struct StoredExchangeKey: Sendable, Equatable {
    public var userID: UserID
    public var apiKeyToken: String
    public var apiSecretToken: String
    public var maskedKey: String
    public var canTrade: Bool
    public var verifiedAt: Date?
    /// Grows at every store, so the supervisor notices a replaced key.
    public var revision: Int64

    public init(userID: UserID, apiKeyToken: String, apiSecretToken: String, maskedKey: String, canTrade: Bool, verifiedAt: Date?, revision: Int64 = 0) {
        self.userID = userID
        self.apiKeyToken = apiKeyToken
        self.apiSecretToken = apiSecretToken
        self.maskedKey = maskedKey
        self.canTrade = canTrade
        self.verifiedAt = verifiedAt
        self.revision = revision
    }
}

/// The `exchange_keys` table. Written by the supervisor only (the web never sees the master key).
public protocol ExchangeKeyStore: Sendable {
    /// Stores or replaces a user's key; returns the new revision.
    @discardableResult func storeKey(_ key: StoredExchangeKey, at: Date) throws -> Int64
    /// Erases a user's tokens; `false` when there were none.
    @discardableResult func deleteKey(for user: UserID) throws -> Bool
    func key(for user: UserID) throws -> StoredExchangeKey?
    /// Every user with a stored key, with the key's revision.
    func keyRevisions() throws -> [UserID: Int64]
    /// Every stored token (keys and secrets, and the notification channels' sealed secrets),
    /// for checks of the master key.
    func allTokens() throws -> [String]
    /// Replaces every token (the channels' too) by `transform(token)` in one transaction: all or nothing.
    @discardableResult func reencryptAll(_ transform: (String) throws -> String) throws -> Int
}

public struct SQLiteExchangeKeyStore: ExchangeKeyStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    @discardableResult
    public func storeKey(_ key: StoredExchangeKey, at: Date = Date()) throws -> Int64 {
        try db.write { db in
            let revision = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(revision) FROM exchange_keys")) ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO exchange_keys (user_id, api_key_token, api_secret_token, masked_key, can_trade, verified_at, revision, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(user_id) DO UPDATE SET api_key_token = excluded.api_key_token,
                        api_secret_token = excluded.api_secret_token, masked_key = excluded.masked_key,
                        can_trade = excluded.can_trade, verified_at = excluded.verified_at,
                        revision = excluded.revision, updated_at = excluded.updated_at
                    """,
                arguments: [
                    key.userID.rawValue, key.apiKeyToken, key.apiSecretToken, key.maskedKey, key.canTrade,
                    key.verifiedAt.map(Timestamp.string), revision, Timestamp.string(at),
                ]
            )
            return revision
        }
    }

    @discardableResult
    public func deleteKey(for user: UserID) throws -> Bool {
        try db.write { db in
            try db.execute(sql: "DELETE FROM exchange_keys WHERE user_id = ?", arguments: [user.rawValue])
            return db.changesCount > 0
        }
    }

    public func key(for user: UserID) throws -> StoredExchangeKey? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM exchange_keys WHERE user_id = ?"), arguments: [user.rawValue]).map { row in
                StoredExchangeKey(
                    userID: UserID(row["user_id"]), apiKeyToken: row["api_key_token"], apiSecretToken: row["api_secret_token"],
                    maskedKey: row["masked_key"], canTrade: row["can_trade"],
                    verifiedAt: (row["verified_at"] as String?).flatMap(Timestamp.date), revision: row["revision"]
                )
            }
        }
    }

    public func allTokens() throws -> [String] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT api_key_token, api_secret_token FROM exchange_keys ORDER BY user_id")).flatMap {
                [$0["api_key_token"], $0["api_secret_token"]] as [String]
            } + String.fetchAll(db, sql: "SELECT secret_token FROM notification_channels WHERE secret_token IS NOT NULL ORDER BY id")
        }
    }

    @discardableResult
    public func reencryptAll(_ transform: (String) throws -> String) throws -> Int {
        try db.write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT user_id, api_key_token, api_secret_token FROM exchange_keys"))
            for row in rows {
                try db.execute(
                    sql: "UPDATE exchange_keys SET api_key_token = ?, api_secret_token = ? WHERE user_id = ?",
                    arguments: [try transform(row["api_key_token"]), try transform(row["api_secret_token"]), row["user_id"] as Int64]
                )
            }
            let channels = try Row.fetchAll(db, sql: "SELECT id, secret_token FROM notification_channels WHERE secret_token IS NOT NULL")
            for row in channels {
                try db.execute(
                    sql: "UPDATE notification_channels SET secret_token = ? WHERE id = ?", arguments: [try transform(row["secret_token"]), row["id"] as Int64])
            }
            return rows.count + channels.count
        }
    }

    public func keyRevisions() throws -> [UserID: Int64] {
        try db.read { db in
            var result: [UserID: Int64] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT user_id, revision FROM exchange_keys")) {
                result[UserID(row["user_id"])] = row["revision"]
            }
            return result
        }
    }
}
