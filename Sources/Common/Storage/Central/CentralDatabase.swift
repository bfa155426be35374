import Foundation
import GRDB

/// `central.sqlite`, opened, with one store per concern. Nothing outside the stores writes SQL
/// against it, so another implementation (PostgreSQL, for several hosts, or the in-memory twins
/// of the unit tests) can take their place.
public struct CentralDatabase: Sendable {
    /// The SQLite file's pool; nil for a database built from other stores.
    public let pool: DatabasePool?
    public let users: any UserStore
    public let sessions: any SessionStore
    public let exchangeKeys: any ExchangeKeyStore
    public let processes: any ProcessStatusStore
    public let commands: any CommandStore
    public let workerEvents: any WorkerEventStore
    public let supervisorInfo: any SupervisorInfoStore
    public let portfolios: any PortfolioStore
    public let trading: any TradingStore
    public let bots: any BotStore
    let probe: any CentralDatabaseProbe

    init(pool: DatabasePool) {
        self.pool = pool
        probe = SQLiteCentralProbe(pool: pool)
        users = SQLiteUserStore(pool)
        sessions = SQLiteSessionStore(pool)
        exchangeKeys = SQLiteExchangeKeyStore(pool)
        processes = SQLiteProcessStatusStore(pool)
        commands = SQLiteCommandStore(pool)
        workerEvents = SQLiteWorkerEventStore(pool)
        supervisorInfo = SQLiteSupervisorInfoStore(pool)
        portfolios = SQLitePortfolioStore(pool)
        trading = SQLiteTradingStore(pool)
        bots = SQLiteBotStore(pool)
    }

    /// A database made of the given stores (the in-memory ones of the tests:
    /// ``CentralDatabase/inMemory()``); `probe` answers `isHealthy` and `dataVersion`.
    public init(
        users: any UserStore, sessions: any SessionStore, exchangeKeys: any ExchangeKeyStore, processes: any ProcessStatusStore,
        commands: any CommandStore, workerEvents: any WorkerEventStore, supervisorInfo: any SupervisorInfoStore,
        portfolios: any PortfolioStore, trading: any TradingStore, bots: any BotStore, probe: any CentralDatabaseProbe
    ) {
        pool = nil
        self.users = users
        self.sessions = sessions
        self.exchangeKeys = exchangeKeys
        self.processes = processes
        self.commands = commands
        self.workerEvents = workerEvents
        self.supervisorInfo = supervisorInfo
        self.portfolios = portfolios
        self.trading = trading
        self.bots = bots
        self.probe = probe
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
    public func isHealthy() -> Bool { probe.isHealthy() }

    /// Changes when any process commits to the file; cheap to poll (GRDB observation does not
    /// see other processes' commits).
    public func dataVersion() throws -> Int { try probe.dataVersion() }
}
