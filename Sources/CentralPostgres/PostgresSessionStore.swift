import Common
import Foundation
import PostgresNIO

/// The `SessionStore` on PostgreSQL.
public struct PostgresSessionStore: SessionStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func insert(_ session: StoredSession) throws { throw PostgresFailure.notBuilt }
    public func session(idHash: String) throws -> StoredSession? { throw PostgresFailure.notBuilt }
    public func touch(idHash: String, at: Date) throws { throw PostgresFailure.notBuilt }
    public func delete(idHash: String) throws { throw PostgresFailure.notBuilt }
    @discardableResult public func deleteAll(of user: UserID) throws -> Int { throw PostgresFailure.notBuilt }
    @discardableResult public func deleteExpired(now: Date, idleBefore: Date) throws -> Int { throw PostgresFailure.notBuilt }
    public func count(of user: UserID) throws -> Int { throw PostgresFailure.notBuilt }
}
