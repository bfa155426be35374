import Common
import Foundation
import PostgresNIO

/// What the worker runs of a user's bots: which bot the trader runs, which grid and DCA bots it
/// hosts, whether their owner wants them running, their statuses and their value over time.
extension PostgresBotStore {
    public func traderBotID(for user: UserID) throws -> Int64? {
        guard let row = try db.query("SELECT id, strategy FROM bots WHERE user_id = \(user.rawValue) ORDER BY id LIMIT 1").first else { return nil }
        let (id, strategy) = try row.decode((Int64, String).self)
        return Self.hostedStrategies.contains(strategy) ? nil : id
    }

    public func liveHostedBotIDs(for user: UserID) throws -> Set<Int64> {
        let rows = try db.query("SELECT id FROM bots WHERE user_id = \(user.rawValue) AND mode = 'live' AND strategy IN ('grid', 'dca', 'signal')")
        return Set(try rows.map { try $0.decode(Int64.self) })
    }

    public func setWanted(_ id: Int64, _ wanted: Bool, for user: UserID, at: Date) throws -> Bool {
        try db.execute(
            "UPDATE bots SET run_wanted = \(wanted), run_wanted_at = \(PostgresValues.time(at)) WHERE id = \(id) AND user_id = \(user.rawValue)") > 0
    }

    public func usersWithWantedPaperBots() throws -> Set<UserID> {
        let rows = try db.query(
            """
            SELECT DISTINCT bots.user_id FROM bots LEFT JOIN bot_status ON bot_status.bot_id = bots.id
            WHERE bots.mode = 'paper' AND bots.strategy IN ('grid', 'dca', 'signal')
              AND (bots.run_wanted OR bot_status.status::json ->> 'state' IN ('running', 'starting'))
            """)
        return Set(try rows.map { UserID(try $0.decode(Int64.self)) })
    }

    public func saveStatus(_ status: BotRunStatus, for user: UserID, at: Date) throws -> Bool {
        try db.execute(
            """
            INSERT INTO bot_status (bot_id, user_id, status, updated_at)
            SELECT id, user_id, \(status.encoded()), \(PostgresValues.time(at)) FROM bots WHERE id = \(status.botID) AND user_id = \(user.rawValue)
            ON CONFLICT (bot_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
            """) > 0
    }

    public func statuses(for user: UserID) throws -> [Int64: BotRunStatus] {
        var statuses: [Int64: BotRunStatus] = [:]
        for row in try db.query("SELECT bot_id, status FROM bot_status WHERE user_id = \(user.rawValue)") {
            let (bot, text) = try row.decode((Int64, String).self)
            // A row that no longer reads is left out: the bot shows no status rather than a guess.
            if let status = try? BotRunStatus.decode(text) { statuses[bot] = status }
        }
        return statuses
    }

    /// The point and the check for one within `every` seconds are one step for that bot: two
    /// supervisors' reports at once would otherwise both find none and both add theirs.
    public func addBotEquity(_ value: Decimal, bot: Int64, for user: UserID, at: Date, every: TimeInterval) throws {
        try db.transaction { tx in
            try tx.execute("SELECT pg_advisory_xact_lock(\(Self.equityLock), \(Int32(truncatingIfNeeded: bot)))")
            // A statement of its own after the lock: in READ COMMITTED it sees the point that
            // the transaction it waited for committed. The value as SQLite's store writes it
            // (``DecimalText/format(_:places:)``, 8 decimals half-even), so both read back alike.
            try tx.execute(
                """
                INSERT INTO bot_equity (bot_id, user_id, time, value_usdt)
                SELECT id, user_id, \(PostgresValues.time(at)), \(PostgresValues.amount(value))::numeric FROM bots WHERE id = \(bot) AND user_id = \(user.rawValue)
                  AND NOT EXISTS (SELECT 1 FROM bot_equity WHERE bot_id = \(bot) AND time > \(PostgresValues.time(at.addingTimeInterval(-every))))
                ON CONFLICT (bot_id, time) DO NOTHING
                """)
        }
    }

    public func botEquity(_ bot: Int64, for user: UserID, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] {
        let rows = try db.query(
            """
            SELECT time, value_usdt::text FROM bot_equity
            WHERE bot_id = \(bot) AND user_id = \(user.rawValue) AND time < \(PostgresValues.time(before ?? .distantFuture))
            ORDER BY time DESC LIMIT \(Int64(limit))
            """)
        return try rows.map { row in
            let (time, value) = try row.decode((Date, String).self)
            return (PostgresValues.readTime(time), try PostgresValues.readAmount(value))
        }
    }

    /// "bteq": the first key of the lock of a bot's equity points.
    static let equityLock: Int32 = 0x6274_6571

    /// The strategies the worker hosts as bots of their own (``BotRecord/isHosted``).
    static let hostedStrategies = BotRecord.hostedStrategies
}
