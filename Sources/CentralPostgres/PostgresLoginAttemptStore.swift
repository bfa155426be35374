import Common
import Foundation
import PostgresNIO

/// The `LoginAttemptStore` on PostgreSQL. An update locks the two counters' rows (made first if
/// they are missing) for its transaction, so two web processes counting a failure of the same
/// account or address at once count two.
public struct PostgresLoginAttemptStore: LoginAttemptStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    public func attempts(account: String, address: String) throws -> LoginAttempts {
        try Self.read(db, account: account, address: address, locking: false)
    }

    public func update<T>(account: String, address: String, _ body: (inout LoginAttempts) -> T) throws -> T {
        try db.transaction { tx in
            // A placeholder row to lock (failures 0: removed again below unless counted).
            try tx.execute(
                """
                INSERT INTO login_attempts (scope, key, failures, last_failure_at)
                VALUES (\(LoginAttemptScope.account.rawValue), \(account), 0, now()), (\(LoginAttemptScope.address.rawValue), \(address), 0, now())
                ON CONFLICT DO NOTHING
                """
            )
            var attempts = try Self.read(tx, account: account, address: address, locking: true)
            let result = body(&attempts)
            try Self.write(tx, .account, account, attempts.account)
            try Self.write(tx, .address, address, attempts.address)
            if let since = attempts.trustedSince {
                try tx.execute(
                    """
                    INSERT INTO login_trust (account, address, signed_in_at) VALUES (\(account), \(address), \(PostgresValues.time(since)))
                    ON CONFLICT (account, address) DO UPDATE SET signed_in_at = EXCLUDED.signed_in_at
                    """
                )
            }
            return result
        }
    }

    public func prune(failuresBefore: Date, trustBefore: Date, now: Date) throws {
        try db.execute(
            """
            DELETE FROM login_attempts WHERE last_failure_at < \(PostgresValues.time(failuresBefore))
                AND (locked_until IS NULL OR locked_until <= \(PostgresValues.time(now)))
            """
        )
        try db.execute("DELETE FROM login_trust WHERE signed_in_at < \(PostgresValues.time(trustBefore))")
    }

    static func read(_ db: any PostgresExecutor, account: String, address: String, locking: Bool) throws -> LoginAttempts {
        let lock = locking ? " FOR UPDATE" : ""
        let rows = try db.query(
            """
            SELECT scope, failures, last_failure_at, locked_until FROM login_attempts
            WHERE (scope = 'account' AND key = \(account)) OR (scope = 'address' AND key = \(address))
            ORDER BY scope\(unescaped: lock)
            """
        )
        var attempts = LoginAttempts()
        for row in rows {
            let (scope, failures, last, locked) = try row.decode((String, Int32, Date, Date?).self)
            let counter = LoginAttempts.Counter(
                failures: Int(failures), lastFailure: failures == 0 ? .distantPast : PostgresValues.readTime(last),
                lockedUntil: locked.map(PostgresValues.readTime) ?? .distantPast
            )
            if scope == LoginAttemptScope.account.rawValue { attempts.account = counter } else { attempts.address = counter }
        }
        let trusted = try db.query("SELECT signed_in_at FROM login_trust WHERE account = \(account) AND address = \(address)")
        attempts.trustedSince = try trusted.first.map { PostgresValues.readTime(try $0.decode(Date.self)) }
        return attempts
    }

    static func write(_ db: any PostgresExecutor, _ scope: LoginAttemptScope, _ key: String, _ counter: LoginAttempts.Counter) throws {
        guard !counter.isEmpty else {
            try db.execute("DELETE FROM login_attempts WHERE scope = \(scope.rawValue) AND key = \(key)")
            return
        }
        let locked: Date? = counter.lockedUntil == .distantPast ? nil : PostgresValues.time(counter.lockedUntil)
        try db.execute(
            """
            UPDATE login_attempts SET failures = \(Int32(clamping: counter.failures)), last_failure_at = \(PostgresValues.time(counter.lastFailure)),
                locked_until = \(locked)
            WHERE scope = \(scope.rawValue) AND key = \(key)
            """
        )
    }
}
