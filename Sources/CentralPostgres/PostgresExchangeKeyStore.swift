import Common
import Foundation
import PostgresNIO

/// The `ExchangeKeyStore` on PostgreSQL.
///
/// A revision is one more than the highest stored, as on SQLite. SQLite had one writer at a time;
/// here a store and a re-encryption take a lock on the table that only they (and other writes of
/// it) wait for, readers never: two stores at once cannot draw the same revision, and a key
/// stored during a re-encryption cannot be left out of it.
public struct PostgresExchangeKeyStore: ExchangeKeyStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    /// Conflicts with itself and with every write of the table, not with `SELECT`.
    static let writersLock: PostgresQuery = "LOCK TABLE exchange_keys IN SHARE ROW EXCLUSIVE MODE"

    @discardableResult
    public func storeKey(_ key: StoredExchangeKey, at: Date) throws -> Int64 {
        try db.transaction { tx in
            try tx.execute(Self.writersLock)
            let rows = try tx.query(
                """
                INSERT INTO exchange_keys (user_id, api_key_token, api_secret_token, masked_key, can_trade, verified_at, revision, updated_at)
                VALUES (\(key.userID.rawValue), \(key.apiKeyToken), \(key.apiSecretToken), \(key.maskedKey), \(key.canTrade),
                    \(key.verifiedAt.map(PostgresValues.time)), (SELECT coalesce(max(revision), 0) + 1 FROM exchange_keys),
                    \(PostgresValues.time(at)))
                ON CONFLICT (user_id) DO UPDATE SET api_key_token = excluded.api_key_token,
                    api_secret_token = excluded.api_secret_token, masked_key = excluded.masked_key,
                    can_trade = excluded.can_trade, verified_at = excluded.verified_at,
                    revision = excluded.revision, updated_at = excluded.updated_at
                RETURNING revision
                """
            )
            return try rows.first?.decode(Int64.self) ?? 0
        }
    }

    @discardableResult
    public func deleteKey(for user: UserID) throws -> Bool {
        try db.execute("DELETE FROM exchange_keys WHERE user_id = \(user.rawValue)") > 0
    }

    public func key(for user: UserID) throws -> StoredExchangeKey? {
        let rows = try db.query(
            """
            SELECT user_id, api_key_token, api_secret_token, masked_key, can_trade, verified_at, revision
            FROM exchange_keys WHERE user_id = \(user.rawValue)
            """
        )
        return try rows.first.map { row in
            let (user, keyToken, secretToken, masked, canTrade, verifiedAt, revision) = try row.decode(
                (Int64, String, String, String, Bool, Date?, Int64).self
            )
            return StoredExchangeKey(
                userID: UserID(user), apiKeyToken: keyToken, apiSecretToken: secretToken, maskedKey: masked, canTrade: canTrade,
                verifiedAt: verifiedAt.map(PostgresValues.readTime), revision: revision
            )
        }
    }

    public func keyRevisions() throws -> [UserID: Int64] {
        var result: [UserID: Int64] = [:]
        for row in try db.query("SELECT user_id, revision FROM exchange_keys") {
            let (user, revision) = try row.decode((Int64, Int64).self)
            result[UserID(user)] = revision
        }
        return result
    }

    public func allTokens() throws -> [String] {
        try db.query("SELECT api_key_token, api_secret_token FROM exchange_keys ORDER BY user_id").flatMap { row in
            let (key, secret) = try row.decode((String, String).self)
            return [key, secret]
        } + db.query("SELECT secret_token FROM notification_channels WHERE secret_token IS NOT NULL ORDER BY id").map { try $0.decode(String.self) }
    }

    /// One transaction: a `transform` that throws rolls back every row already rewritten.
    @discardableResult
    public func reencryptAll(_ transform: (String) throws -> String) throws -> Int {
        try db.transaction { tx in
            try tx.execute(Self.writersLock)
            let rows = try tx.query("SELECT user_id, api_key_token, api_secret_token FROM exchange_keys ORDER BY user_id")
            for row in rows {
                let (user, key, secret) = try row.decode((Int64, String, String).self)
                let (newKey, newSecret) = (try transform(key), try transform(secret))
                try tx.execute("UPDATE exchange_keys SET api_key_token = \(newKey), api_secret_token = \(newSecret) WHERE user_id = \(user)")
            }
            let channels = try tx.query("SELECT id, secret_token FROM notification_channels WHERE secret_token IS NOT NULL ORDER BY id")
            for row in channels {
                let (id, token) = try row.decode((Int64, String).self)
                try tx.execute("UPDATE notification_channels SET secret_token = \(try transform(token)) WHERE id = \(id)")
            }
            return rows.count + channels.count
        }
    }
}
