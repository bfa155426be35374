import Common
import Foundation
import PostgresNIO

/// The ``APITokenStore`` on PostgreSQL: the same rows as on SQLite.
public struct PostgresAPITokenStore: APITokenStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    public func create(user: UserID, name: String, tokenHash: String, scopes: Set<APIScope>, at: Date, expiresAt: Date) throws -> StoredAPIToken {
        let rows = try db.query(
            """
            INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at)
            VALUES (\(user.rawValue), \(name), \(tokenHash), \(APIScope.text(scopes)), \(PostgresValues.time(at)), \(PostgresValues.time(expiresAt)))
            RETURNING id, user_id, name, scopes, created_at, expires_at, last_used_at, revoked_at
            """
        )
        guard let row = rows.first else { throw PostgresFailure(sqlState: nil, description: "the token's insert returned no row") }
        return try Self.token(row)
    }

    public func tokens(for user: UserID) throws -> [StoredAPIToken] {
        try db.query("SELECT id, user_id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = \(user.rawValue) ORDER BY id DESC")
            .map(Self.token)
    }

    public func token(hash: String) throws -> StoredAPIToken? {
        try db.query("SELECT id, user_id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE token_hash = \(hash)").first
            .map(Self.token)
    }

    public func touch(id: Int64, at: Date) throws {
        try db.execute("UPDATE api_tokens SET last_used_at = \(PostgresValues.time(at)) WHERE id = \(id)")
    }

    public func revoke(id: Int64, user: UserID, at: Date) throws -> Bool {
        try db.execute(
            "UPDATE api_tokens SET revoked_at = \(PostgresValues.time(at)) WHERE id = \(id) AND user_id = \(user.rawValue) AND revoked_at IS NULL") > 0
    }

    public func revokeAll(user: UserID, at: Date) throws -> Int {
        try db.execute("UPDATE api_tokens SET revoked_at = \(PostgresValues.time(at)) WHERE user_id = \(user.rawValue) AND revoked_at IS NULL")
    }

    static func token(_ row: PostgresRow) throws -> StoredAPIToken {
        let (id, user, name, scopes, created, expires, used, revoked) = try row.decode((Int64, Int64, String, String, Date, Date, Date?, Date?).self)
        return StoredAPIToken(
            id: id, userID: UserID(user), name: name, scopes: APIScope.parse(scopes), createdAt: PostgresValues.readTime(created),
            expiresAt: PostgresValues.readTime(expires), lastUsedAt: used.map(PostgresValues.readTime), revokedAt: revoked.map(PostgresValues.readTime))
    }
}

/// The ``AuditLogStore`` on PostgreSQL: appends under an advisory lock, so two hosts' writers
/// take turns at the chain's end.
public struct PostgresAuditLogStore: AuditLogStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    /// "audt".
    static let appendLock: Int64 = 0x6175_6474

    public func append(_ record: AuditRecord) throws -> AuditEntry {
        try db.transaction { tx in
            try tx.execute("SELECT pg_advisory_xact_lock(\(Self.appendLock))")
            let last = try tx.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first.map { row in
                let (seq, hash) = try row.decode((Int64, String).self)
                return (seq: seq, hash: hash)
            }
            let entry = AuditChain.append(record, after: last)
            try tx.execute(
                """
                INSERT INTO audit_log (seq, at, user_id, actor, address, action, detail, prev_hash, hash)
                VALUES (\(entry.seq), \(PostgresValues.time(record.at)), \(record.userID?.rawValue), \(record.actor), \(record.address),
                        \(record.action), \(record.detail), \(entry.previousHash), \(entry.hash))
                """
            )
            return entry
        }
    }

    public func entries(user: UserID?, beforeSeq: Int64?, limit: Int) throws -> [AuditEntry] {
        try db.query(
            """
            SELECT seq, at, user_id, actor, address, action, detail, prev_hash, hash FROM audit_log
            WHERE (\(user?.rawValue)::bigint IS NULL OR user_id = \(user?.rawValue)) AND (\(beforeSeq)::bigint IS NULL OR seq < \(beforeSeq))
            ORDER BY seq DESC LIMIT \(Int64(limit))
            """
        ).map(Self.entry)
    }

    public func chain(afterSeq: Int64, limit: Int) throws -> [AuditEntry] {
        try db.query(
            "SELECT seq, at, user_id, actor, address, action, detail, prev_hash, hash FROM audit_log WHERE seq > \(afterSeq) ORDER BY seq LIMIT \(Int64(limit))"
        ).map(Self.entry)
    }

    public func lastSignIns() throws -> [UserID: Date] {
        var result: [UserID: Date] = [:]
        for row in try db.query(
            "SELECT user_id, max(at) FROM audit_log WHERE action = \(AuditAction.loginSuccess) AND user_id IS NOT NULL GROUP BY user_id")
        {
            let (user, at) = try row.decode((Int64, Date).self)
            result[UserID(user)] = PostgresValues.readTime(at)
        }
        return result
    }

    static func entry(_ row: PostgresRow) throws -> AuditEntry {
        let (seq, at, user, actor, address, action, detail, previous, hash) = try row.decode(
            (Int64, Date, Int64?, String, String?, String, String, String, String).self)
        let record = AuditRecord(
            at: PostgresValues.readTime(at), userID: user.map { UserID($0) }, actor: actor, address: address, action: action, detail: detail)
        return AuditEntry(seq: seq, record: record, previousHash: previous, hash: hash)
    }
}

/// The ``PlatformStore`` on PostgreSQL.
public struct PostgresPlatformStore: PlatformStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    public func value(_ key: String) throws -> String? {
        try db.query("SELECT value FROM platform_settings WHERE key = \(key)").first?.decode(String.self)
    }

    public func set(_ key: String, to value: String?, by actor: String, at: Date) throws {
        if let value {
            try db.execute(
                """
                INSERT INTO platform_settings (key, value, updated_at, updated_by) VALUES (\(key), \(value), \(PostgresValues.time(at)), \(actor))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """)
        } else {
            try db.execute("DELETE FROM platform_settings WHERE key = \(key)")
        }
    }

    public func createInvitation(codeHash: String, by actor: String, at: Date) throws {
        try db.execute("INSERT INTO invitations (code_hash, created_by, created_at) VALUES (\(codeHash), \(actor), \(PostgresValues.time(at)))")
    }

    public func claimInvitation(codeHash: String, at: Date) throws -> Bool {
        try db.execute("UPDATE invitations SET used_at = \(PostgresValues.time(at)) WHERE code_hash = \(codeHash) AND used_at IS NULL") > 0
    }

    public func finishInvitation(codeHash: String, user: UserID?) throws {
        if let user {
            try db.execute("UPDATE invitations SET used_by = \(user.rawValue) WHERE code_hash = \(codeHash)")
        } else {
            try db.execute("UPDATE invitations SET used_at = NULL, used_by = NULL WHERE code_hash = \(codeHash)")
        }
    }

    public func invitations() throws -> [Invitation] {
        try db.query("SELECT code_hash, created_by, created_at, used_at, used_by FROM invitations ORDER BY created_at DESC, code_hash").map { row in
            let (hash, by, created, used, user) = try row.decode((String, String, Date, Date?, Int64?).self)
            return Invitation(
                codeHash: hash, createdBy: by, createdAt: PostgresValues.readTime(created), usedAt: used.map(PostgresValues.readTime),
                usedBy: user.map { UserID($0) })
        }
    }
}
