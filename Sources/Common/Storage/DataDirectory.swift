import Foundation

/// The layout of the data directory (CONTRACT §3), and its creation with the stated modes.
///
/// Folders other processes' uids pass through are 0755 (the root) or 0711 (`users/`, `run/`: no
/// listing); what only the supervisor reads (`logs/`, `secrets/`, `backups/`) is 0700, and so is
/// each user's folder and the simulator's (owned by their uids when the supervisor is root).
public struct DataDirectory: Sendable, Equatable {
    public let root: String
    public let masterKeyFile: String

    public init(root: String, masterKeyFile: String? = nil) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = (absolute as NSString).standardizingPath
        self.masterKeyFile = masterKeyFile ?? self.root + "/secrets/master.key"
    }

    public var centralDatabase: String { root + "/central.sqlite" }
    public var usersDir: String { root + "/users" }
    public var logsDir: String { root + "/logs" }
    public var userLogsDir: String { logsDir + "/users" }
    public var secretsDir: String { root + "/secrets" }
    public var backupsDir: String { root + "/backups" }
    public var runDir: String { root + "/run" }
    public var simDir: String { root + "/exchange-sim" }
    public var controlSocket: String { runDir + "/supervisor.sock" }
    public var lockFile: String { runDir + "/supervisor.lock" }
    /// The central database's PostgreSQL URL (with its password) for the web the supervisor
    /// starts, when `database.url` is set: a file, never an argument or the environment.
    public var databaseURLFile: String { runDir + "/database.url" }
    /// The token the supervisor calls the web's `/internal` routes with (Telegram's `/start` and
    /// `/stop`), new at each start; readable by the supervisor and the web only.
    public var internalTokenFile: String { runDir + "/web-internal.token" }

    public func userDir(_ user: UserID) -> String { usersDir + "/\(user.rawValue)" }
    public func userDatabase(_ user: UserID) -> String { userDir(user) + "/trader.sqlite" }
    public func userLog(_ user: UserID) -> String { userLogsDir + "/\(user.rawValue).log" }
    public func processLog(_ name: String) -> String { logsDir + "/\(name).log" }

    /// Creates every folder that is missing and sets the modes of all of them.
    public func prepare() throws {
        try Self.makeDirectory(root, mode: 0o755)
        try Self.makeDirectory(usersDir, mode: 0o711)
        try Self.makeDirectory(runDir, mode: 0o711)
        for dir in [logsDir, userLogsDir, simDir, secretsDir, backupsDir] {
            try Self.makeDirectory(dir, mode: 0o700)
        }
        let keyDir = (masterKeyFile as NSString).deletingLastPathComponent
        if keyDir != secretsDir { try Self.makeDirectory(keyDir, mode: 0o700) }
    }

    /// Creates a user's folder, mode 0700 (and `users/` when missing). The worker calls it too,
    /// under its own uid: a folder already right is left alone.
    public func prepareUser(_ user: UserID) throws {
        if !FileManager.default.fileExists(atPath: usersDir) { try Self.makeDirectory(usersDir, mode: 0o711) }
        try Self.makeDirectory(userDir(user), mode: 0o700)
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StorageError.notADirectory(path)
            }
        } else {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        var info = stat()
        if stat(path, &info) == 0 && info.st_mode & 0o7777 == mode { return }
        guard chmod(path, mode) == 0 else {
            throw StorageError.cannotSetMode(path, String(cString: strerror(errno)))
        }
    }
}
