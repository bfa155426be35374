import Common
import Foundation
import PostgresNIO

extension CentralDatabase {
    /// The central database on PostgreSQL, migrated: the supervisor, before it starts anyone.
    public static func migrate(_ db: PostgresSession) throws -> CentralDatabase {
        try PostgresSchema.migrate(db)
        return postgres(db)
    }

    /// The central database on PostgreSQL, which a supervisor has migrated: every other process.
    public static func open(_ db: PostgresSession) throws -> CentralDatabase {
        try PostgresSchema.check(db)
        return postgres(db)
    }

    static func postgres(_ db: PostgresSession) -> CentralDatabase {
        CentralDatabase(
            users: PostgresUserStore(db), sessions: PostgresSessionStore(db), exchangeKeys: PostgresExchangeKeyStore(db),
            processes: PostgresProcessStatusStore(db), commands: PostgresCommandStore(db), workerEvents: PostgresWorkerEventStore(db),
            supervisorInfo: PostgresSupervisorInfoStore(db), portfolios: PostgresPortfolioStore(db), trading: PostgresTradingStore(db),
            bots: PostgresBotStore(db), probe: PostgresCentralProbe(db: db)
        )
    }
}

/// The probe of the central database on PostgreSQL. The data version is the server's WAL
/// position: it moves at every commit of any process, as SQLite's `data_version` does, and costs
/// one round trip to read.
struct PostgresCentralProbe: CentralDatabaseProbe {
    let db: PostgresSession

    func isHealthy() -> Bool {
        (try? db.query("SELECT 1").first?.decode(Int32.self)) == 1
    }

    func dataVersion() throws -> Int {
        guard let row = try db.query("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").first else { return 0 }
        return Int(try row.decode(Int64.self))
    }
}
