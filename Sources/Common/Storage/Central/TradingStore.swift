import Foundation
import GRDB

/// `orders`, `fills`, `positions`, `bot_summary`
/// (written by the supervisor from the reports of the worker it started for that user).
public protocol TradingStore: Sendable {
    /// Every user's orders (and the open ones) and fills, counted: for the metrics.
    func totals() throws -> TradingTotals
    func saveOrder(_ order: OrderRecord, for user: UserID) throws
    /// `false` when this fill was recorded before.
    @discardableResult func saveFill(_ fill: BotFill, for user: UserID) throws -> Bool
    /// The positions the worker's trader reports, for its bot (`bot`, ``BotStore/traderBotID(for:)``;
    /// nil: rows of no bot): they replace that bot's, never a grid's or DCA bot's.
    func savePositions(_ positions: [PositionRecord], todayPnL: Decimal?, for user: UserID, bot: Int64?, at: Date) throws
    /// A grid or DCA bot's one position (nil: none open) in place of the one it had.
    func saveBotPosition(_ position: PositionRecord?, bot: Int64, for user: UserID, at: Date) throws
    func orders(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [OrderRecord]
    /// Newest first, by creation time, filtered (the monitoring page and the API).
    func orders(for user: UserID, matching filter: TradeFilter) throws -> [OrderRecord]
    /// Orders written at or after `since` (their `updated_at`), oldest first: what changed.
    func orders(for user: UserID, updatedSince since: Date, limit: Int) throws -> [OrderRecord]
    func order(for user: UserID, orderID: Int64) throws -> OrderRecord?
    func fills(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [BotFill]
    /// Newest first, by trade time, filtered.
    func fills(for user: UserID, matching filter: TradeFilter) throws -> [BotFill]
    /// Fills recorded after the row `rowID` (0: all), in the order they were recorded, with
    /// their row ids: the live feed's cursor.
    func fills(for user: UserID, recordedAfter rowID: Int64, limit: Int) throws -> [(rowID: Int64, fill: BotFill)]
    /// The row id of the user's latest recorded fill (0 when none).
    func lastFillRowID(for user: UserID) throws -> Int64
    func positions(for user: UserID) throws -> [PositionRecord]
    func todayPnL(for user: UserID) throws -> (value: Decimal?, updatedAt: Date)?
    func saveSignal(_ signal: SignalRecord, for user: UserID) throws
    /// Newest first; `bot`: that bot's only.
    func signals(for user: UserID, bot: Int64?, symbol: String?, before: Date?, limit: Int) throws -> [SignalRecord]
    /// Signals recorded after the row `id`, oldest first, with their ids.
    func signals(for user: UserID, recordedAfter id: Int64, limit: Int) throws -> [(id: Int64, signal: SignalRecord)]
    func lastSignalID(for user: UserID) throws -> Int64
}

public struct SQLiteTradingStore: TradingStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func saveOrder(_ o: OrderRecord, for user: UserID) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO orders (user_id, client_order_id, order_id, symbol, side, type, status, price, orig_qty, executed_qty, created_at, updated_at, reason,
                        order_list_id, stop_price, bot_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(user_id, client_order_id) DO UPDATE SET order_id = COALESCE(excluded.order_id, order_id), status = excluded.status,
                        price = excluded.price, orig_qty = excluded.orig_qty, executed_qty = excluded.executed_qty, updated_at = excluded.updated_at,
                        reason = COALESCE(excluded.reason, reason), order_list_id = COALESCE(excluded.order_list_id, order_list_id),
                        stop_price = COALESCE(excluded.stop_price, stop_price), bot_id = COALESCE(bot_id, excluded.bot_id)
                    """,
                arguments: [
                    user.rawValue, o.clientOrderID, o.orderID, o.symbol, o.side, o.type, o.status.rawValue, o.price.map { DecimalText.format($0) },
                    DecimalText.format(o.origQty), DecimalText.format(o.executedQty), Timestamp.string(o.createdAt), Timestamp.string(o.updatedAt), o.reason,
                    o.orderListID, o.stopPrice.map { DecimalText.format($0) }, o.botID,
                ]
            )
        }
    }

    @discardableResult
    public func saveFill(_ f: BotFill, for user: UserID) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO fills (user_id, symbol, trade_id, order_id, client_order_id, side, price, qty, quote_qty, commission, commission_asset, time,
                        bot_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.rawValue, f.symbol, f.tradeID, f.orderID, f.clientOrderID, f.side, DecimalText.format(f.price), DecimalText.format(f.qty),
                    DecimalText.format(f.quoteQty), DecimalText.format(f.commission), f.commissionAsset, Timestamp.string(f.time), f.botID,
                ]
            )
            return db.changesCount > 0
        }
    }

    public func savePositions(_ positions: [PositionRecord], todayPnL: Decimal?, for user: UserID, bot: Int64?, at: Date) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM positions WHERE user_id = ? AND (bot_id IS NULL OR bot_id IS ?)", arguments: [user.rawValue, bot])
            for position in positions { try Self.insert(position, user: user, at: at, in: db) }
            try db.execute(
                sql: "INSERT OR REPLACE INTO bot_summary (user_id, today_pnl_usdt, updated_at) VALUES (?, ?, ?)",
                arguments: [user.rawValue, todayPnL.map { DecimalText.format($0) }, Timestamp.string(at)]
            )
        }
    }

    public func saveBotPosition(_ position: PositionRecord?, bot: Int64, for user: UserID, at: Date) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM positions WHERE user_id = ? AND bot_id = ?", arguments: [user.rawValue, bot])
            if var position {
                position.botID = bot
                try Self.insert(position, user: user, at: at, in: db)
            }
        }
    }

    private static func insert(_ position: PositionRecord, user: UserID, at: Date, in db: Database) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: position.json, options: [.sortedKeys]), as: UTF8.self)
        try db.execute(
            sql: "INSERT OR REPLACE INTO positions (user_id, symbol, position, updated_at, bot_id) VALUES (?, ?, ?, ?, ?)",
            arguments: [user.rawValue, position.symbol, json, Timestamp.string(at), position.botID]
        )
    }

    public func orders(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [OrderRecord] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT * FROM orders WHERE user_id = ? AND (? IS NULL OR symbol = ?) AND created_at < ?
                    ORDER BY created_at DESC, client_order_id DESC LIMIT ?
                    """),
                arguments: [user.rawValue, symbol, symbol, Timestamp.string(before ?? .distantFuture), limit]
            ).map(Self.order)
        }
    }

    public func order(for user: UserID, orderID: Int64) throws -> OrderRecord? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM orders WHERE user_id = ? AND order_id = ?"), arguments: [user.rawValue, orderID]).map(Self.order)
        }
    }

    /// A row of `orders` (in central.sqlite or a worker's trader.sqlite: the same columns).
    static func order(_ row: Row) -> OrderRecord {
        OrderRecord(
            clientOrderID: row["client_order_id"], orderID: row["order_id"], symbol: row["symbol"], side: row["side"], type: row["type"],
            status: OrderStatus(rawValue: row["status"]) ?? .unknown, price: (row["price"] as String?).flatMap(DecimalText.parse), origQty: DecimalText.parse(row["orig_qty"]) ?? 0,
            executedQty: DecimalText.parse(row["executed_qty"]) ?? 0, createdAt: Timestamp.date(row["created_at"]) ?? .distantPast,
            updatedAt: Timestamp.date(row["updated_at"]) ?? .distantPast, reason: row["reason"], orderListID: row["order_list_id"],
            stopPrice: (row["stop_price"] as String?).flatMap(DecimalText.parse), botID: row["bot_id"]
        )
    }

    public func fills(for user: UserID, symbol: String?, before: Date?, limit: Int) throws -> [BotFill] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT * FROM fills WHERE user_id = ? AND (? IS NULL OR symbol = ?) AND time < ?
                    ORDER BY time DESC, trade_id DESC LIMIT ?
                    """),
                arguments: [user.rawValue, symbol, symbol, Timestamp.string(before ?? .distantFuture), limit]
            ).map(Self.fill)
        }
    }

    /// A row of `fills` (in central.sqlite or a worker's trader.sqlite: the same columns).
    static func fill(_ row: Row) -> BotFill {
        BotFill(
            symbol: row["symbol"], tradeID: row["trade_id"], orderID: row["order_id"], clientOrderID: row["client_order_id"], side: row["side"],
            price: DecimalText.parse(row["price"]) ?? 0, qty: DecimalText.parse(row["qty"]) ?? 0, quoteQty: DecimalText.parse(row["quote_qty"]) ?? 0,
            commission: DecimalText.parse(row["commission"]) ?? 0, commissionAsset: row["commission_asset"],
            time: Timestamp.date(row["time"]) ?? .distantPast, botID: row["bot_id"]
        )
    }

    public func positions(for user: UserID) throws -> [PositionRecord] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT position, bot_id FROM positions WHERE user_id = ? ORDER BY symbol"), arguments: [user.rawValue]).compactMap { row in
                let text: String = row["position"]
                guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any], var position = try? PositionRecord(json: object) else {
                    return nil
                }
                position.botID = row["bot_id"]
                return position
            }
        }
    }

    public func saveSignal(_ signal: SignalRecord, for user: UserID) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: signal.json, options: [.sortedKeys]), as: UTF8.self)
        try db.write { db in
            try db.execute(
                sql: "INSERT INTO signals (user_id, symbol, time, signal, bot_id) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.rawValue, signal.symbol, Timestamp.string(signal.time), json, signal.botID]
            )
        }
    }

    public func signals(for user: UserID, bot: Int64?, symbol: String?, before: Date?, limit: Int) throws -> [SignalRecord] {
        try db.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT signal, bot_id FROM signals WHERE user_id = ? AND (? IS NULL OR symbol = ?) AND (? IS NULL OR bot_id = ?) AND time < ?
                    ORDER BY time DESC, id DESC LIMIT ?
                    """),
                arguments: [user.rawValue, symbol, symbol, bot, bot, Timestamp.string(before ?? .distantFuture), limit]
            ).compactMap(Self.signal)
        }
    }

    /// A row of `signals`: its JSON and its bot.
    static func signal(_ row: Row) -> SignalRecord? {
        let text: String = row["signal"]
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any], var signal = try? SignalRecord(json: object) else {
            return nil
        }
        signal.botID = row["bot_id"]
        return signal
    }

    public func todayPnL(for user: UserID) throws -> (value: Decimal?, updatedAt: Date)? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT today_pnl_usdt, updated_at FROM bot_summary WHERE user_id = ?"), arguments: [user.rawValue]).map { row in
                ((row["today_pnl_usdt"] as String?).flatMap(DecimalText.parse), Timestamp.date(row["updated_at"]) ?? .distantPast)
            }
        }
    }
}
