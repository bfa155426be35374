import Common
import Foundation
import PostgresNIO

/// The lists, in SQLite's order: newest first by time, ties broken by the client order id
/// (byte order: the column is `COLLATE "C"`), the trade id or the signal id, descending; the
/// feeds' cursors by row id, ascending. Fills of one trade id in two symbols in one millisecond
/// go by row id, descending, as SQLite's index hands them out. A nil bound or filter is no bound; a negative limit is
/// none (``PostgresValues/limit(_:)``).
extension PostgresTradingStore {
    static let orderColumns = """
        client_order_id, order_id, symbol, side, type, status, price::text, orig_qty::text, executed_qty::text, created_at, updated_at, reason,
        order_list_id, stop_price::text, bot_id
        """

    static let fillColumns = """
        symbol, trade_id, order_id, client_order_id, side, price::text, qty::text, quote_qty::text, commission::text, commission_asset, time, bot_id
        """

    public func totals() throws -> TradingTotals {
        let open = OrderRecord.openStatuses.map(\.rawValue).sorted()
        let rows = try db.query(
            """
            SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM orders WHERE status = ANY(\(open))), (SELECT count(*) FROM fills)
            """
        )
        guard let row = rows.first else { return TradingTotals(orders: 0, openOrders: 0, fills: 0) }
        let (orders, openOrders, fills) = try row.decode((Int64, Int64, Int64).self)
        return TradingTotals(orders: Int(orders), openOrders: Int(openOrders), fills: Int(fills))
    }

    public func orders(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [OrderRecord] {
        try orders(for: user, matching: TradeFilter(symbol: symbol, before: before, limit: limit))
    }

    public func orders(for user: UserID, matching f: TradeFilter) throws -> [OrderRecord] {
        let (from, before) = (f.from.map(PostgresValues.time), f.before.map(PostgresValues.time))
        return try db.query(
            """
            SELECT \(unescaped: Self.orderColumns) FROM orders
            WHERE user_id = \(user.rawValue) AND (\(f.symbol)::text IS NULL OR symbol = \(f.symbol)) AND (\(f.side)::text IS NULL OR side = \(f.side))
                AND (\(f.bot)::bigint IS NULL OR bot_id = \(f.bot)) AND (\(from)::timestamptz IS NULL OR created_at >= \(from))
                AND (\(before)::timestamptz IS NULL OR created_at < \(before))
            ORDER BY created_at DESC, client_order_id DESC LIMIT \(PostgresValues.limit(f.limit))
            """
        ).map(Self.order)
    }

    public func orders(for user: UserID, updatedSince since: Date, limit: Int) throws -> [OrderRecord] {
        try db.query(
            """
            SELECT \(unescaped: Self.orderColumns) FROM orders WHERE user_id = \(user.rawValue) AND updated_at >= \(PostgresValues.time(since))
            ORDER BY updated_at, client_order_id LIMIT \(PostgresValues.limit(limit))
            """
        ).map(Self.order)
    }

    /// SQLite answers the first row of its `(user_id, order_id)` index, the one saved first when
    /// two orders share an exchange id (in two symbols): here the one created first.
    public func order(for user: UserID, orderID: Int64) throws -> OrderRecord? {
        try db.query(
            """
            SELECT \(unescaped: Self.orderColumns) FROM orders WHERE user_id = \(user.rawValue) AND order_id = \(orderID)
            ORDER BY created_at, client_order_id LIMIT 1
            """
        ).first.map(Self.order)
    }

    static func order(_ row: PostgresRow) throws -> OrderRecord {
        let (client, orderID, symbol, side, type, status, price, origQty, executedQty, createdAt, updatedAt, reason, listID, stopPrice, botID) =
            try row.decode((String, Int64?, String, String, String, String, String?, String, String, Date, Date, String?, Int64?, String?, Int64?).self)
        return OrderRecord(
            clientOrderID: client, orderID: orderID, symbol: symbol, side: side, type: type, status: OrderStatus(rawValue: status) ?? .unknown,
            price: try price.map(PostgresValues.readAmount), origQty: try PostgresValues.readAmount(origQty),
            executedQty: try PostgresValues.readAmount(executedQty), createdAt: PostgresValues.readTime(createdAt),
            updatedAt: PostgresValues.readTime(updatedAt), reason: reason, orderListID: listID, stopPrice: try stopPrice.map(PostgresValues.readAmount),
            botID: botID
        )
    }

    public func fills(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [BotFill] {
        try fills(for: user, matching: TradeFilter(symbol: symbol, before: before, limit: limit))
    }

    public func fills(for user: UserID, matching f: TradeFilter) throws -> [BotFill] {
        let (from, before) = (f.from.map(PostgresValues.time), f.before.map(PostgresValues.time))
        return try db.query(
            """
            SELECT \(unescaped: Self.fillColumns) FROM fills
            WHERE user_id = \(user.rawValue) AND (\(f.symbol)::text IS NULL OR symbol = \(f.symbol)) AND (\(f.side)::text IS NULL OR side = \(f.side))
                AND (\(f.bot)::bigint IS NULL OR bot_id = \(f.bot)) AND (\(from)::timestamptz IS NULL OR time >= \(from))
                AND (\(before)::timestamptz IS NULL OR time < \(before))
            ORDER BY time DESC, trade_id DESC, row_id DESC LIMIT \(PostgresValues.limit(f.limit))
            """
        ).map(Self.fill)
    }

    public func fills(for user: UserID, recordedAfter rowID: Int64, limit: Int) throws -> [(rowID: Int64, fill: BotFill)] {
        try db.query(
            """
            SELECT \(unescaped: Self.fillColumns), row_id FROM fills WHERE user_id = \(user.rawValue) AND row_id > \(rowID)
            ORDER BY row_id LIMIT \(PostgresValues.limit(limit))
            """
        ).map { row in (rowID: try row.makeRandomAccess()["row_id"].decode(Int64.self), fill: try Self.fill(row)) }
    }

    public func lastFillRowID(for user: UserID) throws -> Int64 {
        try db.query("SELECT max(row_id) FROM fills WHERE user_id = \(user.rawValue)").first?.decode(Int64?.self) ?? 0
    }

    /// A row whose first columns are ``fillColumns``.
    static func fill(_ row: PostgresRow) throws -> BotFill {
        let columns = row.makeRandomAccess()
        func amount(_ index: Int) throws -> Decimal { try PostgresValues.readAmount(try columns[index].decode(String.self)) }
        return BotFill(
            symbol: try columns[0].decode(String.self), tradeID: try columns[1].decode(Int64.self), orderID: try columns[2].decode(Int64.self),
            clientOrderID: try columns[3].decode(String.self), side: try columns[4].decode(String.self), price: try amount(5), qty: try amount(6),
            quoteQty: try amount(7), commission: try amount(8), commissionAsset: try columns[9].decode(String.self),
            time: PostgresValues.readTime(try columns[10].decode(Date.self)), botID: try columns[11].decode(Int64?.self)
        )
    }
}
