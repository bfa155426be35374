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
        stores(on: db, probe: PostgresCentralProbe(db: db), fence: PostgresFence(db: db), changeFeed: PostgresChangeFeed(db.location, logger: db.logger))
    }

    /// Every store on `db` (the session, or one transaction of it).
    static func stores(
        on db: any PostgresExecutor, probe: PostgresCentralProbe, fence: PostgresFence?, changeFeed: PostgresChangeFeed? = nil
    ) -> CentralDatabase {
        CentralDatabase(
            users: PostgresUserStore(db), sessions: PostgresSessionStore(db), exchangeKeys: PostgresExchangeKeyStore(db),
            processes: PostgresProcessStatusStore(db), commands: PostgresCommandStore(db), workerEvents: PostgresWorkerEventStore(db),
            supervisorInfo: PostgresSupervisorInfoStore(db), portfolios: PostgresPortfolioStore(db), trading: PostgresTradingStore(db),
            bots: PostgresBotStore(db), probe: probe, loginAttempts: PostgresLoginAttemptStore(db), signalHooks: PostgresSignalHookStore(db), notifications: PostgresNotificationStore(db), secondFactors: PostgresSecondFactorStore(db),
            apiTokens: PostgresAPITokenStore(db), audit: PostgresAuditLogStore(db), platform: PostgresPlatformStore(db), optimizations: PostgresOptimizationStore(db), leases: PostgresLeaseStore(db), fence: fence,
            changeFeed: changeFeed
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

    /// One notification to every web's ``PostgresChangeFeed``; lost when it cannot be sent
    /// (the webs' full read every few seconds, and their catch-up at reconnection, cover it).
    func announceChanges() {
        _ = try? db.execute("SELECT pg_notify(\(PostgresChangeFeed.channel), '')")
    }
}

/// Fencing on PostgreSQL: the report's writes run in one transaction whose first statement,
/// `ctp_fence` (pg-v2), raises SQLSTATE CT001 unless the host holds the user's lease at that
/// epoch; the lease row stays share-locked until the commit, so no claim can slip in between.
struct PostgresFence: CentralFence {
    let db: PostgresSession

    func write<T>(user: UserID, host: String, epoch: Int64, _ body: (CentralDatabase) throws -> T) throws -> T {
        do {
            return try db.transaction { tx in
                try tx.execute("SELECT ctp_fence(\(user.rawValue), \(host), \(epoch))")
                return try body(CentralDatabase.stores(on: tx, probe: PostgresCentralProbe(db: db), fence: nil))
            }
        } catch let failure as PostgresFailure where failure.sqlState == "CT001" {
            throw FenceRefused(description: failure.description)
        }
    }

    /// The same check as `ctp_fence` for many users in one statement, refusing by leaving out.
    func writeEach(host: String, epochs: [UserID: Int64], _ body: (CentralDatabase, Set<UserID>) throws -> Void) throws -> Set<UserID> {
        guard !epochs.isEmpty else { return [] }
        let users = epochs.keys.sorted()
        let ids = users.map(\.rawValue)
        let wanted = users.map { epochs[$0]! }
        return try db.transaction { tx in
            let rows = try tx.query(
                """
                SELECT l.user_id FROM leases l JOIN unnest(\(ids)::bigint[], \(wanted)::bigint[]) AS w(user_id, epoch)
                    ON l.user_id = w.user_id AND l.epoch = w.epoch
                WHERE l.host_id = \(host) AND l.expires_at > now()
                ORDER BY l.user_id FOR SHARE OF l
                """
            )
            let current = Set(try rows.map { UserID(try $0.decode(Int64.self)) })
            try body(CentralDatabase.stores(on: tx, probe: PostgresCentralProbe(db: db), fence: nil), current)
            return Set(users).subtracting(current)
        }
    }
}
