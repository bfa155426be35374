import Common
import Foundation
import PostgresNIO

/// The ``SecondFactorStore`` on PostgreSQL: the same rows as on SQLite.
public struct PostgresSecondFactorStore: SecondFactorStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    public func factor(for user: UserID) throws -> SecondFactor? {
        try db.query("SELECT secret, enabled_at, last_step FROM second_factors WHERE user_id = \(user.rawValue)").first.map { row in
            let (secret, enabled, step) = try row.decode((String, Date?, Int64?).self)
            return SecondFactor(userID: user, secret: secret, enabledAt: enabled.map(PostgresValues.readTime), lastStep: step)
        }
    }

    public func begin(user: UserID, secret: String, at: Date) throws -> Bool {
        try db.execute(
            """
            INSERT INTO second_factors (user_id, secret, enabled_at, last_step, created_at) VALUES (\(user.rawValue), \(secret), NULL, NULL, \(PostgresValues.time(at)))
            ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at WHERE second_factors.enabled_at IS NULL
            """
        ) > 0
    }

    public func enable(user: UserID, step: Int64, recoveryHashes: [String], at: Date) throws -> Bool {
        try db.transaction { tx in
            let changed = try tx.execute(
                "UPDATE second_factors SET enabled_at = \(PostgresValues.time(at)), last_step = \(step) WHERE user_id = \(user.rawValue) AND enabled_at IS NULL")
            guard changed > 0 else { return false }
            try tx.execute("DELETE FROM recovery_codes WHERE user_id = \(user.rawValue)")
            for hash in recoveryHashes {
                try tx.execute("INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (\(user.rawValue), \(hash), NULL)")
            }
            return true
        }
    }

    public func disable(user: UserID) throws {
        try db.transaction { tx in
            try tx.execute("DELETE FROM second_factors WHERE user_id = \(user.rawValue)")
            try tx.execute("DELETE FROM recovery_codes WHERE user_id = \(user.rawValue)")
        }
    }

    public func use(step: Int64, for user: UserID) throws -> Bool {
        try db.execute(
            """
            UPDATE second_factors SET last_step = \(step)
            WHERE user_id = \(user.rawValue) AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < \(step))
            """
        ) > 0
    }

    public func useRecovery(hash: String, for user: UserID, at: Date) throws -> Bool {
        try db.execute(
            "UPDATE recovery_codes SET used_at = \(PostgresValues.time(at)) WHERE user_id = \(user.rawValue) AND code_hash = \(hash) AND used_at IS NULL") > 0
    }

    public func recoveryLeft(for user: UserID) throws -> Int {
        Int(try db.query("SELECT count(*) FROM recovery_codes WHERE user_id = \(user.rawValue) AND used_at IS NULL").first?.decode(Int64.self) ?? 0)
    }

    public func openChallenge(_ challenge: LoginChallenge) throws {
        try db.transaction { tx in
            try tx.execute("DELETE FROM login_challenges WHERE expires_at < \(PostgresValues.time(Date()))")
            try tx.execute(
                """
                INSERT INTO login_challenges (id_hash, user_id, remember, expires_at, failures)
                VALUES (\(challenge.idHash), \(challenge.userID.rawValue), \(challenge.remember), \(PostgresValues.time(challenge.expiresAt)), \(Int32(clamping: challenge.failures)))
                """
            )
        }
    }

    public func challenge(idHash: String, at now: Date) throws -> LoginChallenge? {
        try db.query(
            "SELECT user_id, remember, expires_at, failures FROM login_challenges WHERE id_hash = \(idHash) AND expires_at >= \(PostgresValues.time(now))"
        ).first.map { row in
            let (user, remember, expires, failures) = try row.decode((Int64, Bool, Date, Int32).self)
            return LoginChallenge(idHash: idHash, userID: UserID(rawValue: user), remember: remember, expiresAt: PostgresValues.readTime(expires), failures: Int(failures))
        }
    }

    public func failChallenge(idHash: String) throws -> Int {
        let rows = try db.query("UPDATE login_challenges SET failures = failures + 1 WHERE id_hash = \(idHash) RETURNING failures")
        return Int(try rows.first?.decode(Int32.self) ?? Int32(LoginChallenge.maxFailures))
    }

    public func closeChallenge(idHash: String) throws {
        try db.execute("DELETE FROM login_challenges WHERE id_hash = \(idHash)")
    }
}
