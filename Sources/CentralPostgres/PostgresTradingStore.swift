import Common
import Foundation
import PostgresNIO

/// The `TradingStore` on PostgreSQL: the writes (the reads are in `+Queries` and `+Positions`).
///
/// SQLite had one writer at a time; here supervisors on several hosts, and several threads of
/// one, may write at once. An order is one `INSERT ... ON CONFLICT` on its key. A fill or a
/// signal is written holding the user's trading lock (``lock(_:in:)``), so the user's row ids
/// grow in the order the rows become visible, and a live feed reading "after row N" never skips
/// a row committed late with a smaller id. A save of positions holds it too, so two saves at
/// once leave exactly the last one's rows, as SQLite's serialised writes did.
public struct PostgresTradingStore: TradingStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    /// SQLite's upsert: what the order was created with stays (symbol, side, type, creation
    /// time); the status, price and quantities are the latest save's, even an earlier status
    /// (SQLite's store does not order them either); a nil never erases an order id, a reason, a
    /// list id or a trigger price; the first bot named keeps the row.
    public func saveOrder(_ o: OrderRecord, for user: UserID) throws {
        try db.execute(
            """
            INSERT INTO orders (user_id, client_order_id, order_id, symbol, side, type, status, price, orig_qty, executed_qty, created_at, updated_at,
                reason, order_list_id, stop_price, bot_id)
            VALUES (\(user.rawValue), \(o.clientOrderID), \(o.orderID), \(o.symbol), \(o.side), \(o.type), \(o.status.rawValue),
                \(o.price.map(PostgresValues.amount))::numeric, \(PostgresValues.amount(o.origQty))::numeric,
                \(PostgresValues.amount(o.executedQty))::numeric, \(PostgresValues.time(o.createdAt)), \(PostgresValues.time(o.updatedAt)),
                \(o.reason), \(o.orderListID), \(o.stopPrice.map(PostgresValues.amount))::numeric, \(o.botID))
            ON CONFLICT (user_id, client_order_id) DO UPDATE SET order_id = COALESCE(excluded.order_id, orders.order_id), status = excluded.status,
                price = excluded.price, orig_qty = excluded.orig_qty, executed_qty = excluded.executed_qty, updated_at = excluded.updated_at,
                reason = COALESCE(excluded.reason, orders.reason), order_list_id = COALESCE(excluded.order_list_id, orders.order_list_id),
                stop_price = COALESCE(excluded.stop_price, orders.stop_price), bot_id = COALESCE(orders.bot_id, excluded.bot_id)
            """
        )
    }

    @discardableResult
    public func saveFill(_ f: BotFill, for user: UserID) throws -> Bool {
        try db.transaction { tx in
            try Self.lock(user, in: tx)
            let inserted = try tx.execute(
                """
                INSERT INTO fills (user_id, symbol, trade_id, order_id, client_order_id, side, price, qty, quote_qty, commission, commission_asset,
                    time, bot_id)
                VALUES (\(user.rawValue), \(f.symbol), \(f.tradeID), \(f.orderID), \(f.clientOrderID), \(f.side), \(PostgresValues.amount(f.price))::numeric,
                    \(PostgresValues.amount(f.qty))::numeric, \(PostgresValues.amount(f.quoteQty))::numeric,
                    \(PostgresValues.amount(f.commission))::numeric, \(f.commissionAsset), \(PostgresValues.time(f.time)), \(f.botID))
                ON CONFLICT (user_id, symbol, trade_id) DO NOTHING
                """
            )
            return inserted > 0
        }
    }

    public func savePositions(_ positions: [PositionRecord], todayPnL: Decimal?, for user: UserID, bot: Int64?, at: Date) throws {
        try db.transaction { tx in
            try Self.lock(user, in: tx)
            // The rows of no bot always go (they are the trader's from before bots), and the bot's own.
            try tx.execute("DELETE FROM positions WHERE user_id = \(user.rawValue) AND (bot_id IS NULL OR bot_id = \(bot))")
            for position in positions { try Self.insert(position, user: user, at: at, in: tx) }
            try tx.execute(
                """
                INSERT INTO bot_summary (user_id, today_pnl_usdt, updated_at)
                VALUES (\(user.rawValue), \(todayPnL.map(PostgresValues.amount))::numeric, \(PostgresValues.time(at)))
                ON CONFLICT (user_id) DO UPDATE SET today_pnl_usdt = excluded.today_pnl_usdt, updated_at = excluded.updated_at
                """
            )
        }
    }

    public func saveBotPosition(_ position: PositionRecord?, bot: Int64, for user: UserID, at: Date) throws {
        try db.transaction { tx in
            try Self.lock(user, in: tx)
            try tx.execute("DELETE FROM positions WHERE user_id = \(user.rawValue) AND bot_id = \(bot)")
            if var position {
                position.botID = bot
                try Self.insert(position, user: user, at: at, in: tx)
            }
        }
    }

    /// SQLite's `INSERT OR REPLACE`: a second position of the bot in the same symbol replaces the first.
    static func insert(_ position: PositionRecord, user: UserID, at: Date, in tx: PostgresTransaction) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: position.json, options: [.sortedKeys]), as: UTF8.self)
        try tx.execute(
            """
            INSERT INTO positions (user_id, symbol, position, updated_at, bot_id)
            VALUES (\(user.rawValue), \(position.symbol), \(json), \(PostgresValues.time(at)), \(position.botID))
            ON CONFLICT (user_id, (COALESCE(bot_id, 0)), symbol) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at,
                bot_id = excluded.bot_id
            """
        )
    }

    public func saveSignal(_ signal: SignalRecord, for user: UserID) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: signal.json, options: [.sortedKeys]), as: UTF8.self)
        try db.transaction { tx in
            try Self.lock(user, in: tx)
            try tx.execute(
                """
                INSERT INTO signals (user_id, symbol, time, signal, bot_id)
                VALUES (\(user.rawValue), \(signal.symbol), \(PostgresValues.time(signal.time)), \(json), \(signal.botID))
                """
            )
        }
    }

    /// The user's trading lock, held until the transaction ends: two keys, the first this store's,
    /// so it never waits on another store's locks; a user id past 32 bits shares its key with
    /// another user's, which only makes the two wait for each other.
    static func lock(_ user: UserID, in tx: PostgresTransaction) throws {
        try tx.execute("SELECT pg_advisory_xact_lock(\(tradingLock), \(Int32(truncatingIfNeeded: user.rawValue)))")
    }

    /// "trad": the first key of ``lock(_:in:)``.
    static let tradingLock: Int32 = 0x7472_6164
}

