import Foundation
import GRDB

/// A notable thing a worker reported (an error, a state change), for the dashboard.
public struct WorkerEvent: Sendable, Equatable {
    public var userID: UserID
    public var time: Date
    public var level: String
    public var kind: String
    public var message: String

    public init(userID: UserID, time: Date, level: String, kind: String, message: String) {
        self.userID = userID
        self.time = time
        self.level = level
        self.kind = kind
        self.message = message
    }
}

/// The `worker_events` table. Written by the supervisor only, tagged with the user id it started
/// the worker for.
public protocol WorkerEventStore: Sendable {
    func record(_ events: [WorkerEvent]) throws
    func events(for user: UserID, limit: Int) throws -> [WorkerEvent]
}

public struct SQLiteWorkerEventStore: WorkerEventStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func record(_ events: [WorkerEvent]) throws {
        guard !events.isEmpty else { return }
        try db.write { db in
            for event in events {
                try db.execute(
                    sql: "INSERT INTO worker_events (user_id, time, level, kind, message) VALUES (?, ?, ?, ?, ?)",
                    arguments: [event.userID.rawValue, Timestamp.string(event.time), event.level, event.kind, event.message]
                )
            }
        }
    }

    public func events(for user: UserID, limit: Int) throws -> [WorkerEvent] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM worker_events WHERE user_id = ? ORDER BY id DESC LIMIT ?"), arguments: [user.rawValue, limit]
            ).map {
                WorkerEvent(
                    userID: UserID($0["user_id"]), time: Timestamp.date($0["time"]) ?? .distantPast,
                    level: $0["level"], kind: $0["kind"], message: $0["message"]
                )
            }
        }
    }
}
