import Common
import Foundation
import PostgresNIO

/// The `ProcessStatusStore` on PostgreSQL.
public struct PostgresProcessStatusStore: ProcessStatusStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func save(_ statuses: [ProcessStatus], at: Date) throws { throw PostgresFailure.notBuilt }
    public func remove(process: String) throws { throw PostgresFailure.notBuilt }
    public func status(process: String) throws -> ProcessStatus? { throw PostgresFailure.notBuilt }
    public func all() throws -> [ProcessStatus] { throw PostgresFailure.notBuilt }
    public func markAllStopped(message: String, at: Date) throws { throw PostgresFailure.notBuilt }
}
