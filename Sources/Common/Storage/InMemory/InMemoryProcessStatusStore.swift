import Foundation
import Synchronization

/// ``ProcessStatusStore`` in memory, for unit tests.
public final class InMemoryProcessStatusStore: ProcessStatusStore {
    private let rows = Mutex<[String: ProcessStatus]>([:])
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func save(_ statuses: [ProcessStatus], at: Date = Date()) throws {
        guard !statuses.isEmpty else { return }
        rows.withLock { rows in
            for status in statuses { rows[status.process] = status }
        }
        changes.bump()
    }

    public func remove(process: String) throws {
        rows.withLock { $0[process] = nil }
        changes.bump()
    }

    public func status(process: String) throws -> ProcessStatus? {
        rows.withLock { $0[process] }
    }

    public func all() throws -> [ProcessStatus] {
        rows.withLock { rows in rows.values.sorted { Array($0.process.utf8).lexicographicallyPrecedes($1.process.utf8) } }
    }

    public func markAllStopped(message: String, at: Date = Date()) throws {
        rows.withLock { rows in
            for (process, var status) in rows where status.state != .stopped {
                status.state = .stopped
                status.pid = nil
                status.nextRestartAt = nil
                status.message = message
                rows[process] = status
            }
        }
        changes.bump()
    }
}
