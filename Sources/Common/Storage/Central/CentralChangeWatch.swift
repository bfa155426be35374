import Foundation
import GRDB
import Synchronization

/// Reads a database file's `PRAGMA data_version`: it changes when another connection (another
/// process, or another connection of this one) commits to the file.
public protocol DataVersionProbe: Sendable {
    func dataVersion() throws -> Int
}

/// The probe on a read-only connection of its own. `data_version` is per connection, and a
/// pool hands out several readers (each with its own counter), so it must be one connection
/// that never writes: then every commit to the file, by any process, moves it.
public struct SQLiteDataVersionProbe: DataVersionProbe {
    let queue: DatabaseQueue

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "central.change-watch"
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    public func dataVersion() throws -> Int {
        try queue.inDatabase { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
    }
}

/// A database's own change counter (``CentralDatabase/dataVersion()``).
struct CentralDatabaseVersionProbe: DataVersionProbe {
    let database: CentralDatabase

    func dataVersion() throws -> Int { try database.dataVersion() }
}

/// Whether central.sqlite changed, as a generation number that caches stamp their entries
/// with. GRDB's observation sees only this process's commits, and the supervisor and the
/// workers' reports write the file too; so the file's `data_version` is polled on one
/// dedicated connection, at most once per `interval` (50 ms), by whichever request asks first
/// after that. A cached read is therefore at most one interval older than the file; the web's
/// own writes (logout, language) call ``invalidate()`` and are seen at once.
public final class CentralChangeWatch: Sendable {
    private let probe: (any DataVersionProbe)?
    private let state: Mutex<ChangeWatchState>
    private let clock: @Sendable () -> Double

    /// `probe` nil: the file cannot be watched, so every call is a new generation (no caching).
    public init(probe: (any DataVersionProbe)?, interval: Double = 0.05, clock: @escaping @Sendable () -> Double = CentralChangeWatch.monotonicSeconds) {
        self.probe = probe
        self.state = Mutex(ChangeWatchState(interval: interval))
        self.clock = clock
    }

    /// Watches the file at `path` (central.sqlite); unwatchable means uncached, never stale.
    public convenience init(path: String, interval: Double = 0.05) {
        self.init(probe: try? SQLiteDataVersionProbe(path: path), interval: interval)
    }

    /// The watch of `database`: central.sqlite's file, or, on PostgreSQL (whose server's WAL
    /// position moves at every commit of any process, of any web or host), the database's own
    /// ``CentralDatabase/dataVersion()``, one query at most every interval.
    public static func of(_ database: CentralDatabase, directory: DataDirectory, interval: Double = 0.05) -> CentralChangeWatch {
        if database.pool == nil, database.changeFeed != nil {
            return CentralChangeWatch(probe: CentralDatabaseVersionProbe(database: database), interval: interval)
        }
        return CentralChangeWatch(path: directory.centralDatabase, interval: interval)
    }

    /// The current generation, polling the file first when the last poll is older than the interval.
    public func generation() -> UInt64 {
        guard let probe else { return state.withLock { $0.invalidate(); return $0.generation } }
        let now = clock()
        let (due, generation) = state.withLock { ($0.claimPoll(at: now), $0.generation) }
        guard due else { return generation }
        // Read outside the lock: the other requests go on with the generation they have.
        let version = try? probe.dataVersion()
        return state.withLock { $0.polled(version); return $0.generation }
    }

    /// This process wrote to the file: entries read before are not to be used.
    public func invalidate() {
        state.withLock { $0.invalidate() }
    }

    @Sendable public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
