import Common
import Foundation
import PostgresNIO

/// The `SupervisorInfoStore` on PostgreSQL.
public struct PostgresSupervisorInfoStore: SupervisorInfoStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func set(_ values: [String: String]) throws { throw PostgresFailure.notBuilt }
    public func all() throws -> [String: String] { throw PostgresFailure.notBuilt }
}
