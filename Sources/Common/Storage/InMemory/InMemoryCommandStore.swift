import Foundation
import Synchronization

/// ``CommandStore`` in memory, for unit tests: ids from 1 up, in the order recorded.
public final class InMemoryCommandStore: CommandStore {
    private let rows = Mutex<[StoredCommand]>([])
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func record(user: UserID, command: String, payload: String?, at: Date = Date()) throws -> Int64 {
        let id = rows.withLock { rows in
            let id = Int64(rows.count + 1)
            rows.append(StoredCommand(id: id, userID: user, command: command, payload: payload, createdAt: at))
            return id
        }
        changes.bump()
        return id
    }

    public func markDelivered(id: Int64, at: Date = Date()) throws {
        update {
            $0.id == id
        } change: {
            $0.deliveredAt = at
        }
    }

    /// Scoped by user, as SQLite's: a worker can only acknowledge its own user's commands.
    public func markAcknowledged(user: UserID, id: Int64, result: String, at: Date = Date()) throws {
        update {
            $0.id == id && $0.userID == user
        } change: {
            $0.acknowledgedAt = at
            $0.result = result
        }
    }

    public func takeUndelivered(users: Set<UserID>, recordedBefore: Date, at: Date) throws -> [StoredCommand] {
        let taken = rows.withLock { rows -> [StoredCommand] in
            var taken: [StoredCommand] = []
            for index in rows.indices where users.contains(rows[index].userID) && rows[index].deliveredAt == nil {
                guard let created = rows[index].createdAt, created < recordedBefore else { continue }
                rows[index].deliveredAt = at
                taken.append(rows[index])
            }
            return taken
        }
        if !taken.isEmpty { changes.bump() }
        return taken
    }

    public func undelivered(user: UserID) throws -> [StoredCommand] {
        rows.withLock { rows in rows.filter { $0.userID == user && $0.deliveredAt == nil } }
    }

    public func command(id: Int64) throws -> StoredCommand? {
        rows.withLock { rows in rows.first { $0.id == id } }
    }

    public func latest(user: UserID, command: String) throws -> StoredCommand? {
        rows.withLock { rows in rows.last { $0.userID == user && $0.command == command } }
    }

    public func lastAcknowledgedID(user: UserID) throws -> Int64 {
        rows.withLock { rows in
            rows.filter { $0.userID == user && $0.acknowledgedAt != nil }
                .max { (StoredMillis.of($0.acknowledgedAt!), $0.id) < (StoredMillis.of($1.acknowledgedAt!), $1.id) }?.id ?? 0
        }
    }

    private func update(where matches: (StoredCommand) -> Bool, change: (inout StoredCommand) -> Void) {
        rows.withLock { rows in
            for index in rows.indices where matches(rows[index]) { change(&rows[index]) }
        }
        changes.bump()
    }
}
