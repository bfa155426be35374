import Foundation
import GRDB

extension CentralSchema {
    /// The second wave's tables of signal hooks, notifications, second factors and sessions'
    /// addresses, roles, API tokens and the audit log (v16 to v21), in their order.
    static func registerSignalAndAccountTables(_ migrator: inout DatabaseMigrator) {
        // Bots' signal hooks and every signal they received: the web's write (POST /hooks/{id}).
        migrator.registerMigration("v16-signal-hooks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE signal_hooks (
                        id TEXT PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        bot_id INTEGER NOT NULL UNIQUE REFERENCES bots(id) ON DELETE CASCADE,
                        secret_digest TEXT NOT NULL,
                        max_lag_seconds INTEGER NOT NULL,
                        per_minute INTEGER NOT NULL,
                        allowed_addresses TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE TABLE signal_records (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        hook_id TEXT NOT NULL,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        bot_id INTEGER NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
                        received_at TEXT NOT NULL,
                        address TEXT NOT NULL,
                        accepted INTEGER NOT NULL,
                        reason TEXT,
                        action TEXT,
                        signal_id TEXT,
                        command_id INTEGER
                    );
                    CREATE INDEX signal_records_bot ON signal_records(bot_id, id);
                    CREATE INDEX signal_records_hook_time ON signal_records(hook_id, received_at);
                    CREATE UNIQUE INDEX signal_records_replay ON signal_records(hook_id, signal_id) WHERE accepted = 1 AND signal_id IS NOT NULL;
                    """)
        }
        // Users' notification channels and the messages waiting for them: the supervisor's
        // write (it alone can read the channels' secrets, and it sends).
        migrator.registerMigration("v17-notifications") { db in
            try db.execute(
                sql: """
                    CREATE TABLE notification_channels (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        target TEXT NOT NULL,
                        preset TEXT,
                        events TEXT NOT NULL,
                        secret_token TEXT,
                        link_code TEXT,
                        update_offset INTEGER NOT NULL DEFAULT 0,
                        unreachable_minutes INTEGER NOT NULL,
                        last_result TEXT,
                        last_result_at TEXT,
                        last_ok INTEGER,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX notification_channels_user ON notification_channels(user_id);
                    CREATE TABLE notification_outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        channel_id INTEGER NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
                        user_id INTEGER NOT NULL,
                        event TEXT NOT NULL,
                        key TEXT NOT NULL,
                        text TEXT NOT NULL,
                        data TEXT NOT NULL,
                        queued_at TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_at TEXT NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending',
                        result TEXT,
                        done_at TEXT,
                        UNIQUE (channel_id, key)
                    );
                    CREATE INDEX notification_outbox_due ON notification_outbox(state, next_at);
                    """)
        }
        // Second factors (TOTP), their recovery codes and the logins waiting for a code: the web's write.
        migrator.registerMigration("v18-second-factors") { db in
            try db.execute(
                sql: """
                    CREATE TABLE second_factors (
                        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                        secret TEXT NOT NULL,
                        enabled_at TEXT,
                        last_step INTEGER,
                        created_at TEXT NOT NULL
                    );
                    CREATE TABLE recovery_codes (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        code_hash TEXT NOT NULL,
                        used_at TEXT,
                        PRIMARY KEY (user_id, code_hash)
                    );
                    CREATE TABLE login_challenges (
                        id_hash TEXT PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        remember INTEGER NOT NULL,
                        expires_at TEXT NOT NULL,
                        failures INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        // The client's address at login, for the list of a user's sessions.
        migrator.registerMigration("v19-session-address") { db in
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN address TEXT")
        }
        // Roles and disabled accounts (the web's write; a role also `supervisor admin`'s), personal
        // API tokens (the web's), and the audit log (appended by the web and the command line).
        // An installation that has accounts already gets its first one as administrator.
        migrator.registerMigration("v20-access") { db in
            try db.execute(
                sql: """
                    ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE users ADD COLUMN disabled_at TEXT;
                    ALTER TABLE users ADD COLUMN approved_at TEXT;
                    UPDATE users SET approved_at = created_at;
                    ALTER TABLE process_status ADD COLUMN memory_bytes INTEGER;
                    UPDATE users SET is_admin = 1 WHERE id = (SELECT min(id) FROM users);
                    CREATE TABLE api_tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        scopes TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL,
                        last_used_at TEXT,
                        revoked_at TEXT
                    );
                    CREATE INDEX api_tokens_user ON api_tokens (user_id);
                    CREATE TABLE audit_log (
                        seq INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        user_id INTEGER,
                        actor TEXT NOT NULL,
                        address TEXT,
                        action TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE INDEX audit_log_user ON audit_log (user_id, seq);
                    """)
        }
        // The installation's settings administrators change (the kill switch, the sign-up mode)
        // and their invitation codes: the web's write.
        migrator.registerMigration("v21-platform") { db in
            try db.execute(
                sql: """
                    CREATE TABLE platform_settings (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        updated_by TEXT NOT NULL
                    );
                    CREATE TABLE invitations (
                        code_hash TEXT PRIMARY KEY,
                        created_by TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        used_at TEXT,
                        used_by INTEGER REFERENCES users(id) ON DELETE SET NULL
                    );
                    """)
        }
        // Users' optimisations and their reports: the web's write.
        migrator.registerMigration("v22-research") { db in
            try db.execute(
                sql: """
                    CREATE TABLE optimizations (
                        id TEXT PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        created_at TEXT NOT NULL,
                        finished_at TEXT,
                        status TEXT NOT NULL,
                        strategy TEXT NOT NULL,
                        symbol TEXT NOT NULL,
                        runner TEXT NOT NULL,
                        request TEXT NOT NULL,
                        report TEXT,
                        error TEXT
                    );
                    CREATE INDEX optimizations_user ON optimizations (user_id, created_at);
                    """)
        }
    }
}
