import Crypto
import Foundation
import GRDB

/// Online backups of the databases (CONTRACT §3, `DIR/backups/<time>/`): `central.sqlite` and
/// every `users/<id>/trader.sqlite`, each copied with `VACUUM INTO` — one read transaction, so a
/// consistent file while the bots go on writing — then checked with `PRAGMA integrity_check`, and
/// listed with its size and SHA-256 in `manifest.json`. Restoring checks all of that again and
/// moves the current files aside rather than over them.
public enum Backups {
    public struct Entry: Codable, Sendable, Equatable {
        /// Relative to the data directory: `central.sqlite`, `users/7/trader.sqlite`.
        public let path: String
        public let bytes: Int
        public let sha256: String
    }

    public struct Manifest: Codable, Sendable, Equatable {
        public let createdAt: String
        public let files: [Entry]

        enum CodingKeys: String, CodingKey {
            case createdAt = "created_at"
            case files
        }
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The databases to copy, relative to the data directory: central first, then users by id.
    static func databases(in directory: DataDirectory) -> [String] {
        var paths = ["central.sqlite"]
        let users = (try? FileManager.default.contentsOfDirectory(atPath: directory.usersDir)) ?? []
        for name in users.compactMap(Int64.init).sorted() {
            let path = "users/\(name)/trader.sqlite"
            if FileManager.default.fileExists(atPath: directory.root + "/" + path) { paths.append(path) }
        }
        return paths
    }

    /// Makes a backup now; returns its folder and manifest. Nothing is left half-made: the copy
    /// goes to a `.partial` folder renamed when complete.
    /// With the central database on PostgreSQL (`centralOnPostgres`) only the users' files are
    /// copied: PostgreSQL is backed up with its own tools (`pg_dump`).
    public static func make(_ directory: DataDirectory, now: Date = Date(), centralOnPostgres: Bool = false) throws -> (folder: String, manifest: Manifest) {
        guard centralOnPostgres || FileManager.default.fileExists(atPath: directory.centralDatabase) else {
            throw Failure("no database at \(directory.centralDatabase): nothing to back up")
        }
        try FileManager.default.createDirectory(atPath: directory.backupsDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var name = Timestamp.string(now).replacingOccurrences(of: ":", with: "-")
        var suffix = 1
        while FileManager.default.fileExists(atPath: directory.backupsDir + "/" + name) {
            suffix += 1
            name = Timestamp.string(now).replacingOccurrences(of: ":", with: "-") + "-\(suffix)"
        }
        let folder = directory.backupsDir + "/" + name
        let partial = folder + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var entries: [Entry] = []
        do {
            for path in databases(in: directory) where !(centralOnPostgres && path == "central.sqlite") {
                let target = partial + "/" + path
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                try copy(directory.root + "/" + path, to: target)
                try check(target)
                entries.append(try entry(path, at: target))
            }
            let manifest = Manifest(createdAt: Timestamp.string(now), files: entries)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(manifest).write(to: URL(fileURLWithPath: partial + "/manifest.json"))
            try FileManager.default.moveItem(atPath: partial, toPath: folder)
            return (folder, manifest)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// A consistent copy of a live database: `VACUUM INTO` reads it in one transaction.
    static func copy(_ source: String, to target: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: source, configuration: configuration)
            try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [target]) }
            try queue.close()
        } catch let error as DatabaseError {
            throw Failure("\(source) could not be copied: \(error.message ?? "\(error.resultCode)")")
        }
        _ = chmod(target, 0o600)
    }

    /// `PRAGMA integrity_check` of a file, which must answer `ok`.
    public static func check(_ path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let result: [String]
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try queue.close()
        } catch let error as DatabaseError {
            throw Failure("\(path) is not a readable database: \(error.message ?? "\(error.resultCode)")")
        }
        guard result == ["ok"] else { throw Failure("\(path) fails the integrity check: \(result.prefix(3).joined(separator: "; "))") }
    }

    static func entry(_ path: String, at file: String) throws -> Entry {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        return Entry(path: path, bytes: data.count, sha256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
    }

    /// The backups, oldest first (their folder names are their times).
    public static func list(_ directory: DataDirectory) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.backupsDir)) ?? []
        return names.filter { !$0.hasSuffix(".partial") && FileManager.default.fileExists(atPath: directory.backupsDir + "/" + $0 + "/manifest.json") }.sorted()
            .map { directory.backupsDir + "/" + $0 }
    }

    /// Keeps the newest `keep` backups and deletes the others; returns what it deleted.
    @discardableResult public static func prune(_ directory: DataDirectory, keep: Int) throws -> [String] {
        let all = list(directory)
        let old = all.dropLast(max(keep, 1))
        for folder in old { try FileManager.default.removeItem(atPath: folder) }
        return Array(old)
    }

    /// Reads a backup's manifest and checks every file against it (size, SHA-256, integrity).
    public static func verify(_ folder: String) throws -> Manifest {
        let manifestPath = folder + "/manifest.json"
        guard let data = FileManager.default.contents(atPath: manifestPath) else { throw Failure("\(folder) is not a backup: it has no manifest.json") }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw Failure("\(manifestPath) is not a backup manifest: \(error)")
        }
        guard manifest.files.contains(where: { $0.path == "central.sqlite" }) else { throw Failure("\(manifestPath) lists no central.sqlite") }
        for expected in manifest.files {
            guard expected.path == "central.sqlite" || expected.path.range(of: #"^users/[0-9]+/trader\.sqlite$"#, options: .regularExpression) != nil else {
                throw Failure("\(manifestPath) lists an unexpected file: \(expected.path)")
            }
            let file = folder + "/" + expected.path
            guard FileManager.default.fileExists(atPath: file) else { throw Failure("\(file) is missing from the backup") }
            let actual = try entry(expected.path, at: file)
            guard actual == expected else { throw Failure("\(file) does not match the manifest (size or SHA-256 differs): the backup is damaged") }
            try check(file)
        }
        return manifest
    }

    /// Puts a backup in place of the current databases (the supervisor must be stopped: the
    /// caller holds the instance lock). Each current file, with its `-wal` and `-shm`, is moved
    /// aside as `<name>.before-restore-<time>`; returns the files restored.
    public static func restore(_ folder: String, into directory: DataDirectory, now: Date = Date()) throws -> [String] {
        let manifest = try verify(folder)
        let mark = ".before-restore-" + Timestamp.string(now).replacingOccurrences(of: ":", with: "-")
        var restored: [String] = []
        for file in manifest.files {
            let target = directory.root + "/" + file.path
            let parent = (target as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: target + suffix) {
                try FileManager.default.moveItem(atPath: target + suffix, toPath: target + suffix + mark)
            }
            try FileManager.default.copyItem(atPath: folder + "/" + file.path, toPath: target)
            _ = chmod(target, file.path == "central.sqlite" ? 0o640 : 0o600)
            restored.append(file.path)
        }
        return restored
    }
}
