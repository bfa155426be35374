import Common
import Foundation
import Logging
import Synchronization

/// A uid and gid a child runs under, and the name of its account.
struct Identity: Sendable, Equatable, CustomStringConvertible {
    let uid: uid_t
    let gid: gid_t
    let name: String

    var description: String { "\(name) (uid \(uid))" }
}

/// How the supervisor keeps its children apart at the operating-system level (CONTRACT §2).
///
/// As root, the web, the simulator and each user's worker run under uids of their own, allocated
/// from `isolation.first_uid`: the web's uid can open `central.sqlite` (group) and the control
/// socket, a worker's only its own folder, and `master.key` stays the supervisor's. Otherwise
/// (not root, `isolation.uids: off`, or a data directory other uids cannot reach) every process
/// shares the supervisor's uid and only file modes keep others out; the supervisor says so at start.
final class Isolation: Sendable {
    enum Mode: Sendable, Equatable {
        case uids(first: Int, count: Int)
        case fileModes(reason: String)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let mode: Mode
    private let logger: Logger
    /// Accounts already checked (or created) in this run.
    private let known = Mutex<Set<uid_t>>([])

    init(mode: Mode, logger: Logger) {
        self.mode = mode
        self.logger = logger
    }

    static let webOffset = 0
    static let simOffset = 1
    static let firstUserOffset = 10

    /// Decides the mode from the configuration, the supervisor's uid, and whether other uids can
    /// reach the data directory and the executables.
    static func resolve(config: TraderConfig, directory: DataDirectory, binDir: String, logger: Logger) -> Isolation {
        func fileModes(_ reason: String) -> Isolation { Isolation(mode: .fileModes(reason: reason), logger: logger) }
        guard config.isolationUIDs else { return fileModes("isolation.uids is off in the configuration") }
        guard geteuid() == 0 else { return fileModes("the supervisor does not run as root (uid \(geteuid()))") }
        for (what, path) in [("the data directory", directory.root), ("the executables' folder", binDir)] {
            if let blocker = firstUnreachableAncestor(of: path) {
                return fileModes("\(what) \(path) cannot be reached by other uids (\(blocker) lacks o+x); move it, or allow other users to pass through \(blocker)")
            }
        }
        return Isolation(mode: .uids(first: config.isolationFirstUID, count: config.isolationUIDCount), logger: logger)
    }

    /// The nearest folder on the way to `path` (itself included) that other uids cannot pass.
    static func firstUnreachableAncestor(of path: String) -> String? {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            var info = stat()
            guard stat(current, &info) == 0 else { return nil }
            if (info.st_mode & S_IFMT) == S_IFDIR && info.st_mode & S_IXOTH == 0 { return current }
        }
        return nil
    }

    var isOn: Bool {
        if case .uids = mode { return true }
        return false
    }

    /// Says at start how the children are kept apart: a warning when they are not.
    func announce() {
        switch mode {
        case .uids(let first, let count):
            logger.info("isolation.uids", metadata: ["first_uid": "\(first)", "uid_count": "\(count)"])
        case .fileModes(let reason):
            logger.warning("isolation.off", metadata: [
                "reason": "\(reason)",
                "detail": "uid isolation is off: the web, the simulator and every worker run under the supervisor's uid; only file modes protect users' files and master.key",
            ])
        }
    }

    // MARK: - Identities

    /// The identity at `offset` of the range, decided without touching the system (nil when only
    /// file modes isolate); `ensureAccount` then makes it real.
    static func identity(_ mode: Mode, offset: Int, name: String) throws(Failure) -> Identity? {
        guard case .uids(let first, let count) = mode else { return nil }
        guard offset < count else {
            throw Failure(description: "\(name) needs uid \(first + offset), past the configured range of \(count) uids from \(first) (isolation.uid_count)")
        }
        return Identity(uid: uid_t(first + offset), gid: gid_t(first + offset), name: name)
    }

    static func web(_ mode: Mode) throws(Failure) -> Identity? { try identity(mode, offset: webOffset, name: "ctp-web") }
    static func sim(_ mode: Mode) throws(Failure) -> Identity? { try identity(mode, offset: simOffset, name: "ctp-sim") }
    static func worker(_ mode: Mode, _ user: UserID) throws(Failure) -> Identity? {
        try identity(mode, offset: firstUserOffset + Int(user.rawValue), name: "ctp-u\(user.rawValue)")
    }

    func web() throws -> Identity? { try ensured(Self.web(mode)) }
    func sim() throws -> Identity? { try ensured(Self.sim(mode)) }
    func worker(_ user: UserID) throws -> Identity? { try ensured(Self.worker(mode, user)) }

    private func ensured(_ identity: Identity?) throws -> Identity? {
        if let identity { try ensureAccount(identity) }
        return identity
    }

    /// Makes sure the uid is ours: an account of that name, created when missing. A uid that
    /// belongs to another account is refused. Where accounts cannot be created (a read-only
    /// `/etc`), the child runs under the bare number, which isolates it just as well.
    private func ensureAccount(_ identity: Identity) throws {
        if known.withLock({ $0.contains(identity.uid) }) { return }
        if let existing = Self.accountName(uid: identity.uid) {
            guard existing == identity.name else {
                throw Failure(description: "uid \(identity.uid) belongs to the account \(existing), not \(identity.name); choose another isolation.first_uid")
            }
        } else {
            do {
                if Self.groupName(gid: identity.gid) == nil {
                    try Self.run("/usr/sbin/groupadd", ["--gid", String(identity.gid), identity.name])
                }
                try Self.run("/usr/sbin/useradd", [
                    "--uid", String(identity.uid), "--gid", String(identity.gid), "--no-create-home",
                    "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--comment", "Crypto Trader Pro", identity.name,
                ])
                logger.info("isolation.account_created", metadata: ["account": "\(identity.name)", "uid": "\(identity.uid)"])
            } catch {
                // Another supervisor may have created it meanwhile.
                if Self.accountName(uid: identity.uid) != identity.name {
                    logger.warning("isolation.account_not_created", metadata: ["account": "\(identity.name)", "uid": "\(identity.uid)", "error": "\(error)"])
                }
            }
        }
        _ = known.withLock { $0.insert(identity.uid) }
    }

    static func accountName(uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: entry.pw_name)
    }

    static func groupName(gid: gid_t) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: entry.gr_name)
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) exited \(process.terminationStatus): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    // MARK: - Files

    /// Ownership and modes of the shared files: `central.sqlite` (with its WAL) readable and
    /// writable by the web's group, the PostgreSQL URL file readable by it, the simulator's
    /// folder its own. Called after the migration.
    func prepareShared(_ directory: DataDirectory) throws {
        let web = try web()
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: directory.centralDatabase + suffix) {
            try Self.own(directory.centralDatabase + suffix, uid: web == nil ? nil : 0, gid: web?.gid, mode: web == nil ? 0o600 : 0o660)
        }
        for file in [directory.databaseURLFile, directory.internalTokenFile] where FileManager.default.fileExists(atPath: file) {
            try Self.own(file, uid: web == nil ? nil : 0, gid: web?.gid, mode: web == nil ? 0o600 : 0o640)
        }
        if let sim = try sim() {
            try Self.ownTree(directory.simDir, identity: sim)
        }
    }

    /// The control socket: the web's group may connect, nobody else.
    func prepareSocket(_ path: String) {
        let web = try? web()
        try? Self.own(path, uid: web == nil ? nil : 0, gid: web?.gid, mode: web == nil ? 0o600 : 0o660)
    }

    /// A worker's folder, made and given to its uid (everything in it too: files a restore or an
    /// older version left as root), mode 0700.
    func prepareUser(_ directory: DataDirectory, user: UserID, identity: Identity?) throws {
        try directory.prepareUser(user)
        if let identity { try Self.ownTree(directory.userDir(user), identity: identity) }
    }

    static func own(_ path: String, uid: uid_t?, gid: gid_t?, mode: mode_t) throws {
        if uid != nil || gid != nil {
            guard chown(path, uid ?? uid_t.max, gid ?? gid_t.max) == 0 else {
                throw Failure(description: "cannot give \(path) to uid \(uid.map(String.init) ?? "-") gid \(gid.map(String.init) ?? "-"): \(String(cString: strerror(errno)))")
            }
        }
        guard chmod(path, mode) == 0 else {
            throw Failure(description: "cannot set the mode of \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Gives a folder and everything under it to `identity`; the folder itself gets mode 0700.
    static func ownTree(_ path: String, identity: Identity) throws {
        try own(path, uid: identity.uid, gid: identity.gid, mode: 0o700)
        guard let entries = FileManager.default.enumerator(atPath: path) else { return }
        for case let entry as String in entries {
            let full = path + "/" + entry
            guard lchown(full, identity.uid, identity.gid) == 0 else {
                throw Failure(description: "cannot give \(full) to \(identity): \(String(cString: strerror(errno)))")
            }
        }
    }
}
