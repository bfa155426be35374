import Foundation
import GRDB

/// The tables `login_attempts` and `login_trust` (written by the web only): failed-login counters
/// per account and per address, and when an address last signed in to an account. Accounts come
/// lowercased.
public protocol LoginAttemptStore: Sendable {
    func attempts(account: String, address: String) throws -> LoginAttempts
    /// Changes one account's and one address's counters in one transaction: another web
    /// process's change of the same counters waits for it, so no failure is lost.
    func update<T>(account: String, address: String, _ body: (inout LoginAttempts) -> T) throws -> T
    /// Forgets counters without a failure since `failuresBefore` and no lock after `now`, and
    /// sign-ins older than `trustBefore`.
    func prune(failuresBefore: Date, trustBefore: Date, now: Date) throws
}

/// Where a counter belongs in `login_attempts`.
public enum LoginAttemptScope: String, Sendable {
    case account, address
}

public struct SQLiteLoginAttemptStore: LoginAttemptStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func attempts(account: String, address: String) throws -> LoginAttempts {
        try db.read { db in try Self.read(db, account: account, address: address) }
    }

    /// GRDB's writes on a pool are `BEGIN IMMEDIATE`: another process's update waits for this one.
    public func update<T>(account: String, address: String, _ body: (inout LoginAttempts) -> T) throws -> T {
        try db.write { db in
            var attempts = try Self.read(db, account: account, address: address)
            let before = attempts
            let result = body(&attempts)
            if attempts.account != before.account { try Self.write(db, .account, account, attempts.account) }
            if attempts.address != before.address { try Self.write(db, .address, address, attempts.address) }
            if attempts.trustedSince != before.trustedSince, let since = attempts.trustedSince {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO login_trust (account, address, signed_in_at) VALUES (?, ?, ?)",
                    arguments: [account, address, Timestamp.string(since)]
                )
            }
            return result
        }
    }

    public func prune(failuresBefore: Date, trustBefore: Date, now: Date) throws {
        try db.write { db in
            try db.execute(
                sql: "DELETE FROM login_attempts WHERE last_failure_at < ? AND (locked_until IS NULL OR locked_until <= ?)",
                arguments: [Timestamp.string(failuresBefore), Timestamp.string(now)]
            )
            try db.execute(sql: "DELETE FROM login_trust WHERE signed_in_at < ?", arguments: [Timestamp.string(trustBefore)])
        }
    }

    static func read(_ db: Database, account: String, address: String) throws -> LoginAttempts {
        func counter(_ scope: LoginAttemptScope, _ key: String) throws -> LoginAttempts.Counter {
            let sql = "SELECT failures, last_failure_at, locked_until FROM login_attempts WHERE scope = ? AND key = ?"
            guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [scope.rawValue, key]) else { return .init() }
            return .init(
                failures: row["failures"], lastFailure: Timestamp.date(row["last_failure_at"]) ?? .distantPast,
                lockedUntil: (row["locked_until"] as String?).flatMap(Timestamp.date) ?? .distantPast
            )
        }
        let trusted = try String.fetchOne(
            db.cachedStatement(sql: "SELECT signed_in_at FROM login_trust WHERE account = ? AND address = ?"), arguments: [account, address]
        )
        return LoginAttempts(account: try counter(.account, account), address: try counter(.address, address), trustedSince: trusted.flatMap(Timestamp.date))
    }

    static func write(_ db: Database, _ scope: LoginAttemptScope, _ key: String, _ counter: LoginAttempts.Counter) throws {
        guard !counter.isEmpty else {
            try db.execute(sql: "DELETE FROM login_attempts WHERE scope = ? AND key = ?", arguments: [scope.rawValue, key])
            return
        }
        try db.execute(
            sql: "INSERT OR REPLACE INTO login_attempts (scope, key, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                scope.rawValue, key, counter.failures, Timestamp.string(counter.lastFailure),
                counter.lockedUntil == .distantPast ? nil : Timestamp.string(counter.lockedUntil),
            ]
        )
    }
}
