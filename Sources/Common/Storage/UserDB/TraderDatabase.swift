import Foundation
import GRDB

/// A worker's own `trader.sqlite`: its complete history and state. Only that worker writes it.
public struct TraderDatabase: Sendable {
    public let pool: DatabasePool

    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE worker_state (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE received_commands (
                        id INTEGER PRIMARY KEY,
                        command TEXT NOT NULL,
                        payload TEXT,
                        received_at TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2-trading") { db in
            try db.execute(
                sql: """
                    CREATE TABLE orders (
                        client_order_id TEXT PRIMARY KEY,
                        order_id INTEGER,
                        symbol TEXT NOT NULL,
                        side TEXT NOT NULL,
                        type TEXT NOT NULL,
                        status TEXT NOT NULL,
                        price TEXT,
                        orig_qty TEXT NOT NULL,
                        executed_qty TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        reason TEXT
                    );
                    CREATE TABLE fills (
                        symbol TEXT NOT NULL,
                        trade_id INTEGER NOT NULL,
                        order_id INTEGER NOT NULL,
                        client_order_id TEXT NOT NULL,
                        side TEXT NOT NULL,
                        price TEXT NOT NULL,
                        qty TEXT NOT NULL,
                        quote_qty TEXT NOT NULL,
                        commission TEXT NOT NULL,
                        commission_asset TEXT NOT NULL,
                        time TEXT NOT NULL,
                        PRIMARY KEY (symbol, trade_id)
                    );
                    """)
        }
        migrator.registerMigration("v3-order-lists") { db in
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN order_list_id INTEGER")
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN stop_price TEXT")
        }
        return migrator
    }

    /// Stores an order intent before it is sent; `false` when this client order id exists
    /// already (the decision was taken before: it is never sent twice).
    public func insertIntent(_ order: OrderRecord) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO orders (client_order_id, order_id, symbol, side, type, status, price, orig_qty, executed_qty, created_at, updated_at, reason,
                        order_list_id, stop_price)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: Self.orderArguments(order)
            )
            return db.changesCount > 0
        }
    }

    public func updateOrder(_ order: OrderRecord) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    UPDATE orders SET order_id = COALESCE(?, order_id), status = ?, price = ?, orig_qty = ?, executed_qty = ?, updated_at = ?,
                        reason = COALESCE(?, reason), order_list_id = COALESCE(?, order_list_id), stop_price = COALESCE(?, stop_price)
                    WHERE client_order_id = ?
                    """,
                arguments: [
                    order.orderID, order.status.rawValue, order.price.map { DecimalText.format($0) }, DecimalText.format(order.origQty),
                    DecimalText.format(order.executedQty), Timestamp.string(order.updatedAt), order.reason, order.orderListID,
                    order.stopPrice.map { DecimalText.format($0) }, order.clientOrderID,
                ]
            )
        }
    }

    static func orderArguments(_ o: OrderRecord) -> StatementArguments {
        [
            o.clientOrderID, o.orderID, o.symbol, o.side, o.type, o.status.rawValue, o.price.map { DecimalText.format($0) }, DecimalText.format(o.origQty),
            DecimalText.format(o.executedQty), Timestamp.string(o.createdAt), Timestamp.string(o.updatedAt), o.reason, o.orderListID,
            o.stopPrice.map { DecimalText.format($0) },
        ]
    }

    /// The orders, oldest first; only those in `statuses` when given (filtered by SQLite, since
    /// the open ones are asked for on every price update).
    public func orders(where statuses: Set<OrderStatus>? = nil) throws -> [OrderRecord] {
        try pool.read { db in
            guard let statuses else {
                return try Row.fetchAll(db, sql: "SELECT * FROM orders ORDER BY created_at").map(SQLiteTradingStore.order)
            }
            let marks = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM orders WHERE status IN (\(marks)) ORDER BY created_at", arguments: StatementArguments(statuses.map(\.rawValue))
            ).map(SQLiteTradingStore.order)
        }
    }

    /// Records a fill once; `false` when it was recorded before.
    public func insertFill(_ f: BotFill) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO fills (symbol, trade_id, order_id, client_order_id, side, price, qty, quote_qty, commission, commission_asset, time)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    f.symbol, f.tradeID, f.orderID, f.clientOrderID, f.side, DecimalText.format(f.price), DecimalText.format(f.qty),
                    DecimalText.format(f.quoteQty), DecimalText.format(f.commission), f.commissionAsset, Timestamp.string(f.time),
                ]
            )
            return db.changesCount > 0
        }
    }

    /// Every fill, oldest first (positions are rebuilt from them).
    public func fills() throws -> [BotFill] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM fills ORDER BY time, trade_id").map(SQLiteTradingStore.fill)
        }
    }

    /// Opens (creating and migrating) the user's database: folder 0700, file 0600.
    public static func open(_ directory: DataDirectory, user: UserID) throws -> TraderDatabase {
        try directory.prepareUser(user)
        return TraderDatabase(pool: try DatabaseOpener.open(path: directory.userDatabase(user), migrator: migrator, mode: .migrate(fileMode: 0o600)))
    }

    public func setState(_ key: String, _ value: String, at: Date = Date()) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO worker_state (key, value, updated_at) VALUES (?, ?, ?)",
                arguments: [key, value, Timestamp.string(at)]
            )
        }
    }

    /// Every state whose key starts with `prefix`, by key.
    public func states(prefix: String) throws -> [String: String] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM worker_state WHERE substr(key, 1, ?) = ?", arguments: [prefix.count, prefix])
            return Dictionary(rows.map { ($0["key"] as String, $0["value"] as String) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func state(_ key: String) throws -> String? {
        try pool.read { try String.fetchOne($0, sql: "SELECT value FROM worker_state WHERE key = ?", arguments: [key]) }
    }

    /// Records a command once; `false` when this id was seen before (a resend after a restart).
    public func recordCommand(id: Int64, command: String, payload: String?, at: Date = Date()) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO received_commands (id, command, payload, received_at) VALUES (?, ?, ?, ?)",
                arguments: [id, command, payload, Timestamp.string(at)]
            )
            return db.changesCount > 0
        }
    }
}
