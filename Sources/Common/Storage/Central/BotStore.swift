import Foundation
import GRDB

/// `bots` (written by the web): a user's bots, oldest first. The settings of CONTRACT §6
/// (`GET`/`PUT /api/v1/settings`, and what a worker is given at its start) are the first bot's,
/// so there is one source of truth for them.
public protocol BotStore: Sendable {
    func bots(for user: UserID) throws -> [BotRecord]
    /// The id of the user's first bot (the worker's), without reading any definition: what the
    /// supervisor tags the worker's reported rows with.
    func firstBotID(for user: UserID) throws -> Int64?
    /// A live grid or DCA bot's value over time (`bot_equity`, the supervisor's write from the
    /// worker's statuses): a point only for the user's own bot, and none within `every` seconds
    /// of its last.
    func addBotEquity(_ value: Decimal, bot: Int64, for user: UserID, at: Date, every: TimeInterval) throws
    /// Newest first, before `before` when given.
    func botEquity(_ bot: Int64, for user: UserID, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)]
    /// The bot the worker's trader runs (its rows are that bot's): the user's first bot when it is
    /// a `sma_cross` or `ml` bot; nil when the first is a grid or DCA bot (those run on their own).
    func traderBotID(for user: UserID) throws -> Int64?
    /// The user's live grid and DCA bots: the only bots a worker may name as its rows' owner.
    func liveHostedBotIDs(for user: UserID) throws -> Set<Int64>
    func bot(_ id: Int64, for user: UserID) throws -> BotRecord?
    /// Refused with the reason (``BotLimits``) over the limit or on a name the user already gave
    /// another bot; the check and the insert are one transaction.
    func createBot(_ definition: BotDefinition, for user: UserID, limits: BotLimits, at: Date) throws -> BotRecord
    /// nil when the user has no such bot; refused on a name another of the user's bots has.
    func updateBot(_ id: Int64, _ definition: BotDefinition, for user: UserID, at: Date) throws -> BotRecord?
    /// `false` when the user has no such bot.
    func deleteBot(_ id: Int64, for user: UserID) throws -> Bool
    /// Records whether the owner wants a bot running, and when they said so; `false` when the
    /// user has no such bot.
    func setWanted(_ id: Int64, _ wanted: Bool, for user: UserID, at: Date) throws -> Bool
    /// The users with a paper grid or DCA bot they want running, or one the worker still reports
    /// running (its stop not carried out yet): they need a worker even without an exchange key.
    func usersWithWantedPaperBots() throws -> Set<UserID>
    /// Stores what a bot the worker runs is doing (`bot_status`, the supervisor's write);
    /// `false`, nothing stored, when the bot is not the user's.
    func saveStatus(_ status: BotRunStatus, for user: UserID, at: Date) throws -> Bool
    /// The latest status of each of the user's bots the worker has run, by bot id.
    func statuses(for user: UserID) throws -> [Int64: BotRunStatus]
}

extension BotStore {
    /// The first bot's settings; nil when the user has no bot or the first one is a grid or DCA.
    public func settings(for user: UserID) throws -> BotSettings? {
        guard let first = try bots(for: user).first, case .signals(let settings) = first.definition.plan else { return nil }
        return settings
    }

    /// Changes the first bot's settings (its name, mode and allocation stay), or makes the first
    /// bot from them when the user has none. Refused when the first bot is a grid or DCA bot.
    public func saveSettings(_ settings: BotSettings, for user: UserID, at: Date) throws {
        guard var first = try bots(for: user).first else {
            _ = try createBot(.first(from: settings), for: user, limits: BotLimits(maxPerUser: 1), at: at)
            return
        }
        guard case .signals = first.definition.plan else {
            throw SettingsError(field: "settings", "belong to a sma_cross or ml bot; your first bot is a \(first.definition.strategyName) bot (change it at /api/v1/bots/\(first.id))")
        }
        first.definition.plan = .signals(settings)
        _ = try updateBot(first.id, first.definition, for: user, at: at)
    }
}

public struct SQLiteBotStore: BotStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func bots(for user: UserID) throws -> [BotRecord] {
        try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM bots WHERE user_id = ? ORDER BY id"), arguments: [user.rawValue]).map(Self.record)
        }
    }

    public func firstBotID(for user: UserID) throws -> Int64? {
        try db.read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(id) FROM bots WHERE user_id = ?"), arguments: [user.rawValue]) }
    }

    public func addBotEquity(_ value: Decimal, bot: Int64, for user: UserID, at: Date, every: TimeInterval) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO bot_equity (bot_id, user_id, time, value_usdt) SELECT id, user_id, ?, ? FROM bots WHERE id = ? AND user_id = ?
                      AND NOT EXISTS (SELECT 1 FROM bot_equity WHERE bot_id = ? AND time > ?)
                    """,
                arguments: [Timestamp.string(at), DecimalText.format(value), bot, user.rawValue, bot, Timestamp.string(at.addingTimeInterval(-every))])
        }
    }

    public func botEquity(_ bot: Int64, for user: UserID, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] {
        try db.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT time, value_usdt FROM bot_equity WHERE bot_id = ? AND user_id = ? AND time < ? ORDER BY time DESC LIMIT ?"),
                arguments: [bot, user.rawValue, Timestamp.string(before ?? .distantFuture), limit]
            ).compactMap { row in
                guard let time = Timestamp.date(row["time"]), let value = DecimalText.parse(row["value_usdt"]) else { return nil }
                return (time, value)
            }
        }
    }

    public func traderBotID(for user: UserID) throws -> Int64? {
        try db.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, strategy FROM bots WHERE user_id = ? ORDER BY id LIMIT 1"), arguments: [user.rawValue])
            guard let row, !BotRecord.hostedStrategies.contains(row["strategy"] as String) else { return nil }
            return row["id"]
        }
    }

    public func liveHostedBotIDs(for user: UserID) throws -> Set<Int64> {
        try db.read { db in
            Set(try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM bots WHERE user_id = ? AND mode = 'live' AND strategy IN ('grid', 'dca', 'signal')"), arguments: [user.rawValue]))
        }
    }

    public func bot(_ id: Int64, for user: UserID) throws -> BotRecord? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM bots WHERE id = ? AND user_id = ?"), arguments: [id, user.rawValue]).map(Self.record)
        }
    }

    public func createBot(_ definition: BotDefinition, for user: UserID, limits: BotLimits, at: Date) throws -> BotRecord {
        try db.write { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM bots WHERE user_id = ?", arguments: [user.rawValue])
            if let refusal = limits.refusal(adding: definition.name, to: names) { throw refusal }
            try Self.insert(definition, user: user, at: at, in: db)
            return BotRecord(id: db.lastInsertedRowID, definition: definition, createdAt: at, updatedAt: at)
        }
    }

    public func updateBot(_ id: Int64, _ definition: BotDefinition, for user: UserID, at: Date) throws -> BotRecord? {
        try db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM bots WHERE id = ? AND user_id = ?", arguments: [id, user.rawValue]) else { return nil }
            let others = try String.fetchAll(db, sql: "SELECT name FROM bots WHERE user_id = ? AND id != ?", arguments: [user.rawValue, id])
            if let refusal = BotLimits(maxPerUser: .max).refusal(adding: definition.name, to: others) { throw refusal }
            try db.execute(
                sql: "UPDATE bots SET name = ?, mode = ?, strategy = ?, definition = ?, updated_at = ? WHERE id = ?",
                arguments: [definition.name, definition.mode.rawValue, definition.strategyName, Self.json(definition), Timestamp.string(at), id]
            )
            var record = try Self.record(row)
            record.definition = definition
            record.updatedAt = at
            return record
        }
    }

    public func deleteBot(_ id: Int64, for user: UserID) throws -> Bool {
        try db.write { db in
            try db.execute(sql: "DELETE FROM bots WHERE id = ? AND user_id = ?", arguments: [id, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func setWanted(_ id: Int64, _ wanted: Bool, for user: UserID, at: Date) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: "UPDATE bots SET run_wanted = ?, run_wanted_at = ? WHERE id = ? AND user_id = ?", arguments: [wanted, Timestamp.string(at), id, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func usersWithWantedPaperBots() throws -> Set<UserID> {
        try db.read { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT bots.user_id FROM bots LEFT JOIN bot_status ON bot_status.bot_id = bots.id
                    WHERE bots.mode = 'paper' AND bots.strategy IN ('grid', 'dca', 'signal')
                      AND (bots.run_wanted = 1 OR json_extract(bot_status.status, '$.state') IN ('running', 'starting'))
                    """)
            return Set(ids.map { UserID($0) })
        }
    }

    public func saveStatus(_ status: BotRunStatus, for user: UserID, at: Date) throws -> Bool {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO bot_status (bot_id, user_id, status, updated_at) SELECT id, user_id, ?, ? FROM bots WHERE id = ? AND user_id = ?
                    ON CONFLICT(bot_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                    """,
                arguments: [status.encoded(), Timestamp.string(at), status.botID, user.rawValue])
            return db.changesCount > 0
        }
    }

    public func statuses(for user: UserID) throws -> [Int64: BotRunStatus] {
        try db.read { db in
            var statuses: [Int64: BotRunStatus] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT bot_id, status FROM bot_status WHERE user_id = ?"), arguments: [user.rawValue]) {
                // A row that no longer reads is left out: the bot shows no status rather than a guess.
                if let status = try? BotRunStatus.decode(row["status"]) { statuses[row["bot_id"]] = status }
            }
            return statuses
        }
    }

    /// Also the upgrade's writer (``CentralSchema``'s `v10-bots`).
    static func insert(_ definition: BotDefinition, user: UserID, at: Date, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO bots (user_id, name, mode, strategy, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [user.rawValue, definition.name, definition.mode.rawValue, definition.strategyName, json(definition), Timestamp.string(at), Timestamp.string(at)]
        )
    }

    static func json(_ definition: BotDefinition) -> String { String(decoding: definition.encoded(), as: UTF8.self) }

    /// A stored row. Its definition was checked by the same code when it was written: one that
    /// no longer reads is damage to report with its row, never a bot to guess at.
    static func record(_ row: Row) throws -> BotRecord {
        let text: String = row["definition"]
        let definition: BotDefinition
        do {
            definition = try BotDefinition.decode(Data(text.utf8))
        } catch {
            throw StorageError.damaged("central.sqlite (bot \(row["id"] as Int64))", "\(error)")
        }
        return BotRecord(
            id: row["id"], definition: definition, createdAt: Timestamp.date(row["created_at"]) ?? .distantPast,
            updatedAt: Timestamp.date(row["updated_at"]) ?? .distantPast, wanted: row["run_wanted"] ?? false,
            wantedAt: (row["run_wanted_at"] as String?).flatMap(Timestamp.date)
        )
    }
}
