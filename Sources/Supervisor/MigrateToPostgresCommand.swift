import ArgumentParser
import CentralPostgres
import Common
import Foundation

/// `supervisor migrate-to-postgres --from DIR --to URL`: moves a single-machine installation's
/// central database onto PostgreSQL. The supervisor of DIR must be stopped (its lock is held for
/// the copy); the users' own files, the logs and the master key stay in DIR.
struct MigrateToPostgres: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to-postgres",
        abstract: "Copy a data directory's central.sqlite into an empty PostgreSQL database and verify the copy (stop the supervisor first).",
        discussion: """
            The URL carries no password (every process can read a command line): give it in \
            TRADER_DATABASE_PASSWORD. Then set database.url in etc/trader.yaml (or \
            TRADER_DATABASE_URL) and start the supervisor with the same data directory.
            """
    )

    @Option(help: "The data directory to copy from.")
    var from: String
    @Option(help: "The PostgreSQL database to copy into: postgres://user@host:port/database (empty).")
    var to: String

    func run() async throws {
        do {
            var location = try PostgresLocation(url: to)
            guard location.password == nil else {
                throw PostgresLocation.Invalid(reason: "a password on the command line is visible to every process: give it in TRADER_DATABASE_PASSWORD")
            }
            location.password = ProcessInfo.processInfo.environment["TRADER_DATABASE_PASSWORD"]
            let directory = DataDirectory(root: URL(fileURLWithPath: from).standardizedFileURL.path)
            guard FileManager.default.fileExists(atPath: directory.centralDatabase) else {
                throw CentralCopy.Failure(description: "no central database at \(directory.centralDatabase)")
            }
            let lock = try InstanceLock(path: directory.lockFile)
            defer { withExtendedLifetime(lock) {} }
            // Brought to this build's schema first, so both sides have the same columns.
            guard let source = try CentralDatabase.migrate(directory).pool else { return }
            let db = PostgresSession(location)
            print("copying \(directory.centralDatabase) into \(location)")
            let counts = try CentralCopy.copy(from: source, to: db) { table, rows in print("  \(table): \(rows) rows") }
            try CentralCopy.verify(from: source, to: db)
            print("verified: \(counts.reduce(0) { $0 + $1.rows }) rows in \(counts.count) tables are the same on both sides")
            print("next: set database.url to \(location) (the password in TRADER_DATABASE_PASSWORD or in the URL in etc/trader.yaml) and start the supervisor with --data-dir \(directory.root)")
        } catch {
            StreamWriter.standardError.write("supervisor: migrate-to-postgres: \(error)\n")
            throw ExitCode(1)
        }
    }
}
