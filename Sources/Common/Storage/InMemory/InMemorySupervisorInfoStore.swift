import Foundation
import Synchronization

/// ``SupervisorInfoStore`` in memory, for unit tests.
public final class InMemorySupervisorInfoStore: SupervisorInfoStore {
    private let values = Mutex<[String: String]>([:])
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func set(_ values: [String: String]) throws {
        self.values.withLock { $0.merge(values) { _, new in new } }
        changes.bump()
    }

    public func all() throws -> [String: String] {
        values.withLock { $0 }
    }
}
