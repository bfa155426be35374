import Foundation
import Synchronization

/// ``WorkerEventStore`` in memory, for unit tests.
public final class InMemoryWorkerEventStore: WorkerEventStore {
    private let rows = Mutex<[WorkerEvent]>([])
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func record(_ events: [WorkerEvent]) throws {
        guard !events.isEmpty else { return }
        rows.withLock { $0.append(contentsOf: events) }
        changes.bump()
    }

    /// Newest first (the last recorded), as SQLite's by row id.
    public func events(for user: UserID, limit: Int) throws -> [WorkerEvent] {
        rows.withLock { rows in Array(rows.reversed().lazy.filter { $0.userID == user }.prefix(max(limit, 0))) }
    }
}
