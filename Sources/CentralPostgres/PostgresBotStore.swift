import Common
import Foundation
import PostgresNIO

/// The `BotStore` on PostgreSQL: a user's bots (this file), and what the worker runs of them
/// (`PostgresBotStore+Runs.swift`).
///
/// Several web hosts may create and rename one user's bots at once, where SQLite had one writer:
/// every write that checks the limit or the names first takes a transaction lock of that user's
/// (``userLock``), so the check and the write are one step for that user as they were on SQLite.
public struct PostgresBotStore: BotStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    /// The columns ``record(_:)`` reads, in its order.
    static let columns = "id, definition, created_at, updated_at, run_wanted, run_wanted_at"

    public func bots(for user: UserID) throws -> [BotRecord] {
        try db.query("SELECT \(unescaped: Self.columns) FROM bots WHERE user_id = \(user.rawValue) ORDER BY id").map(record)
    }

    public func firstBotID(for user: UserID) throws -> Int64? {
        try db.query("SELECT MIN(id) FROM bots WHERE user_id = \(user.rawValue)").first?.decode(Int64?.self) ?? nil
    }

    public func bot(_ id: Int64, for user: UserID) throws -> BotRecord? {
        try db.query("SELECT \(unescaped: Self.columns) FROM bots WHERE id = \(id) AND user_id = \(user.rawValue)").first.map(record)
    }

    public func createBot(_ definition: BotDefinition, for user: UserID, limits: BotLimits, at: Date) throws -> BotRecord {
        try db.transaction { tx in
            try Self.lock(user, in: tx)
            let names = try tx.query("SELECT name FROM bots WHERE user_id = \(user.rawValue)").map { try $0.decode(String.self) }
            if let refusal = limits.refusal(adding: definition.name, to: names) { throw refusal }
            let rows = try tx.query(
                """
                INSERT INTO bots (user_id, name, mode, strategy, definition, created_at, updated_at)
                VALUES (\(user.rawValue), \(definition.name), \(definition.mode.rawValue), \(definition.strategyName), \(Self.json(definition)),
                        \(PostgresValues.time(at)), \(PostgresValues.time(at)))
                RETURNING id
                """)
            // The time as given, as SQLite's store answers (the stored one is floored to the ms).
            return BotRecord(id: try rows[0].decode(Int64.self), definition: definition, createdAt: at, updatedAt: at)
        }
    }

    public func updateBot(_ id: Int64, _ definition: BotDefinition, for user: UserID, at: Date) throws -> BotRecord? {
        try db.transaction { tx in
            try Self.lock(user, in: tx)
            guard let row = try tx.query("SELECT \(unescaped: Self.columns) FROM bots WHERE id = \(id) AND user_id = \(user.rawValue)").first else {
                return nil
            }
            let others = try tx.query("SELECT name FROM bots WHERE user_id = \(user.rawValue) AND id != \(id)").map { try $0.decode(String.self) }
            if let refusal = BotLimits(maxPerUser: .max).refusal(adding: definition.name, to: others) { throw refusal }
            try tx.execute(
                """
                UPDATE bots SET name = \(definition.name), mode = \(definition.mode.rawValue), strategy = \(definition.strategyName),
                    definition = \(Self.json(definition)), updated_at = \(PostgresValues.time(at))
                WHERE id = \(id)
                """)
            // Read from the row as it was, as SQLite's store does: a stored definition that no
            // longer reads is reported, not overwritten silently.
            var record = try record(row)
            record.definition = definition
            record.updatedAt = at
            return record
        }
    }

    public func deleteBot(_ id: Int64, for user: UserID) throws -> Bool {
        try db.execute("DELETE FROM bots WHERE id = \(id) AND user_id = \(user.rawValue)") > 0
    }

    /// The transaction lock of a user's bot list. The two-key form keeps clear of the other
    /// stores' single-key locks; a user id past 32 bits shares its key with another user's,
    /// which only makes the two wait for each other.
    static func lock(_ user: UserID, in tx: PostgresTransaction) throws {
        try tx.execute("SELECT pg_advisory_xact_lock(\(userLock), \(Int32(truncatingIfNeeded: user.rawValue)))")
    }

    /// "bots": the first key of ``lock(_:in:)``.
    static let userLock: Int32 = 0x626f_7473

    static func json(_ definition: BotDefinition) -> String { String(decoding: definition.encoded(), as: UTF8.self) }

    /// A stored row (``columns``). Its definition was checked by the same code when it was
    /// written: one that no longer reads is damage to report with its row, never a bot to guess at.
    func record(_ row: PostgresRow) throws -> BotRecord {
        let (id, text, created, updated, wanted, wantedAt) = try row.decode((Int64, String, Date, Date, Bool, Date?).self)
        let definition: BotDefinition
        do {
            definition = try BotDefinition.decode(Data(text.utf8))
        } catch {
            throw StorageError.damaged("\(db.location) (bot \(id))", "\(error)")
        }
        return BotRecord(
            id: id, definition: definition, createdAt: PostgresValues.readTime(created), updatedAt: PostgresValues.readTime(updated), wanted: wanted,
            wantedAt: wantedAt.map(PostgresValues.readTime))
    }
}
