import Common
import Foundation
import PostgresNIO

/// The `WorkerEventStore` on PostgreSQL.
public struct PostgresWorkerEventStore: WorkerEventStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    /// In one transaction, in the given order: the ids (the newest-first order) follow it.
    public func record(_ events: [WorkerEvent]) throws {
        guard !events.isEmpty else { return }
        try db.transaction { tx in
            for event in events {
                try tx.execute(
                    """
                    INSERT INTO worker_events (user_id, time, level, kind, message)
                    VALUES (\(event.userID.rawValue), \(PostgresValues.time(event.time)), \(event.level), \(event.kind), \(event.message))
                    """
                )
            }
        }
    }

    /// Newest recorded first. A negative limit is no limit, as SQLite reads `LIMIT -1`
    /// (PostgreSQL refuses a negative one; `LIMIT NULL` is its "all").
    public func events(for user: UserID, limit: Int) throws -> [WorkerEvent] {
        let limit = limit < 0 ? nil : Int64(limit)
        let rows = try db.query(
            "SELECT user_id, time, level, kind, message FROM worker_events WHERE user_id = \(user.rawValue) ORDER BY id DESC LIMIT \(limit)"
        )
        return try rows.map { row in
            let (user, time, level, kind, message) = try row.decode((Int64, Date, String, String, String).self)
            return WorkerEvent(userID: UserID(user), time: PostgresValues.readTime(time), level: level, kind: kind, message: message)
        }
    }
}
