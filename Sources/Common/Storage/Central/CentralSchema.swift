import Foundation
import GRDB

/// The versioned schema of `central.sqlite`. Only the supervisor runs it, before it starts any
/// other process, so two migrators never race on a new file.
///
/// Writers, one process per table: the web writes `users`, `sessions`, `bots`, `login_attempts` and
/// `login_trust`; the supervisor writes everything else.
public enum CentralSchema {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        password_hash TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE TABLE exchange_keys (
                        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                        api_key_token TEXT NOT NULL,
                        api_secret_token TEXT NOT NULL,
                        masked_key TEXT NOT NULL,
                        can_trade INTEGER NOT NULL,
                        verified_at TEXT,
                        revision INTEGER NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE process_status (
                        process TEXT PRIMARY KEY,
                        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
                        state TEXT NOT NULL,
                        pid INTEGER,
                        started_at TEXT,
                        last_heartbeat_at TEXT,
                        reported_state TEXT,
                        restarts INTEGER NOT NULL DEFAULT 0,
                        last_exit_status TEXT,
                        last_exit_at TEXT,
                        next_restart_at TEXT,
                        crash_loop INTEGER NOT NULL DEFAULT 0,
                        message TEXT,
                        updated_at TEXT NOT NULL
                    );
                    CREATE INDEX process_status_user ON process_status(user_id);
                    CREATE TABLE commands (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        command TEXT NOT NULL,
                        payload TEXT,
                        created_at TEXT NOT NULL,
                        delivered_at TEXT,
                        acknowledged_at TEXT,
                        result TEXT
                    );
                    CREATE INDEX commands_user ON commands(user_id, id);
                    CREATE TABLE worker_events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        time TEXT NOT NULL,
                        level TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        message TEXT NOT NULL
                    );
                    CREATE INDEX worker_events_user ON worker_events(user_id, id);
                    CREATE TABLE supervisor_info (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2-sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        id_hash TEXT PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        csrf_token TEXT NOT NULL,
                        persistent INTEGER NOT NULL,
                        created_at TEXT NOT NULL,
                        last_seen_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL,
                        user_agent TEXT
                    );
                    CREATE INDEX sessions_user ON sessions(user_id);
                    ALTER TABLE users ADD COLUMN password_changed_at TEXT;
                    """)
        }
        migrator.registerMigration("v3-portfolio") { db in
            try db.execute(
                sql: """
                    CREATE TABLE portfolios (
                        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                        total_usdt TEXT NOT NULL,
                        unpriced TEXT NOT NULL,
                        balances TEXT NOT NULL,
                        balances_at TEXT NOT NULL,
                        prices_at TEXT NOT NULL,
                        received_at TEXT NOT NULL
                    );
                    CREATE TABLE exchange_status (
                        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                        reachable INTEGER NOT NULL,
                        since TEXT,
                        reason TEXT,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE equity_points (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        time TEXT NOT NULL,
                        total_usdt TEXT NOT NULL,
                        PRIMARY KEY (user_id, time)
                    );
                    """)
        }
        migrator.registerMigration("v4-trading") { db in
            try db.execute(
                sql: """
                    CREATE TABLE bot_settings (
                        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                        settings TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE orders (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        client_order_id TEXT NOT NULL,
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
                        reason TEXT,
                        PRIMARY KEY (user_id, client_order_id)
                    );
                    CREATE INDEX orders_user_time ON orders(user_id, created_at);
                    CREATE TABLE fills (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
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
                        PRIMARY KEY (user_id, symbol, trade_id)
                    );
                    CREATE INDEX fills_user_time ON fills(user_id, time);
                    CREATE TABLE positions (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        symbol TEXT NOT NULL,
                        position TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (user_id, symbol)
                    );
                    CREATE TABLE bot_summary (
                        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                        today_pnl_usdt TEXT,
                        updated_at TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v5-signals") { db in
            try db.execute(
                sql: """
                    CREATE TABLE signals (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        symbol TEXT NOT NULL,
                        time TEXT NOT NULL,
                        signal TEXT NOT NULL
                    );
                    CREATE INDEX signals_user_time ON signals(user_id, time);
                    """)
        }
        migrator.registerMigration("v6-language") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN language TEXT")
        }
        // A worker's exchange usage, for the metrics: weight used this minute, failed calls by cause (JSON).
        migrator.registerMigration("v7-exchange-usage") { db in
            try db.execute(sql: "ALTER TABLE process_status ADD COLUMN weight_used INTEGER")
            try db.execute(sql: "ALTER TABLE process_status ADD COLUMN exchange_errors TEXT")
        }
        // Order lists (an OCO's legs share an id) and conditional orders' trigger prices.
        migrator.registerMigration("v8-order-lists") { db in
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN order_list_id INTEGER")
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN stop_price TEXT")
        }
        // Every list query answered from an index in the order it asks for (checked with
        // EXPLAIN QUERY PLAN): no temporary sort for the pages' newest-first lists, the event
        // stream's "recorded after" cursors, a cancel's order id, the metrics' open orders and
        // the session sweep.
        migrator.registerMigration("v9-query-indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX fills_user_time_trade ON fills(user_id, time, trade_id);
                    DROP INDEX fills_user_time;
                    CREATE INDEX fills_user_row ON fills(user_id);
                    CREATE INDEX orders_user_created ON orders(user_id, created_at, client_order_id);
                    DROP INDEX orders_user_time;
                    CREATE INDEX orders_user_updated ON orders(user_id, updated_at, client_order_id);
                    CREATE INDEX orders_user_order_id ON orders(user_id, order_id);
                    CREATE INDEX orders_status ON orders(status);
                    CREATE INDEX signals_user_id ON signals(user_id, id);
                    CREATE INDEX commands_user_command ON commands(user_id, command, id);
                    CREATE INDEX sessions_expires ON sessions(expires_at);
                    CREATE INDEX sessions_last_seen ON sessions(last_seen_at);
                    """)
        }
        // Several bots per user (issue 16): each user's settings become that user's first bot,
        // unchanged (``BotDefinition/first(from:)``), and the settings are read from it from now
        // on: one source of truth.
        migrator.registerMigration("v10-bots") { db in
            try db.execute(
                sql: """
                    CREATE TABLE bots (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        name TEXT NOT NULL COLLATE NOCASE,
                        mode TEXT NOT NULL,
                        strategy TEXT NOT NULL,
                        definition TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX bots_user_name ON bots(user_id, name);
                    """)
            for row in try Row.fetchAll(db, sql: "SELECT user_id, settings, updated_at FROM bot_settings ORDER BY user_id") {
                let user = UserID(row["user_id"] as Int64)
                let text: String = row["settings"]
                // Read as they were stored; an installation whose settings cannot be read stops
                // here with the user named, its file untouched (the migration is one transaction).
                let settings: BotSettings
                do {
                    settings = try JSONDecoder().decode(BotSettings.self, from: Data(text.utf8))
                } catch {
                    throw StorageError.damaged("central.sqlite (bot_settings of user \(user.rawValue))", "\(error)")
                }
                let at = Timestamp.date(row["updated_at"]) ?? Date()
                try SQLiteBotStore.insert(.first(from: settings), user: user, at: at, in: db)
            }
            try db.execute(sql: "DROP TABLE bot_settings")
        }
        // Every row of orders, fills, positions, signals and equity names its bot (CONTRACT §9);
        // the rows from before bots are the user's first bot's (the one bot there was). No
        // foreign key: a deleted bot's history stays.
        migrator.registerMigration("v11-bot-ids") { db in
            for table in ["orders", "fills", "positions", "signals", "equity_points"] {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN bot_id INTEGER")
                try db.execute(sql: "UPDATE \(table) SET bot_id = (SELECT MIN(id) FROM bots WHERE bots.user_id = \(table).user_id)")
            }
        }
        // Grid and DCA bots run in the worker (issue 16): whether the owner wants each running
        // (written by the web), and what each is doing (`bot_status`, written by the supervisor
        // from the worker's reports).
        migrator.registerMigration("v12-bot-runs") { db in
            try db.execute(
                sql: """
                    ALTER TABLE bots ADD COLUMN run_wanted INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE bots ADD COLUMN run_wanted_at TEXT;
                    CREATE TABLE bot_status (
                        bot_id INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        status TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE INDEX bot_status_user ON bot_status(user_id);
                    """)
        }
        // Two bots of one user on one symbol hold a position each (a grid's and the first bot's):
        // a position is the user's, the bot's and the symbol's.
        migrator.registerMigration("v13-positions-per-bot") { db in
            try db.execute(
                sql: """
                    CREATE TABLE positions_per_bot (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        symbol TEXT NOT NULL,
                        position TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        bot_id INTEGER
                    );
                    INSERT INTO positions_per_bot (user_id, symbol, position, updated_at, bot_id) SELECT user_id, symbol, position, updated_at, bot_id FROM positions;
                    DROP TABLE positions;
                    ALTER TABLE positions_per_bot RENAME TO positions;
                    CREATE UNIQUE INDEX positions_user_bot_symbol ON positions(user_id, IFNULL(bot_id, 0), symbol);
                    """)
        }
        // A live grid's or DCA bot's value over time, once a minute while it runs (its allocation
        // plus its realised and unrealised PnL): the supervisor's write, from the worker's statuses.
        migrator.registerMigration("v14-bot-equity") { db in
            try db.execute(
                sql: """
                    CREATE TABLE bot_equity (
                        bot_id INTEGER NOT NULL,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        time TEXT NOT NULL,
                        value_usdt TEXT NOT NULL,
                        PRIMARY KEY (bot_id, time)
                    );
                    CREATE INDEX bot_equity_user ON bot_equity(user_id);
                    """)
        }
        // Failed logins per account and per address, and which address signed in to which account:
        // the web's write, shared by every web process (LoginThrottle).
        migrator.registerMigration("v15-login-attempts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE login_attempts (
                        scope TEXT NOT NULL,
                        key TEXT NOT NULL,
                        failures INTEGER NOT NULL,
                        last_failure_at TEXT NOT NULL,
                        locked_until TEXT,
                        PRIMARY KEY (scope, key)
                    );
                    CREATE TABLE login_trust (
                        account TEXT NOT NULL,
                        address TEXT NOT NULL,
                        signed_in_at TEXT NOT NULL,
                        PRIMARY KEY (account, address)
                    );
                    """)
        }
        registerSignalAndAccountTables(&migrator)
        return migrator
    }
}
