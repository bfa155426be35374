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
    /// Failed logins, shared by every web process (``LoginThrottle``).
    public let loginAttempts: any LoginAttemptStore
    /// Bots' signal hooks and the signals they received.
    public let signalHooks: any SignalHookStore
    /// Users' notification channels and the outbox of their messages.
    public let notifications: any NotificationStore
    /// Users' second factors (TOTP), recovery codes and logins waiting for a code.
    public let secondFactors: any SecondFactorStore
    /// Users' personal API tokens.
    public let apiTokens: any APITokenStore
    /// The chained log of security-relevant actions.
    public let audit: any AuditLogStore
    /// The installation's settings administrators change (the kill switch).
    public let platform: any PlatformStore
    /// Users' optimisations and their reports.
    public let optimizations: any OptimizationStore
    /// Which host runs which user's worker: on PostgreSQL only (nil: one machine runs them all).
    public let leases: (any LeaseStore)?
    /// Runs a worker's report writes only while the writing host's lease is current: on
    /// PostgreSQL only (nil: written as they come).
    public let fence: (any CentralFence)?
    /// The server's word that something changed, for the web's live updates: on PostgreSQL
    /// only (nil: the web polls the file's `data_version`).
    public let changeFeed: (any CentralChangeFeed)?
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
        loginAttempts = SQLiteLoginAttemptStore(pool)
        signalHooks = SQLiteSignalHookStore(pool)
        notifications = SQLiteNotificationStore(pool)
        secondFactors = SQLiteSecondFactorStore(pool)
        apiTokens = SQLiteAPITokenStore(pool)
        audit = SQLiteAuditLogStore(pool)
        platform = SQLitePlatformStore(pool)
        optimizations = SQLiteOptimizationStore(pool)
        leases = nil
        fence = nil
        changeFeed = nil
    }

    /// A database made of the given stores (the in-memory ones of the tests:
    /// ``CentralDatabase/inMemory()``); `probe` answers `isHealthy` and `dataVersion`.
    public init(
        users: any UserStore, sessions: any SessionStore, exchangeKeys: any ExchangeKeyStore, processes: any ProcessStatusStore,
        commands: any CommandStore, workerEvents: any WorkerEventStore, supervisorInfo: any SupervisorInfoStore,
        portfolios: any PortfolioStore, trading: any TradingStore, bots: any BotStore, probe: any CentralDatabaseProbe,
        loginAttempts: any LoginAttemptStore = InMemoryLoginAttemptStore(), signalHooks: any SignalHookStore = InMemorySignalHookStore(),
        notifications: any NotificationStore = InMemoryNotificationStore(), secondFactors: any SecondFactorStore = InMemorySecondFactorStore(),
        apiTokens: any APITokenStore = InMemoryAPITokenStore(), audit: any AuditLogStore = InMemoryAuditLogStore(),
        platform: any PlatformStore = InMemoryPlatformStore(), optimizations: any OptimizationStore = InMemoryOptimizationStore(), leases: (any LeaseStore)? = nil, fence: (any CentralFence)? = nil, changeFeed: (any CentralChangeFeed)? = nil
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
        self.loginAttempts = loginAttempts
        self.signalHooks = signalHooks
        self.notifications = notifications
        self.secondFactors = secondFactors
        self.apiTokens = apiTokens
        self.audit = audit
        self.platform = platform
        self.optimizations = optimizations
        self.probe = probe
        self.leases = leases
        self.fence = fence
        self.changeFeed = changeFeed
    }

    /// Runs `body`'s writes for `user` as the host holding the user's lease at `epoch`: in one
    /// transaction that the database refuses (``FenceRefused``) when that lease is no longer
    /// current. Without a fence (one machine, or no lease given) `body` runs on this database.
    public func fenced<T>(user: UserID, lease: (host: String, epoch: Int64)?, _ body: (CentralDatabase) throws -> T) throws -> T {
        guard let fence, let lease else { return try body(self) }
        return try fence.write(user: user, host: lease.host, epoch: lease.epoch, body)
    }

    /// Runs `body` once for many users as `host` (``CentralFence/writeEach(host:epochs:_:)``):
    /// with the users whose lease is current, in one transaction; returns the users refused.
    /// Without a fence (one machine, or no host given) every user is written, on this database.
    public func fencedEach(host: String?, epochs: [UserID: Int64], _ body: (CentralDatabase, Set<UserID>) throws -> Void) throws -> Set<UserID> {
        guard let fence, let host else {
            try body(self, Set(epochs.keys))
            return []
        }
        return try fence.writeEach(host: host, epochs: epochs, body)
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

    /// Tells the listeners of ``changeFeed`` (every web) that a batch of writes was committed.
    /// Nothing to do on SQLite, whose readers poll the file.
    public func announceChanges() { probe.announceChanges() }
}

/// The database's side of fencing (``CentralDatabase/fenced(user:lease:_:)``).
public protocol CentralFence: Sendable {
    func write<T>(user: UserID, host: String, epoch: Int64, _ body: (CentralDatabase) throws -> T) throws -> T
    /// Many users' writes in one transaction (one commit, not one per user): `body` gets the
    /// users of `epochs` whose lease `host` holds at that epoch (their lease rows locked until
    /// the commit) and writes theirs only; returns the users refused.
    func writeEach(host: String, epochs: [UserID: Int64], _ body: (CentralDatabase, Set<UserID>) throws -> Void) throws -> Set<UserID>
}

/// A write refused because the writing host's lease on the user is no longer current (another
/// host took the user over): nothing of it was written.
public struct FenceRefused: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// An error of a database that may be unavailable for a while (a server restarting), as opposed
/// to one that refused what was asked: what failed for the first reason is worth trying again.
public protocol CentralDatabaseFailure: Error {
    var isUnavailable: Bool { get }
}

extension CentralDatabase {
    /// Whether `error` says the database did not answer (rather than refused the write).
    public func isUnavailable(_ error: any Error) -> Bool {
        (error as? any CentralDatabaseFailure)?.isUnavailable ?? false
    }
}
