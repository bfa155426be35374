import Foundation
import Synchronization

/// ``PortfolioStore`` in memory, for unit tests: equity points keyed by user and millisecond,
/// like SQLite's primary key.
public final class InMemoryPortfolioStore: PortfolioStore {
    private struct State {
        var portfolios: [UserID: StoredPortfolio] = [:]
        var exchangeStatus: [UserID: StoredExchangeStatus] = [:]
        var equity: [UserID: [Int64: Point]] = [:]
    }

    private struct Point {
        let time: Date
        let totalUSDT: Decimal
        let bot: Int64?
        var row: (time: Date, totalUSDT: Decimal) { (time, totalUSDT) }
    }

    private let state = Mutex(State())
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func save(_ valuation: PortfolioValuation, for user: UserID, at: Date) throws {
        state.withLock { $0.portfolios[user] = StoredPortfolio(valuation: valuation, receivedAt: at) }
        changes.bump()
    }

    public func portfolio(for user: UserID) throws -> StoredPortfolio? {
        state.withLock { $0.portfolios[user] }
    }

    public func saveExchangeStatus(reachable: Bool, since: Date?, reason: String?, for user: UserID, at: Date) throws {
        state.withLock { $0.exchangeStatus[user] = StoredExchangeStatus(reachable: reachable, since: since, reason: reason, updatedAt: at) }
        changes.bump()
    }

    public func exchangeStatus(for user: UserID) throws -> StoredExchangeStatus? {
        state.withLock { $0.exchangeStatus[user] }
    }

    public func addEquity(time: Date, totalUSDT: Decimal, for user: UserID, bot: Int64?) throws {
        state.withLock { $0.equity[user, default: [:]][StoredMillis.of(time)] = Point(time: time, totalUSDT: totalUSDT, bot: bot) }
        changes.bump()
    }

    public func equity(for user: UserID, bot: Int64?, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] {
        let end = before.map(StoredMillis.of) ?? .max
        return state.withLock { state in
            let points = (state.equity[user] ?? [:]).filter { $0.key < end && (bot == nil || $0.value.bot == bot) }.sorted { $0.key > $1.key }
            return points.prefix(max(limit, 0)).map(\.value.row)
        }
    }

    public func equity(for user: UserID, since: Date?, points: Int) throws -> [(time: Date, totalUSDT: Decimal)] {
        let start = since.map(StoredMillis.of) ?? .min
        let rows = state.withLock { state in
            (state.equity[user] ?? [:]).filter { $0.key >= start }.sorted { $0.key < $1.key }.map(\.value.row)
        }
        return EquityThinning.thinned(rows, to: points)
    }
}
