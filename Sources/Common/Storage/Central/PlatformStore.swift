import Foundation
import GRDB

/// The installation's own settings that administrators change (`platform_settings`: the kill
/// switch, the sign-up mode) and their invitation codes (`invitations`, by the SHA-256 of the
/// code). Written by the web.
public protocol PlatformStore: Sendable {
    func value(_ key: String) throws -> String?
    /// Sets (or, with nil, removes) a setting.
    func set(_ key: String, to value: String?, by actor: String, at: Date) throws
    func createInvitation(codeHash: String, by actor: String, at: Date) throws
    /// Takes an unused invitation (in one statement: two sign-ups cannot both take it); false
    /// when it is unknown or used.
    func claimInvitation(codeHash: String, at: Date) throws -> Bool
    /// Records the account an invitation made, or (nil) gives a claimed one back unused.
    func finishInvitation(codeHash: String, user: UserID?) throws
    /// Every invitation, newest first.
    func invitations() throws -> [Invitation]
}

/// An invitation code as stored (the code itself is shown once, to the administrator).
public struct Invitation: Sendable, Equatable {
    public let codeHash: String
    public let createdBy: String
    public let createdAt: Date
    public let usedAt: Date?
    public let usedBy: UserID?

    public init(codeHash: String, createdBy: String, createdAt: Date, usedAt: Date?, usedBy: UserID?) {
        self.codeHash = codeHash
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.usedAt = usedAt
        self.usedBy = usedBy
    }
}

/// Who may create an account: anyone, whoever has an unused invitation code, or nobody (the
/// installation's first account can always be created: it is the administrator).
public enum SignupMode: String, Sendable, CaseIterable {
    case open, invite, closed
}

/// The names of the platform's settings.
public enum PlatformSetting {
    /// `on` while an administrator's kill switch holds every bot stopped.
    public static let killSwitch = "kill_switch"
    /// ``SignupMode``'s raw value; none: open.
    public static let signupMode = "signup_mode"
    /// ``PlatformPolicies`` as JSON; none: no limits.
    public static let policies = "policies"
}

extension PlatformStore {
    /// Whether the kill switch is on.
    public func isHalted() throws -> Bool { try value(PlatformSetting.killSwitch) == "on" }

    /// The administrator's policies (none set: no limits; a value this build cannot read is an
    /// error, never "no limits").
    public func policies() throws -> PlatformPolicies {
        guard let text = try value(PlatformSetting.policies) else { return PlatformPolicies() }
        return try JSONDecoder().decode(PlatformPolicies.self, from: Data(text.utf8))
    }

    public func setPolicies(_ policies: PlatformPolicies, by actor: String, at: Date) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try set(PlatformSetting.policies, to: String(decoding: try encoder.encode(policies), as: UTF8.self), by: actor, at: at)
    }

    public func signupMode() throws -> SignupMode { try value(PlatformSetting.signupMode).flatMap(SignupMode.init(rawValue:)) ?? .open }
}

public struct SQLitePlatformStore: PlatformStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func value(_ key: String) throws -> String? {
        try db.read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM platform_settings WHERE key = ?"), arguments: [key]) }
    }

    public func set(_ key: String, to value: String?, by actor: String, at: Date) throws {
        try db.write { db in
            if let value {
                try db.execute(
                    sql: """
                        INSERT INTO platform_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                        """, arguments: [key, value, Timestamp.string(at), actor])
            } else {
                try db.execute(sql: "DELETE FROM platform_settings WHERE key = ?", arguments: [key])
            }
        }
    }

    public func createInvitation(codeHash: String, by actor: String, at: Date) throws {
        try db.write { db in
            try db.execute(
                sql: "INSERT INTO invitations (code_hash, created_by, created_at) VALUES (?, ?, ?)", arguments: [codeHash, actor, Timestamp.string(at)])
        }
    }

    public func claimInvitation(codeHash: String, at: Date) throws -> Bool {
        try db.write { db in
            try db.execute(sql: "UPDATE invitations SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", arguments: [Timestamp.string(at), codeHash])
            return db.changesCount > 0
        }
    }

    public func finishInvitation(codeHash: String, user: UserID?) throws {
        try db.write { db in
            if let user {
                try db.execute(sql: "UPDATE invitations SET used_by = ? WHERE code_hash = ?", arguments: [user.rawValue, codeHash])
            } else {
                try db.execute(sql: "UPDATE invitations SET used_at = NULL, used_by = NULL WHERE code_hash = ?", arguments: [codeHash])
            }
        }
    }

    public func invitations() throws -> [Invitation] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM invitations ORDER BY created_at DESC, code_hash").map { row in
                Invitation(
                    codeHash: row["code_hash"], createdBy: row["created_by"], createdAt: Timestamp.date(row["created_at"]) ?? .distantPast,
                    usedAt: (row["used_at"] as String?).flatMap(Timestamp.date), usedBy: (row["used_by"] as Int64?).map { UserID($0) })
            }
        }
    }
}
