import Common
import Foundation
import PostgresNIO

/// The `CommandStore` on PostgreSQL.
public struct PostgresCommandStore: CommandStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func record(user: UserID, command: String, payload: String?, at: Date) throws -> Int64 { throw PostgresFailure.notBuilt }
    public func markDelivered(id: Int64, at: Date) throws { throw PostgresFailure.notBuilt }
    public func markAcknowledged(user: UserID, id: Int64, result: String, at: Date) throws { throw PostgresFailure.notBuilt }
    public func undelivered(user: UserID) throws -> [StoredCommand] { throw PostgresFailure.notBuilt }
    public func command(id: Int64) throws -> StoredCommand? { throw PostgresFailure.notBuilt }
    public func latest(user: UserID, command: String) throws -> StoredCommand? { throw PostgresFailure.notBuilt }
    public func lastAcknowledgedID(user: UserID) throws -> Int64 { throw PostgresFailure.notBuilt }
}
