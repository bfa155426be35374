import Foundation

/// The resolved configuration of one installation: what `etc/trader.yaml`, the `TRADER_…`
/// environment and the command-line flags say, after defaults and validation.
public struct TraderConfig: Sendable, Equatable {
    public enum ExchangeMode: String, Sendable, CaseIterable {
        case sim
        case testnet
        /// Binance itself, with real money: only with `exchange.allow_mainnet: true`.
        case mainnet
    }

    public var dataDir: String
    /// The central database on PostgreSQL (`database.url`); nil: `central.sqlite` in the data
    /// directory (the single-machine default).
    public var database: PostgresLocation?
    public var masterKeyFile: String?
    /// This supervisor's name among the hosts sharing a PostgreSQL database (`host.id`), how
    /// many users' workers it runs at most, and how long its leases last unrenewed.
    public var hostID: String
    public var hostCapacity: Int
    public var leaseMs: Int
    public var binDir: String?
    public var webHost: String
    public var webPort: Int
    /// Whether this host starts the dashboard, and the simulator in sim mode (a cluster's hosts
    /// share one simulator, and need not each serve a dashboard).
    public var startWeb: Bool
    public var startSim: Bool
    public var sessionIdleMinutes: Int
    public var secureCookies: Bool
    /// Who `/metrics` answers (it names users' workers).
    public var metricsAccess: MetricsAccess
    /// How many bots a user may have.
    public var botsPerUser: Int
    public var exchange: ExchangeMode
    public var simPort: Int
    public var simSeed: Int
    public var testnetBaseURL: String
    /// Binance's REST base URL for `exchange: mainnet` (tests point it at the simulator).
    public var mainnetBaseURL: String
    /// The operator's word that this installation may trade real money.
    public var allowMainnet: Bool
    public var heartbeatTimeoutMs: Int
    public var restartBackoffInitialMs: Int
    public var restartBackoffMaxMs: Int
    public var healthyAfterMs: Int
    public var crashLoopRestarts: Int
    public var crashLoopWindowMs: Int
    public var stopTimeoutMs: Int
    public var keyPollMs: Int
    public var requestWeightLimit: Int
    public var workerHeartbeatIntervalMs: Int
    /// A worker whose resident memory passes this is killed and started again (0: no limit).
    public var workerMemoryLimitMB: Int
    /// The most files a worker may have open (its RLIMIT_NOFILE).
    public var workerOpenFiles: Int
    public var logMaxBytes: Int
    public var logKeep: Int
    public var logLevel: String
    /// Hours between the supervisor's automatic backups (0: none) and how many it keeps.
    public var backupIntervalHours: Int
    public var backupKeep: Int
    /// Whether children run under uids of their own when the supervisor is root (`auto`), or
    /// never (`off`: file modes only).
    public var isolationUIDs: Bool
    /// The uid range the web, the simulator and the workers are given, when they are.
    public var isolationFirstUID: Int
    public var isolationUIDCount: Int
    /// The Telegram Bot API's base URL (tests point it at a fake server).
    public var telegramAPIURL: String
    /// The SMTP server e-mail channels send through (empty host: no e-mail channels), over STARTTLS.
    public var smtpHost: String
    public var smtpPort: Int
    public var smtpUsername: String
    public var smtpPassword: String
    public var smtpFrom: String
    /// A CA certificate (PEM) the SMTP server's certificate is checked against; empty: the system's.
    public var smtpCAFile: String?

    public init() {
        dataDir = "var"
        database = nil
        hostID = TraderConfig.defaultHostID
        hostCapacity = 1_000
        leaseMs = 6_000
        masterKeyFile = nil
        binDir = nil
        webHost = "127.0.0.1"
        webPort = 8080
        startWeb = true
        startSim = true
        sessionIdleMinutes = 720
        secureCookies = false
        metricsAccess = .loopback
        botsPerUser = 20
        exchange = .sim
        simPort = 9090
        simSeed = 1
        testnetBaseURL = "https://testnet.binance.vision"
        mainnetBaseURL = "https://api.binance.com"
        allowMainnet = false
        heartbeatTimeoutMs = 10_000
        restartBackoffInitialMs = 500
        restartBackoffMaxMs = 30_000
        healthyAfterMs = 60_000
        crashLoopRestarts = 5
        crashLoopWindowMs = 60_000
        stopTimeoutMs = 5_000
        keyPollMs = 500
        requestWeightLimit = 6_000
        workerHeartbeatIntervalMs = 1_000
        workerMemoryLimitMB = 512
        workerOpenFiles = 1_024
        logMaxBytes = 10 * 1024 * 1024
        logKeep = 5
        logLevel = "info"
        backupIntervalHours = 24
        backupKeep = 7
        isolationUIDs = true
        isolationFirstUID = 70_000
        isolationUIDCount = 10_000
        telegramAPIURL = "https://api.telegram.org"
        smtpHost = ""
        smtpPort = 587
        smtpUsername = ""
        smtpPassword = ""
        smtpFrom = ""
        smtpCAFile = nil
    }

    /// The data directory as an absolute path.
    public var absoluteDataDir: String {
        dataDir.hasPrefix("/") ? dataDir : FileManager.default.currentDirectoryPath + "/" + dataDir
    }

    /// The URL of the exchange the workers and the supervisor talk to.
    public var exchangeBaseURL: String {
        switch exchange {
        case .sim: "http://127.0.0.1:\(simPort)"
        case .testnet: testnetBaseURL
        case .mainnet: mainnetBaseURL
        }
    }
}

extension TraderConfig {
    /// The machine's name: a host id that differs between machines without being configured.
    public static var defaultHostID: String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count) == 0 else { return "host" }
        let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "host" : text
    }
}
