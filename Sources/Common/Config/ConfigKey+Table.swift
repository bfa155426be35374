import Foundation

/// One configuration key: its path in `trader.yaml`, its `TRADER_…` twin, its default, what it
/// accepts, and where its parsed value goes.
struct ConfigEntry: Sendable {
    let path: String
    let summary: String
    let apply: @Sendable (inout TraderConfig, String) throws -> Void

    /// `web.port` → `TRADER_WEB_PORT`.
    var environmentName: String {
        "TRADER_" + path.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// `web.port` → `--web-port`.
    var flagName: String {
        "--" + path.map { $0 == "." || $0 == "_" ? "-" : String($0) }.joined()
    }
}

/// Why a value could not be used; the loader adds where it came from.
public struct ConfigValueError: Error, Sendable {
    public let reason: String
}

enum ConfigTable {
    static let entries: [ConfigEntry] = [
        ConfigEntry(path: "data_dir", summary: "data directory") { $0.dataDir = try path($1) },
        // No command-line flag: a URL may carry the database's password.
        ConfigEntry(path: "database.url", summary: "the central database on PostgreSQL (empty: central.sqlite)") { c, v in
            do {
                c.database = v.isEmpty ? nil : try PostgresLocation(url: v)
            } catch let invalid as PostgresLocation.Invalid {
                throw ConfigValueError(reason: invalid.reason)
            }
        },
        ConfigEntry(path: "host.id", summary: "this supervisor's name among the hosts sharing the database") { c, v in
            if v.isEmpty {
                c.hostID = TraderConfig.defaultHostID
                return
            }
            guard (1...64).contains(v.count), v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ConfigValueError(reason: "expected 1 to 64 letters, digits, '-', '_' or '.', got \"\(v)\"")
            }
            c.hostID = v
        },
        ConfigEntry(path: "host.capacity", summary: "the most users' workers this host runs") { $0.hostCapacity = try integer($1, 0...100_000) },
        ConfigEntry(path: "host.lease_ms", summary: "how long a host's lease on a user lasts unrenewed") { $0.leaseMs = try integer($1, 3_000...120_000) },
        ConfigEntry(path: "master_key_file", summary: "Fernet master key file") { $0.masterKeyFile = $1.isEmpty ? nil : try path($1) },
        ConfigEntry(path: "bin_dir", summary: "folder of the executables") { $0.binDir = $1.isEmpty ? nil : try path($1) },
        ConfigEntry(path: "web.host", summary: "dashboard address") { $0.webHost = try host($1) },
        ConfigEntry(path: "web.port", summary: "dashboard port") { $0.webPort = try port($1) },
        ConfigEntry(path: "web.session_idle_minutes", summary: "inactivity that ends a session") {
            $0.sessionIdleMinutes = try integer($1, 1...525_600)
        },
        ConfigEntry(path: "web.start", summary: "start the dashboard on this host (false: a host of a cluster that runs workers only)") {
            $0.startWeb = try boolean($1)
        },
        ConfigEntry(path: "web.secure_cookies", summary: "the site is served over TLS: cookies get Secure") { $0.secureCookies = try boolean($1) },
        ConfigEntry(path: "web.metrics_access", summary: "who /metrics answers: loopback, admin_token or loopback_or_admin_token") { c, v in
            guard let access = MetricsAccess(rawValue: v.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ConfigValueError(reason: "expected loopback, admin_token or loopback_or_admin_token, got \"\(v)\"")
            }
            c.metricsAccess = access
        },
        ConfigEntry(path: "bots.max_per_user", summary: "how many bots a user may have") { $0.botsPerUser = try integer($1, 1...1_000) },
        ConfigEntry(path: "exchange", summary: "sim, testnet or mainnet") { c, v in try setExchange(&c, v) },
        // The same as a mapping, beside the operator's word for mainnet (`exchange: {mode: mainnet, allow_mainnet: true}`).
        ConfigEntry(path: "exchange.mode", summary: "sim, testnet or mainnet (exchange: as a mapping)") { c, v in try setExchange(&c, v) },
        ConfigEntry(path: "exchange.allow_mainnet", summary: "true: exchange mainnet may trade real money") { $0.allowMainnet = try boolean($1) },
        ConfigEntry(path: "mainnet.base_url", summary: "Binance's REST base URL for mainnet") { c, v in
            guard v.hasPrefix("https://") || v.hasPrefix("http://") else {
                throw ConfigValueError(reason: "expected an http(s) URL, got \"\(v)\"")
            }
            c.mainnetBaseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        },
        ConfigEntry(path: "sim.port", summary: "simulator port") { $0.simPort = try port($1) },
        ConfigEntry(path: "sim.start", summary: "start the simulator (false: use the one already listening on sim.port, shared by a cluster's hosts)") {
            $0.startSim = try boolean($1)
        },
        ConfigEntry(path: "sim.seed", summary: "simulator seed") { $0.simSeed = try integer($1, 0...Int(Int32.max)) },
        ConfigEntry(path: "testnet.base_url", summary: "testnet REST base URL") { c, v in
            guard v.hasPrefix("https://") || v.hasPrefix("http://") else {
                throw ConfigValueError(reason: "expected an http(s) URL, got \"\(v)\"")
            }
            c.testnetBaseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        },
        ConfigEntry(path: "supervisor.heartbeat_timeout_ms", summary: "kill a silent worker after") {
            $0.heartbeatTimeoutMs = try integer($1, 1_000...3_600_000)
        },
        ConfigEntry(path: "supervisor.restart_backoff_initial_ms", summary: "first restart delay") {
            $0.restartBackoffInitialMs = try integer($1, 10...600_000)
        },
        ConfigEntry(path: "supervisor.restart_backoff_max_ms", summary: "restart delay cap") {
            $0.restartBackoffMaxMs = try integer($1, 10...3_600_000)
        },
        ConfigEntry(path: "supervisor.healthy_after_ms", summary: "running time that resets the backoff") {
            $0.healthyAfterMs = try integer($1, 100...86_400_000)
        },
        ConfigEntry(path: "supervisor.crash_loop_restarts", summary: "exits that make a crash loop") {
            $0.crashLoopRestarts = try integer($1, 2...1000)
        },
        ConfigEntry(path: "supervisor.crash_loop_window_ms", summary: "window of those exits") {
            $0.crashLoopWindowMs = try integer($1, 1_000...86_400_000)
        },
        ConfigEntry(path: "supervisor.stop_timeout_ms", summary: "grace before SIGKILL at stop") {
            $0.stopTimeoutMs = try integer($1, 100...8_000)
        },
        ConfigEntry(path: "supervisor.key_poll_ms", summary: "how often stored keys are checked") {
            $0.keyPollMs = try integer($1, 50...1_500)
        },
        ConfigEntry(path: "supervisor.request_weight_limit", summary: "the exchange's request weight per minute for this host") {
            $0.requestWeightLimit = try integer($1, 10...1_000_000)
        },
        ConfigEntry(path: "worker.heartbeat_interval_ms", summary: "worker heartbeat period") {
            $0.workerHeartbeatIntervalMs = try integer($1, 100...2_000)
        },
        ConfigEntry(path: "worker.memory_limit_mb", summary: "resident memory that gets a worker restarted (0 = none)") {
            $0.workerMemoryLimitMB = try integer($1, 0...1_048_576)
        },
        ConfigEntry(path: "worker.open_files", summary: "open files a worker may hold") { $0.workerOpenFiles = try integer($1, 64...1_048_576) },
        ConfigEntry(path: "logs.max_bytes", summary: "rotate a log file past this size") {
            $0.logMaxBytes = try integer($1, 4_096...Int(Int32.max))
        },
        ConfigEntry(path: "logs.keep", summary: "rotated files kept") { $0.logKeep = try integer($1, 1...100) },
        ConfigEntry(path: "backups.interval_hours", summary: "hours between automatic backups (0 = none)") {
            $0.backupIntervalHours = try integer($1, 0...8_760)
        },
        ConfigEntry(path: "backups.keep", summary: "automatic backups kept") { $0.backupKeep = try integer($1, 1...1_000) },
        ConfigEntry(path: "isolation.uids", summary: "auto: children under uids of their own when root; off: file modes only") { c, v in
            switch v.trimmingCharacters(in: .whitespaces).lowercased() {
            case "auto": c.isolationUIDs = true
            case "off": c.isolationUIDs = false
            default: throw ConfigValueError(reason: "expected auto or off, got \"\(v)\"")
            }
        },
        ConfigEntry(path: "isolation.first_uid", summary: "first uid (and gid) of the range given to the children") {
            $0.isolationFirstUID = try integer($1, 1_000...2_000_000_000)
        },
        ConfigEntry(path: "isolation.uid_count", summary: "size of that range (web, simulator, then one per user)") {
            $0.isolationUIDCount = try integer($1, 12...1_000_000)
        },
        ConfigEntry(path: "notifications.telegram_api_url", summary: "the Telegram Bot API's base URL") { c, v in
            guard v.hasPrefix("https://") || v.hasPrefix("http://") else { throw ConfigValueError(reason: "expected an http(s) URL, got \"\(v)\"") }
            c.telegramAPIURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        },
        ConfigEntry(path: "notifications.smtp.host", summary: "the SMTP server of e-mail channels (empty: none)") { c, v in
            guard v.isEmpty || (try? host(v)) != nil else { throw ConfigValueError(reason: "expected a host name, got \"\(v)\"") }
            c.smtpHost = v
        },
        ConfigEntry(path: "notifications.smtp.port", summary: "its port (STARTTLS)") { $0.smtpPort = try port($1) },
        ConfigEntry(path: "notifications.smtp.username", summary: "its account (empty: no login)") { $0.smtpUsername = $1 },
        // No command-line flag: a password.
        ConfigEntry(path: "notifications.smtp.password", summary: "its account's password") { $0.smtpPassword = $1 },
        ConfigEntry(path: "notifications.smtp.from", summary: "the sender's address") { c, v in
            guard v.isEmpty || (v.contains("@") && !v.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })) else {
                throw ConfigValueError(reason: "expected an address like trader@example.com, got \"\(v)\"")
            }
            c.smtpFrom = v
        },
        ConfigEntry(path: "notifications.smtp.ca_file", summary: "a CA certificate the server's is checked against (empty: the system's)") {
            $0.smtpCAFile = $1.isEmpty ? nil : try path($1)
        },
        ConfigEntry(path: "logs.level", summary: "trace, debug, info, notice, warning, error") { c, v in
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(v.lowercased()) else {
                throw ConfigValueError(reason: "expected one of \(levels.joined(separator: ", ")), got \"\(v)\"")
            }
            c.logLevel = v.lowercased()
        },
    ]

    static func integer(_ text: String, _ range: ClosedRange<Int>) throws(ConfigValueError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigValueError(reason: "expected a whole number, got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigValueError(reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    static func boolean(_ text: String) throws(ConfigValueError) -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigValueError(reason: "expected true or false, got \"\(text)\"")
        }
    }

    static func port(_ text: String) throws(ConfigValueError) -> Int {
        try integer(text, 1...65_535)
    }

    static func path(_ text: String) throws(ConfigValueError) -> String {
        guard !text.isEmpty, !text.contains("\0") else {
            throw ConfigValueError(reason: "expected a path, got an empty value")
        }
        return text
    }

    static func setExchange(_ config: inout TraderConfig, _ value: String) throws(ConfigValueError) {
        guard let mode = TraderConfig.ExchangeMode(rawValue: value.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw ConfigValueError(reason: "expected one of sim, testnet, mainnet, got \"\(value)\"")
        }
        config.exchange = mode
    }

    static func host(_ text: String) throws(ConfigValueError) -> String {
        guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || ".:-".contains($0) }) else {
            throw ConfigValueError(reason: "expected a host name or address, got \"\(text)\"")
        }
        return text
    }
}
