import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// Opens an SQLite database of ours: refuses a damaged file or one written by a newer version
/// without modifying it, then opens it in WAL mode with foreign keys on and a busy timeout, and
/// applies the migrations this version knows.
public enum DatabaseOpener {
    public enum Mode: Sendable {
        /// Create the file if missing and apply pending migrations (the file's one migrating process).
        case migrate(fileMode: mode_t)
        /// Open an existing, fully migrated file (every other process).
        case existing
    }

    /// How long a writer waits for another process's lock before failing.
    public static let busyTimeout: TimeInterval = 5

    public static func open(path: String, migrator: DatabaseMigrator, mode: Mode) throws -> DatabasePool {
        let exists = FileManager.default.fileExists(atPath: path)
        if exists {
            try check(path: path, migrator: migrator)
        } else if case .existing = mode {
            throw StorageError.unavailable(path, "the file does not exist")
        } else if case .migrate(let fileMode) = mode {
            // Created empty with its mode first (SQLite takes an empty file as a new database,
            // and gives its -wal and -shm the file's mode): never readable by others, not even
            // for the moment between SQLite's create and a chmod.
            let descriptor = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, fileMode)
            if descriptor >= 0 {
                fchmod(descriptor, fileMode)
                close(descriptor)
            }
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration())
        } catch {
            throw StorageError.unavailable(path, "\(error)")
        }
        switch mode {
        case .migrate(let fileMode):
            do {
                try migrator.migrate(pool)
            } catch {
                throw StorageError.unavailable(path, "migration failed: \(error)")
            }
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                chmod(path + suffix, fileMode)
            }
        case .existing:
            let missing = try pool.read { db in
                let applied = try migrator.appliedIdentifiers(db)
                return migrator.migrations.filter { !applied.contains($0) }
            }
            if !missing.isEmpty { throw StorageError.olderSchema(path, missing: missing) }
        }
        return pool
    }

    /// Waits for another process's write to end, up to ``busyTimeout``. SQLite's own timeout
    /// sleeps 1, 2, 5, 10, 15, 20, 25 … ms between looks, so two processes writing small
    /// transactions often (the web and the supervisor on `central.sqlite`) wait far longer than
    /// the other's write lasts; this looks again every 0.1 ms for the first 5 ms, then every 1 ms.
    /// `tries` is SQLite's count of calls for this lock.
    public static func busyWait(_ tries: Int) -> Bool {
        let quick = 50
        guard tries < quick + Int((busyTimeout - 0.005) * 1_000) else { return false }
        usleep(tries < quick ? 100 : 1_000)
        return true
    }

    /// WAL, foreign keys, busy waiting (``busyWait(_:)``): every connection of ours.
    public static func configuration(readonly: Bool = false) -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .callback(busyWait)
        config.readonly = readonly
        return config
    }

    /// Reads the file without writing to it: its header, `PRAGMA quick_check`, and the applied
    /// migrations against the ones this version knows.
    public static func check(path: String, migrator: DatabaseMigrator) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StorageError.unavailable(path, "it cannot be read (permissions?)")
        }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        if header.isEmpty { return }
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StorageError.notADatabase(path)
        }
        // A read-only connection to a WAL database leaves an empty -wal and -shm behind; remove
        // the ones this check created, so a refused file is left exactly as it was found.
        let created = ["-wal", "-shm"].filter { !FileManager.default.fileExists(atPath: path + $0) }
        defer {
            for suffix in created {
                let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? nil
                if suffix == "-shm" || size == 0 { unlink(path + suffix) }
            }
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readonly: true))
            defer { try? queue.close() }
            try queue.read { db in
                let result = try String.fetchAll(db, sql: "PRAGMA quick_check")
                guard result == ["ok"] else {
                    throw StorageError.damaged(path, result.prefix(3).joined(separator: "; "))
                }
                let applied = try migrator.appliedIdentifiers(db)
                let unknown = applied.subtracting(migrator.migrations).sorted()
                if !unknown.isEmpty {
                    throw StorageError.newerSchema(path, unknown: unknown, known: migrator.migrations)
                }
            }
        } catch let error as StorageError {
            throw error
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw StorageError.damaged(path, error.message ?? "\(error.resultCode)")
        } catch {
            throw StorageError.unavailable(path, "\(error)")
        }
    }
}
