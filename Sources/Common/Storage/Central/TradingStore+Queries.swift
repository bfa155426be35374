import Foundation
import GRDB

/// Which orders or fills a list shows: a symbol, a side, a time range, a page.
public struct TradeFilter: Sendable, Equatable {
    public var symbol: String?
    /// `BUY` or `SELL`.
    public var side: String?
    /// Rows at or after this time.
    public var from: Date?
    /// Rows strictly before this time (the page cursor, or the end of a range).
    public var before: Date?
    public var limit: Int
    /// That bot's rows only.
    public var bot: Int64?

    public init(symbol: String? = nil, side: String? = nil, from: Date? = nil, before: Date? = nil, limit: Int = 100, bot: Int64? = nil) {
        self.bot = bot
        self.symbol = symbol
        self.side = side
        self.from = from
        self.before = before
        self.limit = limit
    }
}

extension SQLiteTradingStore {
    public func orders(for user: UserID, matching f: TradeFilter) throws -> [OrderRecord] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT * FROM orders WHERE user_id = ? AND (? IS NULL OR symbol = ?) AND (? IS NULL OR side = ?) AND (? IS NULL OR bot_id = ?)
                    AND created_at >= ? AND created_at < ? ORDER BY created_at DESC, client_order_id DESC LIMIT ?
                    """),
                arguments: [
                    user.rawValue, f.symbol, f.symbol, f.side, f.side, f.bot, f.bot, Timestamp.string(f.from ?? .distantPast),
                    Timestamp.string(f.before ?? .distantFuture), f.limit,
                ]
            ).map(Self.order)
        }
    }

    public func orders(for user: UserID, updatedSince since: Date, limit: Int) throws -> [OrderRecord] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM orders WHERE user_id = ? AND updated_at >= ? ORDER BY updated_at, client_order_id LIMIT ?"),
                arguments: [user.rawValue, Timestamp.string(since), limit]
            ).map(Self.order)
        }
    }

    public func fills(for user: UserID, matching f: TradeFilter) throws -> [BotFill] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT * FROM fills WHERE user_id = ? AND (? IS NULL OR symbol = ?) AND (? IS NULL OR side = ?) AND (? IS NULL OR bot_id = ?)
                    AND time >= ? AND time < ? ORDER BY time DESC, trade_id DESC LIMIT ?
                    """),
                arguments: [
                    user.rawValue, f.symbol, f.symbol, f.side, f.side, f.bot, f.bot, Timestamp.string(f.from ?? .distantPast),
                    Timestamp.string(f.before ?? .distantFuture), f.limit,
                ]
            ).map(Self.fill)
        }
    }

    public func fills(for user: UserID, recordedAfter rowID: Int64, limit: Int) throws -> [(rowID: Int64, fill: BotFill)] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT rowid AS row_id, * FROM fills WHERE user_id = ? AND rowid > ? ORDER BY rowid LIMIT ?"),
                arguments: [user.rawValue, rowID, limit]
            ).map { (rowID: $0["row_id"], fill: Self.fill($0)) }
        }
    }

    public func lastFillRowID(for user: UserID) throws -> Int64 {
        try db.read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(rowid) FROM fills WHERE user_id = ?"), arguments: [user.rawValue]) ?? 0 }
    }

    public func signals(for user: UserID, recordedAfter id: Int64, limit: Int) throws -> [(id: Int64, signal: SignalRecord)] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, signal, bot_id FROM signals WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?"), arguments: [user.rawValue, id, limit]
            ).compactMap { row in
                Self.signal(row).map { (id: row["id"], signal: $0) }
            }
        }
    }

    public func lastSignalID(for user: UserID) throws -> Int64 {
        try db.read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM signals WHERE user_id = ?"), arguments: [user.rawValue]) ?? 0 }
    }
}

/// Every user's orders and fills, counted: for the metrics.
public struct TradingTotals: Sendable, Equatable {
    public var orders: Int
    public var openOrders: Int
    public var fills: Int

    public init(orders: Int, openOrders: Int, fills: Int) {
        self.orders = orders
        self.openOrders = openOrders
        self.fills = fills
    }
}

extension SQLiteTradingStore {
    public func totals() throws -> TradingTotals {
        let open = OrderRecord.openStatuses.map(\.rawValue).sorted().map { "'\($0)'" }.joined(separator: ", ")
        return try db.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT (SELECT count(*) FROM orders) AS orders,
                           (SELECT count(*) FROM orders WHERE status IN (\(open))) AS open_orders,
                           (SELECT count(*) FROM fills) AS fills
                    """)
            )
            return TradingTotals(orders: row?["orders"] ?? 0, openOrders: row?["open_orders"] ?? 0, fills: row?["fills"] ?? 0)
        }
    }
}
