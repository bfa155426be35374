import Foundation
import GRDB

/// A user's TOTP second factor: its secret (base32), when it was turned on (nil: enrolment
/// begun, waiting for its first code), and the last step a code was accepted for (a code is
/// accepted once).
public struct SecondFactor: Sendable, Equatable {
    public let userID: UserID
    public let secret: String
    public let enabledAt: Date?
    public let lastStep: Int64?

    public init(userID: UserID, secret: String, enabledAt: Date?, lastStep: Int64?) {
        self.userID = userID
        self.secret = secret
        self.enabledAt = enabledAt
        self.lastStep = lastStep
    }

    public var isEnabled: Bool { enabledAt != nil }
}

/// A login whose password was right, waiting for the second factor: known by the SHA-256 of its
/// id (the browser holds the id), for five minutes and a few wrong codes.
public struct LoginChallenge: Sendable, Equatable {
    public let idHash: String
    public let userID: UserID
    public let remember: Bool
    public let expiresAt: Date
    public let failures: Int

    public init(idHash: String, userID: UserID, remember: Bool, expiresAt: Date, failures: Int = 0) {
        self.idHash = idHash
        self.userID = userID
        self.remember = remember
        self.expiresAt = expiresAt
        self.failures = failures
    }

    public static let lifetime: TimeInterval = 300
    public static let maxFailures = 5
}

/// The tables `second_factors`, `recovery_codes` and `login_challenges`, written by the web.
public protocol SecondFactorStore: Sendable {
    func factor(for user: UserID) throws -> SecondFactor?
    /// Starts an enrolment with a new secret (replacing one not yet confirmed); false when the
    /// user's factor is on already.
    func begin(user: UserID, secret: String, at: Date) throws -> Bool
    /// Turns the factor on with its first accepted step and the recovery codes' hashes; false
    /// when there was no enrolment to confirm.
    func enable(user: UserID, step: Int64, recoveryHashes: [String], at: Date) throws -> Bool
    func disable(user: UserID) throws
    /// Takes a step once: true when it is later than the last one accepted (in one statement, so
    /// two requests with one code cannot both pass).
    func use(step: Int64, for user: UserID) throws -> Bool
    /// Takes a recovery code once; false when it is not one of the user's unused codes.
    func useRecovery(hash: String, for user: UserID, at: Date) throws -> Bool
    func recoveryLeft(for user: UserID) throws -> Int
    func openChallenge(_ challenge: LoginChallenge) throws
    /// The challenge, if it is still open at `now`.
    func challenge(idHash: String, at now: Date) throws -> LoginChallenge?
    /// Counts a wrong code; returns the failures so far.
    func failChallenge(idHash: String) throws -> Int
    func closeChallenge(idHash: String) throws
}

public struct SQLiteSecondFactorStore: SecondFactorStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func factor(for user: UserID) throws -> SecondFactor? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM second_factors WHERE user_id = ?", arguments: [user.rawValue]).map { row in
                SecondFactor(
                    userID: user, secret: row["secret"], enabledAt: (row["enabled_at"] as String?).flatMap(Timestamp.date), lastStep: row["last_step"])
            }
        }
    }

    public func begin(user: UserID, secret: String, at: Date) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO second_factors (user_id, secret, enabled_at, last_step, created_at) VALUES (?, ?, NULL, NULL, ?)
                    ON CONFLICT(user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at WHERE enabled_at IS NULL
                    """, arguments: [user.rawValue, secret, Timestamp.string(at)])
            return db.changesCount > 0
        }
    }

    public func enable(user: UserID, step: Int64, recoveryHashes: [String], at: Date) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: "UPDATE second_factors SET enabled_at = ?, last_step = ? WHERE user_id = ? AND enabled_at IS NULL",
                arguments: [Timestamp.string(at), step, user.rawValue])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM recovery_codes WHERE user_id = ?", arguments: [user.rawValue])
            for hash in recoveryHashes {
                try db.execute(sql: "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?, ?, NULL)", arguments: [user.rawValue, hash])
            }
            return true
        }
    }

    public func disable(user: UserID) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM second_factors WHERE user_id = ?", arguments: [user.rawValue])
            try db.execute(sql: "DELETE FROM recovery_codes WHERE user_id = ?", arguments: [user.rawValue])
        }
    }

    public func use(step: Int64, for user: UserID) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: "UPDATE second_factors SET last_step = ? WHERE user_id = ? AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < ?)",
                arguments: [step, user.rawValue, step])
            return db.changesCount > 0
        }
    }

    public func useRecovery(hash: String, for user: UserID, at: Date) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                arguments: [Timestamp.string(at), user.rawValue, hash])
            return db.changesCount > 0
        }
    }

    public func recoveryLeft(for user: UserID) throws -> Int {
        try db.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", arguments: [user.rawValue]) ?? 0
        }
    }

    public func openChallenge(_ challenge: LoginChallenge) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM login_challenges WHERE expires_at < ?", arguments: [Timestamp.string(Date())])
            try db.execute(
                sql: "INSERT INTO login_challenges (id_hash, user_id, remember, expires_at, failures) VALUES (?, ?, ?, ?, ?)",
                arguments: [challenge.idHash, challenge.userID.rawValue, challenge.remember, Timestamp.string(challenge.expiresAt), challenge.failures])
        }
    }

    public func challenge(idHash: String, at now: Date) throws -> LoginChallenge? {
        try db.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM login_challenges WHERE id_hash = ? AND expires_at >= ?", arguments: [idHash, Timestamp.string(now)]
            ).map { row in
                LoginChallenge(
                    idHash: idHash, userID: UserID(rawValue: row["user_id"]), remember: row["remember"],
                    expiresAt: Timestamp.date(row["expires_at"] as String) ?? .distantPast, failures: row["failures"])
            }
        }
    }

    public func failChallenge(idHash: String) throws -> Int {
        try db.write { db in
            try db.execute(sql: "UPDATE login_challenges SET failures = failures + 1 WHERE id_hash = ?", arguments: [idHash])
            return try Int.fetchOne(db, sql: "SELECT failures FROM login_challenges WHERE id_hash = ?", arguments: [idHash]) ?? LoginChallenge.maxFailures
        }
    }

    public func closeChallenge(idHash: String) throws {
        try db.write { db in try db.execute(sql: "DELETE FROM login_challenges WHERE id_hash = ?", arguments: [idHash]) }
    }
}
