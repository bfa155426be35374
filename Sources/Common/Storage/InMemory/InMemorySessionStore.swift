import Foundation
import Synchronization

/// ``SessionStore`` in memory, for unit tests.
public final class InMemorySessionStore: SessionStore {
    private let sessions = Mutex<[String: StoredSession]>([:])
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func insert(_ session: StoredSession) throws {
        var session = session
        session.userAgent = session.userAgent.map { String($0.prefix(200)) }
        try sessions.withLock { sessions in
            // The primary key: a second session with the same id hash is refused, as by SQLite.
            guard sessions[session.idHash] == nil else { throw InMemoryConstraintViolation(table: "sessions") }
            sessions[session.idHash] = session
        }
        changes.bump()
    }

    public func session(idHash: String) throws -> StoredSession? {
        sessions.withLock { $0[idHash] }
    }

    public func touch(idHash: String, at: Date) throws {
        sessions.withLock { $0[idHash]?.lastSeenAt = at }
        changes.bump()
    }

    public func delete(idHash: String) throws {
        sessions.withLock { $0[idHash] = nil }
        changes.bump()
    }

    @discardableResult
    public func deleteAll(of user: UserID) throws -> Int {
        remove { $0.userID == user }
    }

    @discardableResult
    public func deleteExpired(now: Date, idleBefore: Date) throws -> Int {
        let now = StoredMillis.of(now)
        let idle = StoredMillis.of(idleBefore)
        return remove { StoredMillis.of($0.expiresAt) <= now || StoredMillis.of($0.lastSeenAt) < idle }
    }

    public func count(of user: UserID) throws -> Int {
        sessions.withLock { $0.values.count { $0.userID == user } }
    }

    public func sessions(of user: UserID) throws -> [StoredSession] {
        sessions.withLock { $0.values.filter { $0.userID == user }.sorted { $0.lastSeenAt > $1.lastSeenAt } }
    }

    private func remove(where matches: (StoredSession) -> Bool) -> Int {
        let removed = sessions.withLock { sessions in
            let doomed = sessions.filter { matches($0.value) }.keys
            for key in doomed { sessions[key] = nil }
            return doomed.count
        }
        changes.bump()
        return removed
    }
}

/// A write an in-memory store refused for a key that exists, as SQLite's constraint would.
public struct InMemoryConstraintViolation: Error, CustomStringConvertible {
    public let table: String
    public var description: String { "UNIQUE constraint failed: \(table)" }
}
