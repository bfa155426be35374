import Foundation

/// The lists, in SQLite's order: newest first by time, ties broken by the client order id,
/// trade id or row id, descending.
extension InMemoryTradingStore {
    public func orders(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [OrderRecord] {
        try orders(for: user, matching: TradeFilter(symbol: symbol, before: before, limit: limit))
    }

    public func orders(for user: UserID, matching filter: TradeFilter) throws -> [OrderRecord] {
        let window = Window(filter)
        return read { state in
            let rows = (state.orders[user] ?? [:]).values.filter {
                window.admits($0.createdAt) && (filter.symbol == nil || $0.symbol == filter.symbol) && (filter.side == nil || $0.side == filter.side)
                    && (filter.bot == nil || $0.botID == filter.bot)
            }
            return Array(rows.sorted { Self.newerFirst(($0.createdAt, $0.clientOrderID), ($1.createdAt, $1.clientOrderID)) }.prefix(max(filter.limit, 0)))
        }
    }

    public func orders(for user: UserID, updatedSince since: Date, limit: Int) throws -> [OrderRecord] {
        let start = StoredMillis.of(since)
        return read { state in
            let rows = (state.orders[user] ?? [:]).values.filter { StoredMillis.of($0.updatedAt) >= start }
            // Oldest first: the arguments of `newerFirst` swapped.
            return Array(rows.sorted { Self.newerFirst(($1.updatedAt, $1.clientOrderID), ($0.updatedAt, $0.clientOrderID)) }.prefix(max(limit, 0)))
        }
    }

    public func order(for user: UserID, orderID: Int64) throws -> OrderRecord? {
        read { state in state.orders[user]?.values.first { $0.orderID == orderID } }
    }

    public func fills(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [BotFill] {
        try fills(for: user, matching: TradeFilter(symbol: symbol, before: before, limit: limit))
    }

    public func fills(for user: UserID, matching filter: TradeFilter) throws -> [BotFill] {
        let window = Window(filter)
        return read { state in
            return Array(
                state.fills.filter {
                    $0.user == user && window.admits($0.fill.time) && (filter.symbol == nil || $0.fill.symbol == filter.symbol)
                        && (filter.side == nil || $0.fill.side == filter.side) && (filter.bot == nil || $0.fill.botID == filter.bot)
                }
                .map(\.fill)
                .sorted { (StoredMillis.of($0.time), $0.tradeID) > (StoredMillis.of($1.time), $1.tradeID) }
                .prefix(max(filter.limit, 0))
            )
        }
    }

    public func fills(for user: UserID, recordedAfter rowID: Int64, limit: Int) throws -> [(rowID: Int64, fill: BotFill)] {
        read { state in Array(state.fills.filter { $0.user == user && $0.rowID > rowID }.prefix(max(limit, 0)).map { (rowID: $0.rowID, fill: $0.fill) }) }
    }

    public func lastFillRowID(for user: UserID) throws -> Int64 {
        read { state in state.fills.last { $0.user == user }?.rowID ?? 0 }
    }

    public func signals(for user: UserID, bot: Int64?, symbol: String?, before: Date?, limit: Int) throws -> [SignalRecord] {
        let window = Window(TradeFilter(before: before))
        return read { state in
            Array(
                state.signals.filter {
                    $0.user == user && window.admits($0.signal.time) && (symbol == nil || $0.signal.symbol == symbol) && (bot == nil || $0.signal.botID == bot)
                }
                    .sorted { (StoredMillis.of($0.signal.time), $0.id) > (StoredMillis.of($1.signal.time), $1.id) }
                    .prefix(max(limit, 0)).map(\.signal)
            )
        }
    }

    public func signals(for user: UserID, recordedAfter id: Int64, limit: Int) throws -> [(id: Int64, signal: SignalRecord)] {
        read { state in Array(state.signals.filter { $0.user == user && $0.id > id }.prefix(max(limit, 0)).map { (id: $0.id, signal: $0.signal) }) }
    }

    public func lastSignalID(for user: UserID) throws -> Int64 {
        read { state in state.signals.last { $0.user == user }?.id ?? 0 }
    }

    /// `true` when `a` sorts before `b` newest first: by time to the millisecond, then by key
    /// (byte order, as SQLite's `BINARY` collation), both descending.
    static func newerFirst(_ a: (Date, String), _ b: (Date, String)) -> Bool {
        let (ta, tb) = (StoredMillis.of(a.0), StoredMillis.of(b.0))
        if ta != tb { return ta > tb }
        return Array(b.1.utf8).lexicographicallyPrecedes(a.1.utf8)
    }
}

/// A filter's time range, to the millisecond: at or after `from`, strictly before `before`.
private struct Window {
    let from: Int64
    let before: Int64

    init(_ filter: TradeFilter) {
        from = filter.from.map(StoredMillis.of) ?? .min
        before = filter.before.map(StoredMillis.of) ?? .max
    }

    func admits(_ time: Date) -> Bool {
        let ms = StoredMillis.of(time)
        return ms >= from && ms < before
    }
}
