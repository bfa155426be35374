import Common
import Foundation
import PostgresNIO

/// The `WorkerEventStore` on PostgreSQL.
public struct PostgresWorkerEventStore: WorkerEventStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func record(_ events: [WorkerEvent]) throws { throw PostgresFailure.notBuilt }
    public func events(for user: UserID, limit: Int) throws -> [WorkerEvent] { throw PostgresFailure.notBuilt }
}
