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
        return migrator
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
