import GRDB

/// What the central database says about itself, apart from its stores: whether it answers, and
/// a counter that moves whenever any process commits. SQLite answers from the file; the
/// in-memory stores answer with ``InMemoryChangeCounter``.
public protocol CentralDatabaseProbe: Sendable {
    func isHealthy() -> Bool
    func dataVersion() throws -> Int
    /// Tells the database's listeners that a batch of writes was committed.
    func announceChanges()
}

extension CentralDatabaseProbe {
    /// Nothing listens: readers poll ``dataVersion()``.
    public func announceChanges() {}
}

/// The probe of central.sqlite.
struct SQLiteCentralProbe: CentralDatabaseProbe {
    let pool: DatabasePool

    func isHealthy() -> Bool {
        (try? pool.read { try Int.fetchOne($0, sql: "SELECT 1") }) == 1
    }

    /// Cheap to poll (GRDB observation does not see other processes' commits).
    func dataVersion() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
    }
}
