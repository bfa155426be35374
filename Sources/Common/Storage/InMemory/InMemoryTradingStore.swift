import Foundation
import Synchronization

/// ``TradingStore`` in memory, for unit tests. It keeps SQLite's keys and orders: orders by user
/// and client order id (a second save updates the row the way SQLite's upsert does), fills by
/// user, symbol and trade id (a second save is ignored), row ids shared by every user, and
/// times compared to the millisecond.
public final class InMemoryTradingStore: TradingStore {
    struct State {
        var orders: [UserID: [String: OrderRecord]] = [:]
        var fills: [(rowID: Int64, user: UserID, fill: BotFill)] = []
        var positions: [UserID: [PositionRecord]] = [:]
        var summaries: [UserID: (value: Decimal?, updatedAt: Date)] = [:]
        var signals: [(id: Int64, user: UserID, signal: SignalRecord)] = []
    }

    let state = Mutex(State())
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    func write<T: Sendable>(_ body: (inout State) -> T) -> T {
        defer { changes.bump() }
        return state.withLock { body(&$0) }
    }

    func read<T: Sendable>(_ body: (State) -> T) -> T {
        state.withLock { body($0) }
    }

    public func totals() throws -> TradingTotals {
        read { state in
            let orders = state.orders.values.flatMap(\.values)
            return TradingTotals(orders: orders.count, openOrders: orders.count(where: \.isOpen), fills: state.fills.count)
        }
    }

    public func saveOrder(_ order: OrderRecord, for user: UserID) throws {
        write { state in
            guard var stored = state.orders[user]?[order.clientOrderID] else {
                state.orders[user, default: [:]][order.clientOrderID] = order
                return
            }
            // SQLite's upsert: what the order was created with stays; a nil never erases a value.
            stored.orderID = order.orderID ?? stored.orderID
            stored.status = order.status
            stored.price = order.price
            stored.origQty = order.origQty
            stored.executedQty = order.executedQty
            stored.updatedAt = order.updatedAt
            stored.reason = order.reason ?? stored.reason
            stored.orderListID = order.orderListID ?? stored.orderListID
            stored.stopPrice = order.stopPrice ?? stored.stopPrice
            stored.botID = stored.botID ?? order.botID
            state.orders[user]?[order.clientOrderID] = stored
        }
    }

    @discardableResult
    public func saveFill(_ fill: BotFill, for user: UserID) throws -> Bool {
        write { state in
            guard !state.fills.contains(where: { $0.user == user && $0.fill.symbol == fill.symbol && $0.fill.tradeID == fill.tradeID }) else {
                return false
            }
            state.fills.append((rowID: (state.fills.last?.rowID ?? 0) + 1, user: user, fill: fill))
            return true
        }
    }

    public func savePositions(_ positions: [PositionRecord], todayPnL: Decimal?, for user: UserID, bot: Int64?, at: Date) throws {
        write { state in
            state.positions[user] = (state.positions[user] ?? []).filter { $0.botID != nil && $0.botID != bot } + positions
            state.summaries[user] = (todayPnL, at)
        }
    }

    public func saveBotPosition(_ position: PositionRecord?, bot: Int64, for user: UserID, at: Date) throws {
        write { state in
            var kept = (state.positions[user] ?? []).filter { $0.botID != bot }
            if var position {
                position.botID = bot
                kept.append(position)
            }
            state.positions[user] = kept
        }
    }

    public func positions(for user: UserID) throws -> [PositionRecord] {
        read { state in (state.positions[user] ?? []).sorted { Array($0.symbol.utf8).lexicographicallyPrecedes($1.symbol.utf8) } }
    }

    public func todayPnL(for user: UserID) throws -> (value: Decimal?, updatedAt: Date)? {
        read { $0.summaries[user] }
    }

    public func saveSignal(_ signal: SignalRecord, for user: UserID) throws {
        write { state in state.signals.append((id: (state.signals.last?.id ?? 0) + 1, user: user, signal: signal)) }
    }
}
