import Foundation
import GRDB

/// `central.sqlite`, opened, with one store per concern. Nothing outside the stores writes SQL
/// against it, so another implementation (PostgreSQL, for several hosts) can take their place.
public struct CentralDatabase: Sendable {
    public let pool: DatabasePool
    public let users: any UserStore
    public let sessions: any SessionStore
    public let exchangeKeys: any ExchangeKeyStore
    public let processes: any ProcessStatusStore
    public let commands: any CommandStore
    public let workerEvents: any WorkerEventStore
    public let supervisorInfo: any SupervisorInfoStore
    public let portfolios: any PortfolioStore
    public let trading: any TradingStore

    init(pool: DatabasePool) {
        self.pool = pool
        users = SQLiteUserStore(pool)
        sessions = SQLiteSessionStore(pool)
        exchangeKeys = SQLiteExchangeKeyStore(pool)
        processes = SQLiteProcessStatusStore(pool)
        commands = SQLiteCommandStore(pool)
        workerEvents = SQLiteWorkerEventStore(pool)
        supervisorInfo = SQLiteSupervisorInfoStore(pool)
        portfolios = SQLitePortfolioStore(pool)
        trading = SQLiteTradingStore(pool)
    }

    /// Creates or upgrades the file: the supervisor, before it starts anyone.
    public static func migrate(_ directory: DataDirectory) throws -> CentralDatabase {
        CentralDatabase(pool: try DatabaseOpener.open(path: directory.centralDatabase, migrator: CentralSchema.migrator, mode: .migrate(fileMode: 0o600)))
    }

    /// Opens a file the supervisor has migrated: every other process.
    public static func open(_ directory: DataDirectory) throws -> CentralDatabase {
        CentralDatabase(pool: try DatabaseOpener.open(path: directory.centralDatabase, migrator: CentralSchema.migrator, mode: .existing))
    }

    /// `true` when the database answers a query (the web's `/healthz`).
    public func isHealthy() -> Bool {
        (try? pool.read { try Int.fetchOne($0, sql: "SELECT 1") }) == 1
    }

    /// Changes when any process commits to the file; cheap to poll (GRDB observation does not
    /// see other processes' commits).
    public func dataVersion() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
    }
}
