import Common
import Foundation
import PostgresNIO

/// The `ExchangeKeyStore` on PostgreSQL.
public struct PostgresExchangeKeyStore: ExchangeKeyStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    @discardableResult public func storeKey(_ key: StoredExchangeKey, at: Date) throws -> Int64 { throw PostgresFailure.notBuilt }
    @discardableResult public func deleteKey(for user: UserID) throws -> Bool { throw PostgresFailure.notBuilt }
    public func key(for user: UserID) throws -> StoredExchangeKey? { throw PostgresFailure.notBuilt }
    public func keyRevisions() throws -> [UserID: Int64] { throw PostgresFailure.notBuilt }
    public func allTokens() throws -> [String] { throw PostgresFailure.notBuilt }
    @discardableResult public func reencryptAll(_ transform: (String) throws -> String) throws -> Int { throw PostgresFailure.notBuilt }
}
