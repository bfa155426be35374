import Common
import Foundation
import PostgresNIO

/// The versioned schema of the central database on PostgreSQL: the same tables, columns and
/// indexes as `central.sqlite` (``CentralSchema``) in PostgreSQL's own types (`timestamptz`,
/// `numeric`, `boolean`, `bigint`), so `supervisor migrate-to-postgres` copies column by column.
///
/// Migrations are applied in order, each in one transaction under an advisory lock, so several
/// supervisors starting at once against one database apply each exactly once. A database that
/// has a migration this build does not know is newer than this build and is refused.
public enum PostgresSchema {
    public struct Migration: Sendable {
        public let name: String
        /// One statement each (PostgreSQL's extended protocol runs one at a time).
        public let statements: [String]
    }

    public static let migrations: [Migration] = [
        Migration(name: "pg-v1", statements: accountTables + portfolioTables + tradingTables + botTables),
        Migration(name: "pg-v2-leases", statements: leaseTables),
        Migration(name: "pg-v3-login-attempts", statements: loginAttemptTables),
        Migration(name: "pg-v4-signal-hooks", statements: signalHookTables),
        Migration(name: "pg-v5-notifications", statements: notificationTables),
        Migration(name: "pg-v6-second-factors", statements: secondFactorTables),
        Migration(name: "pg-v7-session-address", statements: ["ALTER TABLE sessions ADD COLUMN address text"]),
        Migration(name: "pg-v8-access", statements: accessTables),
        Migration(name: "pg-v9-platform", statements: platformTables),
        Migration(name: "pg-v10-research", statements: researchTables),
    ]

    /// The tables in the order a copy must fill them (a row's parent first).
    public static let tables = [
        "users", "exchange_keys", "process_status", "commands", "worker_events", "supervisor_info", "sessions",
        "portfolios", "exchange_status", "equity_points", "bot_summary",
        "bots", "bot_status", "bot_equity",
        "orders", "fills", "positions", "signals", "login_attempts", "login_trust",
        "signal_hooks", "signal_records", "notification_channels", "notification_outbox",
        "second_factors", "recovery_codes", "login_challenges", "api_tokens", "audit_log", "platform_settings", "invitations", "optimizations",
    ]

    /// The advisory lock key of schema changes (any constant; "ctp-schema").
    static let lockKey: Int64 = 0x6374_702d_7363_6865

    /// Why a database was refused.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates or upgrades the schema: the supervisor, before it starts anyone.
    public static func migrate(_ db: PostgresSession, at now: Date = Date()) throws {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL)")
        for migration in migrations {
            try db.transaction { tx in
                try tx.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
                let done = try tx.query("SELECT 1 FROM schema_migrations WHERE name = \(migration.name)")
                guard done.isEmpty else { return }
                for statement in migration.statements {
                    try tx.execute(PostgresQuery(unsafeSQL: statement))
                }
                try tx.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), \(now))")
            }
        }
        try check(db)
    }

    /// Refuses a database this build cannot use: not migrated, or migrated by a newer build.
    public static func check(_ db: PostgresSession) throws {
        let rows: [PostgresRow]
        do {
            rows = try db.query("SELECT name FROM schema_migrations")
        } catch let failure as PostgresFailure where failure.sqlState == "42P01" {
            throw Refused(description: "\(db.location) has no schema: start the supervisor against it first (it migrates the database)")
        }
        let applied = Set(try rows.map { try $0.decode(String.self) })
        let known = Set(migrations.map(\.name))
        if let unknown = applied.subtracting(known).sorted().first {
            throw Refused(description: "\(db.location) has migration \(unknown), which this build does not know: it is newer than this build")
        }
        if let missing = migrations.first(where: { !applied.contains($0.name) }) {
            throw Refused(description: "\(db.location) lacks migration \(missing.name): start the supervisor of this build against it first")
        }
    }
}
