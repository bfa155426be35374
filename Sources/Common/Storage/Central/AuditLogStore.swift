import Foundation
import GRDB

/// The `audit_log` table: security-relevant actions, chained (``AuditChain``). Appended by the
/// web, by the supervisor's command line (`admin grant`) and by the supervisor for a Telegram
/// `/emergency`; never updated or deleted by us.
public protocol AuditLogStore: Sendable {
    /// Appends a record after the last row, in one transaction (two writers cannot fork the chain).
    @discardableResult func append(_ record: AuditRecord) throws -> AuditEntry
    /// Rows newest first: one user's (nil: everyone's), before `beforeSeq` (nil: from the newest).
    func entries(user: UserID?, beforeSeq: Int64?, limit: Int) throws -> [AuditEntry]
    /// Rows in chain order after `afterSeq`, for `audit verify`.
    func chain(afterSeq: Int64, limit: Int) throws -> [AuditEntry]
    /// The time of each user's last successful sign-in.
    func lastSignIns() throws -> [UserID: Date]
}

extension AuditLogStore {
    /// Reads the whole chain in pages and checks it.
    public func verify(pageSize: Int = 5_000) throws -> (checked: Int, broken: AuditChain.Break?) {
        var verifier = AuditChain.Verifier()
        var after: Int64 = Int64.min
        while true {
            let page = try chain(afterSeq: after, limit: pageSize)
            for entry in page where !verifier.feed(entry) { return (verifier.checked, verifier.broken) }
            guard let last = page.last, page.count == pageSize else { break }
            after = last.seq
        }
        return (verifier.checked, verifier.broken)
    }
}

/// The stable names of the audited actions.
public enum AuditAction {
    public static let signup = "signup"
    public static let loginSuccess = "login.success"
    public static let loginFailure = "login.failure"
    public static let loginCodeRequested = "login.second_factor"
    public static let loginCodeFailure = "login.second_factor_failure"
    public static let logout = "logout"
    public static let passwordChanged = "password.changed"
    public static let secondFactorOn = "2fa.enabled"
    public static let secondFactorOff = "2fa.disabled"
    public static let tokenCreated = "token.created"
    public static let tokenRevoked = "token.revoked"
    public static let tokenWrite = "token.write"
    public static let sessionEnded = "session.ended"
    /// A signed-in browser's change (settings, bots, orders, hooks, channels, keys): the method and path.
    public static let change = "change"
    /// A bot started or stopped by a command from the user's linked Telegram chat.
    public static let telegramCommand = "command.telegram"
    public static let adminGranted = "admin.granted"
    public static let adminRevoked = "admin.revoked"
    public static let userDisabled = "admin.user_disabled"
    public static let userEnabled = "admin.user_enabled"
    public static let killSwitchOn = "admin.kill_switch_on"
    public static let killSwitchOff = "admin.kill_switch_off"
    public static let signupModeChanged = "admin.signup_mode"
    public static let invitationCreated = "admin.invitation_created"
    public static let policiesChanged = "admin.policies"
    public static let userApproved = "admin.user_approved"
    public static let userUnapproved = "admin.user_unapproved"
}

public struct SQLiteAuditLogStore: AuditLogStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func append(_ record: AuditRecord) throws -> AuditEntry {
        try db.write { db in
            let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").map { (seq: $0["seq"] as Int64, hash: $0["hash"] as String) }
            let entry = AuditChain.append(record, after: last)
            try db.execute(
                sql: "INSERT INTO audit_log (seq, at, user_id, actor, address, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    entry.seq, Timestamp.string(record.at), record.userID?.rawValue, record.actor, record.address, record.action, record.detail,
                    entry.previousHash, entry.hash,
                ])
            return entry
        }
    }

    public func entries(user: UserID?, beforeSeq: Int64?, limit: Int) throws -> [AuditEntry] {
        try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM audit_log WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3
                    """, arguments: [user?.rawValue, beforeSeq, limit]
            ).map(Self.entry)
        }
    }

    public func chain(afterSeq: Int64, limit: Int) throws -> [AuditEntry] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [afterSeq, limit]).map(Self.entry)
        }
    }

    public func lastSignIns() throws -> [UserID: Date] {
        try db.read { db in
            var result: [UserID: Date] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT user_id, max(at) AS at FROM audit_log WHERE action = ? AND user_id IS NOT NULL GROUP BY user_id",
                arguments: [AuditAction.loginSuccess])
            {
                if let at = Timestamp.date(row["at"]) { result[UserID(row["user_id"])] = at }
            }
            return result
        }
    }

    static func entry(_ row: Row) -> AuditEntry {
        // A time that does not read back is kept as the distant past: the hash then names the row.
        let record = AuditRecord(
            at: Timestamp.date(row["at"]) ?? .distantPast, userID: (row["user_id"] as Int64?).map { UserID($0) }, actor: row["actor"],
            address: row["address"], action: row["action"], detail: row["detail"])
        return AuditEntry(seq: row["seq"], record: record, previousHash: row["prev_hash"], hash: row["hash"])
    }
}
