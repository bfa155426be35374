import Common
import Foundation
import PostgresNIO

/// The `TradingStore` on PostgreSQL.
public struct PostgresTradingStore: TradingStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func totals() throws -> TradingTotals { throw PostgresFailure.notBuilt }
    public func saveOrder(_ order: OrderRecord, for user: UserID) throws { throw PostgresFailure.notBuilt }
    @discardableResult public func saveFill(_ fill: BotFill, for user: UserID) throws -> Bool { throw PostgresFailure.notBuilt }
    public func savePositions(_ positions: [PositionRecord], todayPnL: Decimal?, for user: UserID, bot: Int64?, at: Date) throws { throw PostgresFailure.notBuilt }
    public func saveBotPosition(_ position: PositionRecord?, bot: Int64, for user: UserID, at: Date) throws { throw PostgresFailure.notBuilt }
    public func orders(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [OrderRecord] { throw PostgresFailure.notBuilt }
    public func orders(for user: UserID, matching filter: TradeFilter) throws -> [OrderRecord] { throw PostgresFailure.notBuilt }
    public func orders(for user: UserID, updatedSince since: Date, limit: Int) throws -> [OrderRecord] { throw PostgresFailure.notBuilt }
    public func order(for user: UserID, orderID: Int64) throws -> OrderRecord? { throw PostgresFailure.notBuilt }
    public func fills(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [BotFill] { throw PostgresFailure.notBuilt }
    public func fills(for user: UserID, matching filter: TradeFilter) throws -> [BotFill] { throw PostgresFailure.notBuilt }
    public func fills(for user: UserID, recordedAfter rowID: Int64, limit: Int) throws -> [(rowID: Int64, fill: BotFill)] { throw PostgresFailure.notBuilt }
    public func lastFillRowID(for user: UserID) throws -> Int64 { throw PostgresFailure.notBuilt }
    public func positions(for user: UserID) throws -> [PositionRecord] { throw PostgresFailure.notBuilt }
    public func todayPnL(for user: UserID) throws -> (value: Decimal?, updatedAt: Date)? { throw PostgresFailure.notBuilt }
    public func saveSignal(_ signal: SignalRecord, for user: UserID) throws { throw PostgresFailure.notBuilt }
    public func signals(for user: UserID, bot: Int64?, symbol: String?, before: Date?, limit: Int) throws -> [SignalRecord] { throw PostgresFailure.notBuilt }
    public func signals(for user: UserID, recordedAfter id: Int64, limit: Int) throws -> [(id: Int64, signal: SignalRecord)] { throw PostgresFailure.notBuilt }
    public func lastSignalID(for user: UserID) throws -> Int64 { throw PostgresFailure.notBuilt }
}
