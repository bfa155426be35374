import ArgumentParser
import Common
import Foundation
import Logging
import ServiceLifecycle

/// `supervisor backup`: an online backup now, while the supervisor and the bots run.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy central.sqlite and every user's trader.sqlite into DIR/backups/<time>/ (online, checked)."
    )

    @OptionGroup var options: DataDirectoryOptions

    func run() async throws {
        let (directory, config) = try await options.resolved()
        do {
            let (folder, manifest) = try Backups.make(directory, centralOnPostgres: config.database != nil)
            let bytes = manifest.files.reduce(0) { $0 + $1.bytes }
            print("backup made in \(folder): \(manifest.files.count) databases, \(bytes) bytes, each passed the integrity check")
            if let location = config.database {
                print("the central database is on PostgreSQL (\(location)): back it up with pg_dump")
            }
        } catch {
            StreamWriter.standardError.write("supervisor: backup: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// `--config` and `--data-dir` of the subcommands that work on a data directory (backup,
/// restore, rotate-master-key): the configuration resolved as the supervisor's own is.
struct DataDirectoryOptions: ParsableArguments {
    @Option(help: "The YAML configuration file (default: etc/trader.yaml when present).")
    var config: String?
    @Option(help: "The data directory (default: var).")
    var dataDir: String?

    func directory() async throws -> DataDirectory { try await resolved().directory }

    /// The data directory and the whole configuration (where the central database is).
    func resolved() async throws -> (directory: DataDirectory, config: TraderConfig) {
        var flags: [String: String] = [:]
        flags["data_dir"] = dataDir
        do {
            let resolved = try await ConfigLoader.load(file: config, flags: flags)
            return (DataDirectory(root: resolved.absoluteDataDir, masterKeyFile: resolved.masterKeyFile), resolved)
        } catch {
            StreamWriter.standardError.write("supervisor: configuration error: \(error)\n")
            throw ExitCode(2)
        }
    }
}

/// `supervisor restore PATH`: puts a backup back, with the supervisor stopped.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup (a DIR/backups/<time> folder) in place of the databases; the current files are moved aside. Stop the supervisor first."
    )

    @Argument(help: "The backup folder.")
    var path: String
    @OptionGroup var options: DataDirectoryOptions

    func run() async throws {
        let directory = try await options.directory()
        do {
            try FileManager.default.createDirectory(atPath: directory.runDir, withIntermediateDirectories: true)
            // Holding the supervisor's lock: no supervisor can start (or be running) meanwhile.
            let lock = try InstanceLock(path: directory.lockFile)
            defer { withExtendedLifetime(lock) {} }
            let folder = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            let restored = try Backups.restore(folder, into: directory)
            print("restored \(restored.count) databases from \(folder) (\(restored.joined(separator: ", "))); the files they replace were moved aside as *.before-restore-*")
        } catch {
            StreamWriter.standardError.write("supervisor: restore: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// The supervisor's own backups: one every `backups.interval_hours`, the newest
/// `backups.keep` kept.
struct BackupService: Service {
    let directory: DataDirectory
    /// The central database is on PostgreSQL: only the users' files are this service's.
    var centralOnPostgres = false
    let interval: Duration
    let keep: Int
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Due one interval after the newest backup (a minute after start when that is
                // past), so that a supervisor restarted more often than the interval still backs up.
                try await Task.sleep(for: delay(now: Date()))
                do {
                    let (folder, manifest) = try Backups.make(directory, centralOnPostgres: centralOnPostgres)
                    let removed = try Backups.prune(directory, keep: keep)
                    logger.info("backup.made", metadata: ["folder": "\(folder)", "databases": "\(manifest.files.count)", "pruned": "\(removed.count)"])
                } catch {
                    logger.error("backup.failed", metadata: ["error": "\(error)"])
                    try await Task.sleep(for: .seconds(3600))  // not again at once
                }
            }
        }
    }

    func delay(now: Date) -> Duration {
        let newest = Backups.list(directory).last.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
        guard let newest else { return .seconds(60) }
        let due = newest.addingTimeInterval(Double(interval.components.seconds))
        return .seconds(max(60, due.timeIntervalSince(now)))
    }
}
