import ArgumentParser
import CentralPostgres
import Common
import Foundation
import Logging

@main
struct SupervisorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervisor",
        abstract: "Runs Crypto Trader Pro: the dashboard, the exchange simulator and one trading worker per user.",
        subcommands: [Run.self, BackupCommand.self, RestoreCommand.self, RotateMasterKey.self, MigrateToPostgres.self, Drain.self, AuditCommand.self, AdminCommand.self],
        defaultSubcommand: Run.self
    )
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the supervisor (the default).")

    @Option(help: "The YAML configuration file (default: etc/trader.yaml when present).")
    var config: String?
    @Option(help: "The data directory (default: var).")
    var dataDir: String?
    @Option(help: "The dashboard's address (default: 127.0.0.1).")
    var webHost: String?
    @Option(help: "The dashboard's port (default: 8080).")
    var webPort: String?
    @Option(help: "sim (the embedded simulator) or testnet.")
    var exchange: String?
    @Option(help: "The simulator's port (default: 9090).")
    var simPort: String?

    func run() async throws {
        var flags: [String: String] = [:]
        flags["data_dir"] = dataDir
        flags["web.host"] = webHost
        flags["web.port"] = webPort
        flags["exchange"] = exchange
        flags["sim.port"] = simPort
        do {
            let resolved = try await ConfigLoader.load(file: config, flags: flags)
            try await SupervisorApp.run(config: resolved)
        } catch let error as ConfigError {
            StreamWriter.standardError.write("supervisor: configuration error: \(error)\n")
            throw ExitCode(2)
        } catch let error as SupervisorApp.StartupError {
            StreamWriter.standardError.write("supervisor: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// `supervisor rotate-master-key`: re-encrypts every stored exchange key with a new master key.
struct RotateMasterKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-master-key",
        abstract: "Re-encrypt every stored exchange key with a new master key (stop the supervisor first)."
    )

    @OptionGroup var options: DataDirectoryOptions

    func run() async throws {
        let (directory, config) = try await options.resolved()
        do {
            let count = try Self.rotate(directory, database: config.database)
            print("rotated the master key \(directory.masterKeyFile): \(count) exchange keys re-encrypted")
        } catch {
            StreamWriter.standardError.write("supervisor: rotate-master-key: \(error)\n")
            throw ExitCode(1)
        }
    }

    static func rotate(_ directory: DataDirectory, database location: PostgresLocation?) throws -> Int {
        guard location != nil || FileManager.default.fileExists(atPath: directory.centralDatabase) else {
            throw SupervisorApp.StartupError(description: "no database at \(directory.centralDatabase): nothing to rotate")
        }
        let lock = try InstanceLock(path: directory.lockFile)
        defer { withExtendedLifetime(lock) {} }
        let database = try CentralDatabase.migrate(location, directory: directory, logger: Logger(label: "rotate-master-key"))
        // A test stops the rotation at a step, to prove that a crash there loses nothing.
        let stopAt = ProcessInfo.processInfo.environment["TRADER_TEST_ROTATION_PAUSE_AT"].flatMap(MasterKeyVault.Step.init(rawValue:))
        return try MasterKeyVault.rotate(keyFile: directory.masterKeyFile, store: database.exchangeKeys) { step in
            guard step == stopAt else { return }
            print("paused at \(step.rawValue)")
            fflush(nil)
            while true { sleep(60) }
        }
    }
}
