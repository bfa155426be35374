import Common
import Foundation
import PostgresNIO

/// The `PortfolioStore` on PostgreSQL.
public struct PostgresPortfolioStore: PortfolioStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func save(_ valuation: PortfolioValuation, for user: UserID, at: Date) throws { throw PostgresFailure.notBuilt }
    public func portfolio(for user: UserID) throws -> StoredPortfolio? { throw PostgresFailure.notBuilt }
    public func saveExchangeStatus(reachable: Bool, since: Date?, reason: String?, for user: UserID, at: Date) throws { throw PostgresFailure.notBuilt }
    public func exchangeStatus(for user: UserID) throws -> StoredExchangeStatus? { throw PostgresFailure.notBuilt }
    public func addEquity(time: Date, totalUSDT: Decimal, for user: UserID, bot: Int64?) throws { throw PostgresFailure.notBuilt }
    public func equity(for user: UserID, bot: Int64?, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] { throw PostgresFailure.notBuilt }
    public func equity(for user: UserID, since: Date?, points: Int) throws -> [(time: Date, totalUSDT: Decimal)] { throw PostgresFailure.notBuilt }
}
