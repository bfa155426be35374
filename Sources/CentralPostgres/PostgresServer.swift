import Common
import Foundation

/// A throwaway PostgreSQL server of our own: Debian's PostgreSQL, initialised in a folder on a
/// free loopback port, run as the unprivileged `postgres` account when we run as root
/// (PostgreSQL refuses root), trust authentication on loopback only, without fsync unless `durable` (its data
/// is thrown away). The integration tests take one per test process (`var/pg-test/`), `make
/// bench` one per measurement; each user of it takes a database of its own (``newDatabase()``).
public final class PostgresServer: Sendable {
    public let directory: String
    public let port: Int
    public let binDir: String
    /// `postgres` when the tests run as root; nil: the current account.
    public let account: String?
    /// Whether commits wait for the disk (a measurement's server), or not (the tests' server).
    public let durable: Bool
    public static let user = "ctp"

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private init(directory: String, port: Int, binDir: String, account: String?, durable: Bool) {
        self.directory = directory
        self.durable = durable
        self.port = port
        self.binDir = binDir
        self.account = account
    }

    /// Initialises and starts a server in `directory` (emptied first), its parent made
    /// reachable by the `postgres` account when we run as root (so the parent holds nothing else).
    public static func start(directory: String, durable: Bool = false) throws -> PostgresServer {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw Failure(description: "PostgreSQL is not installed (/usr/lib/postgresql/N/bin): `make test` installs Debian's postgresql")
        }
        let binDir = "/usr/lib/postgresql/\(version)/bin"
        let account: String? = getuid() == 0 ? "postgres" : nil
        let root = (directory as NSString).deletingLastPathComponent
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let account {
            try run("/bin/chown", ["-R", account, root])
        }
        let cluster = PostgresServer(directory: directory, port: LoopbackPort.free(), binDir: binDir, account: account, durable: durable)
        try cluster.asAccount(binDir + "/initdb", ["-D", directory + "/data", "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"])
        try cluster.startServer()
        return cluster
    }

    /// Starts the server (again, after ``stopServer(mode:)``) on the same port and files.
    public func startServer() throws {
        let sync = durable ? "" : " -c fsync=off -c synchronous_commit=off"
        try asAccount(binDir + "/pg_ctl", [
            "-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start", "-o",
            "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c max_connections=300" + sync,
        ])
    }

    /// Stops the server: `fast` ends sessions cleanly, `immediate` is a crash.
    public func stopServer(mode: String = "fast") throws {
        try asAccount(binDir + "/pg_ctl", ["-D", directory + "/data", "-w", "-m", mode, "stop"])
    }

    public func stop() {
        try? stopServer(mode: "immediate")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The server's administrative database.
    public var adminLocation: PostgresLocation {
        PostgresLocation(host: "127.0.0.1", port: port, username: Self.user, database: "postgres")
    }

    /// A new, empty database of this cluster.
    public func newDatabase() throws -> PostgresLocation {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = PostgresSession(adminLocation)
        try admin.execute(.init(unsafeSQL: "CREATE DATABASE \(name)"))
        var location = adminLocation
        location.database = name
        return location
    }

    private func asAccount(_ executable: String, _ arguments: [String]) throws {
        if let account {
            try Self.run("/usr/sbin/runuser", ["-u", account, "--", executable] + arguments)
        } else {
            try Self.run(executable, arguments)
        }
    }

    /// posix_spawn and waitpid, not Foundation's `Process`: its wait for the child hung here,
    /// inside this cluster's one-time start, with the child already exited.
    private static func run(_ executable: String, _ arguments: [String]) throws {
        // A file, not a pipe: `pg_ctl start` leaves the server holding its output, and a pipe
        // would never reach its end.
        let outputPath = NSTemporaryDirectory() + "ctp-pg-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let said = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(said)")
        }
    }
}
