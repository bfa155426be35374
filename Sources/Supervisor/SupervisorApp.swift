import CentralPostgres
import Common
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds and runs the supervisor from a resolved configuration. Every failure before the first
/// child starts is a `StartupError` naming what is wrong; nothing is started then.
enum SupervisorApp {
    struct StartupError: Error, CustomStringConvertible {
        let description: String
    }

    static func run(config: TraderConfig) async throws {
        let directory = DataDirectory(root: config.absoluteDataDir, masterKeyFile: config.masterKeyFile)
        do {
            try directory.prepare()
        } catch {
            throw StartupError(description: "data directory \(directory.root): \(error)")
        }
        let lock: InstanceLock
        do {
            lock = try InstanceLock(path: directory.lockFile)
        } catch {
            throw StartupError(description: "\(error)")
        }
        let logFile: RotatingFile
        do {
            logFile = try RotatingFile(path: directory.processLog("supervisor"), maxBytes: config.logMaxBytes, keep: config.logKeep)
        } catch {
            throw StartupError(description: "cannot open \(directory.processLog("supervisor")): \(error)")
        }
        JSONLogHandler.bootstrap(label: "supervisor", sink: .both(logFile), level: config.logLevel)
        let logger = Logger(label: "supervisor")

        let database: CentralDatabase
        do {
            database = try CentralDatabase.migrate(config.database, directory: directory, logger: logger)
        } catch {
            throw StartupError(description: "\(error)")
        }
        let vault: Fernet
        do {
            let opened = try MasterKeyVault.open(keyFile: directory.masterKeyFile, store: database.exchangeKeys)
            vault = opened.fernet
            if opened.undecryptable > 0 {
                logger.error("vault.undecryptable_tokens", metadata: ["count": "\(opened.undecryptable)", "key_file": "\(directory.masterKeyFile)"])
            }
        } catch {
            throw StartupError(description: "\(error)")
        }
        let binDir = try resolveBinDir(config)
        let isolation = Isolation.resolve(config: config, directory: directory, binDir: binDir, logger: logger)
        isolation.announce()
        do {
            try Self.writeDatabaseURLFile(config.database, directory: directory)
            try isolation.prepareShared(directory)
        } catch {
            throw StartupError(description: "isolation: \(error)")
        }

        let now = Date()
        if let leases = database.leases {
            // One host among several: the other hosts' rows are theirs; this one takes users again.
            try leases.setDraining(host: config.hostID, false)
        } else {
            try database.processes.markAllStopped(message: "supervisor restarted", at: now)
        }
        try database.supervisorInfo.set([
            "pid": String(getpid()), "started_at": Timestamp.string(now), "exchange": config.exchange.rawValue,
            "exchange_url": config.exchangeBaseURL, "web_url": "http://\(config.webHost):\(config.webPort)", "state": "running",
            "request_weight_limit": String(config.requestWeightLimit),
            "database": config.database.map { "postgres \($0)" } ?? "sqlite", "host_id": config.hostID,
        ])
        let supervisor = ProcessSupervisor(
            config: config, directory: directory, database: database,
            vault: ExchangeKeyVault(fernet: vault, store: database.exchangeKeys), binDir: binDir, isolation: isolation, logger: logger
        )
        let internalToken = SecureToken.random()
        do {
            try Self.writePrivateFile(directory.internalTokenFile, internalToken)
            try isolation.prepareShared(directory)
        } catch {
            throw StartupError(description: "isolation: \(error)")
        }
        let webHost = ["0.0.0.0", "::", ""].contains(config.webHost) ? "127.0.0.1" : config.webHost
        let botControl = SupervisorBotControl(
            supervisor: supervisor, http: .shared, webURL: config.startWeb ? "http://\(webHost.contains(":") ? "[\(webHost)]" : webHost):\(config.webPort)" : nil,
            token: internalToken)
        let notifier = Notifier(database: database, fernet: vault, config: config, botControl: botControl, logger: logger) { [weak supervisor] in
            supervisor?.localUsers()
        }
        supervisor.notifierSlot.withLock { $0 = notifier }
        let control = ControlServer.build(supervisor: supervisor, notifier: notifier, socketPath: directory.controlSocket, logger: logger) {
            isolation.prepareSocket(directory.controlSocket)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: SupervisorService(supervisor: supervisor)), .init(service: control), .init(service: NotifierService(notifier: notifier)),
        ]
        if config.backupIntervalHours > 0 {
            let backups = BackupService(
                directory: directory, centralOnPostgres: config.database != nil, interval: .seconds(config.backupIntervalHours * 3600), keep: config.backupKeep,
                logger: logger)
            services.append(.init(service: backups))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info("supervisor.started", metadata: ["pid": "\(getpid())", "data_dir": "\(directory.root)", "exchange": "\(config.exchange.rawValue)"])
        let dashboard = config.startWeb ? "dashboard at http://\(config.webHost):\(config.webPort)" : "no dashboard on this host (web.start: false)"
        print("Crypto Trader Pro: \(dashboard) — data in \(directory.root) — Ctrl-C stops everything")
        fflush(nil)
        try await group.run()
        try? database.supervisorInfo.set(["state": "stopped", "stopped_at": Timestamp.string(Date())])
        unlink(directory.controlSocket)
        logger.info("supervisor.stopped")
        withExtendedLifetime(lock) {}
    }

    /// The other executables: `bin_dir` / `TRADER_BIN_DIR`, else the folder of this executable.
    static func resolveBinDir(_ config: TraderConfig) throws -> String {
        let dir: String
        if let configured = config.binDir {
            dir = configured
        } else {
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            dir = (exe as NSString).deletingLastPathComponent
        }
        for name in ["web", "worker", "exchange-sim"] where !FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            throw StartupError(description: "executable \(dir)/\(name) not found; build with `make` or set TRADER_BIN_DIR")
        }
        return dir
    }

    /// A new file only its owner can read (the isolation then gives it to the web's group).
    static func writePrivateFile(_ path: String, _ text: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StartupError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((text + "\n").utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw StartupError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Hands the web the PostgreSQL URL in a file only it (and root) can read; removes a file a
    /// run on PostgreSQL left when this run is on central.sqlite.
    static func writeDatabaseURLFile(_ location: PostgresLocation?, directory: DataDirectory) throws {
        let path = directory.databaseURLFile
        try? FileManager.default.removeItem(atPath: path)
        guard let location else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StartupError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((location.connectionURL + "\n").utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw StartupError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
