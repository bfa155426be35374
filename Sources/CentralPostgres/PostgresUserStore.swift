import Common
import Foundation
import PostgresNIO

/// The `UserStore` on PostgreSQL.
public struct PostgresUserStore: UserStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func createUser(username: String, passwordHash: String, at: Date) throws -> UserID { throw PostgresFailure.notBuilt }
    public func user(_ id: UserID) throws -> StoredUser? { throw PostgresFailure.notBuilt }
    public func credentials(username: String) throws -> (user: StoredUser, passwordHash: String)? { throw PostgresFailure.notBuilt }
    public func passwordHash(_ id: UserID) throws -> String? { throw PostgresFailure.notBuilt }
    public func setPasswordHash(_ hash: String, for id: UserID, at: Date) throws { throw PostgresFailure.notBuilt }
    public func setLanguage(_ language: String?, for id: UserID) throws { throw PostgresFailure.notBuilt }
}
