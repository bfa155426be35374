import Foundation
import Synchronization

/// The in-memory stand-in for central.sqlite's `PRAGMA data_version`: every write of an
/// in-memory store moves it, so whatever watches the database for changes (the event hub, a
/// cache) sees the in-memory stores change the way it sees the file change.
public final class InMemoryChangeCounter: CentralDatabaseProbe, Sendable {
    private let version = Mutex(0)

    public init() {}

    /// Called by a store after each write.
    func bump() { version.withLock { $0 += 1 } }

    public func isHealthy() -> Bool { true }

    public func dataVersion() -> Int { version.withLock { $0 } }
}

/// The stored form of a time, as the SQLite stores compare it: whole milliseconds, rounded down
/// (``Timestamp`` text sorts the same way).
enum StoredMillis {
    static func of(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
