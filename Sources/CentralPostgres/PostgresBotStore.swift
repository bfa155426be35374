import Common
import Foundation
import PostgresNIO

/// The `BotStore` on PostgreSQL.
public struct PostgresBotStore: BotStore {
    let db: PostgresSession
    public init(_ db: PostgresSession) { self.db = db }

    public func bots(for user: UserID) throws -> [BotRecord] { throw PostgresFailure.notBuilt }
    public func firstBotID(for user: UserID) throws -> Int64? { throw PostgresFailure.notBuilt }
    public func addBotEquity(_ value: Decimal, bot: Int64, for user: UserID, at: Date, every: TimeInterval) throws { throw PostgresFailure.notBuilt }
    public func botEquity(_ bot: Int64, for user: UserID, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] { throw PostgresFailure.notBuilt }
    public func traderBotID(for user: UserID) throws -> Int64? { throw PostgresFailure.notBuilt }
    public func liveHostedBotIDs(for user: UserID) throws -> Set<Int64> { throw PostgresFailure.notBuilt }
    public func bot(_ id: Int64, for user: UserID) throws -> BotRecord? { throw PostgresFailure.notBuilt }
    public func createBot(_ definition: BotDefinition, for user: UserID, limits: BotLimits, at: Date) throws -> BotRecord { throw PostgresFailure.notBuilt }
    public func updateBot(_ id: Int64, _ definition: BotDefinition, for user: UserID, at: Date) throws -> BotRecord? { throw PostgresFailure.notBuilt }
    public func deleteBot(_ id: Int64, for user: UserID) throws -> Bool { throw PostgresFailure.notBuilt }
    public func setWanted(_ id: Int64, _ wanted: Bool, for user: UserID, at: Date) throws -> Bool { throw PostgresFailure.notBuilt }
    public func usersWithWantedPaperBots() throws -> Set<UserID> { throw PostgresFailure.notBuilt }
    public func saveStatus(_ status: BotRunStatus, for user: UserID, at: Date) throws -> Bool { throw PostgresFailure.notBuilt }
    public func statuses(for user: UserID) throws -> [Int64: BotRunStatus] { throw PostgresFailure.notBuilt }
}
