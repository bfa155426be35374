import Common
import Foundation
import PostgresNIO

/// The `PortfolioStore` on PostgreSQL. Every write is one upsert on the row's key (the user, or
/// the user and the millisecond of an equity point), so supervisors on several hosts may write
/// at once and the last write wins, as SQLite's `INSERT OR REPLACE` did.
public struct PostgresPortfolioStore: PortfolioStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    public func save(_ valuation: PortfolioValuation, for user: UserID, at: Date) throws {
        // The same JSON text as SQLite's, byte for byte: the copy tool moves it as it is.
        let balances = String(decoding: try JSONSerialization.data(withJSONObject: valuation.lines.map(\.json), options: [.sortedKeys]), as: UTF8.self)
        let unpriced = String(decoding: try JSONSerialization.data(withJSONObject: valuation.unpriced), as: UTF8.self)
        try db.execute(
            """
            INSERT INTO portfolios (user_id, total_usdt, unpriced, balances, balances_at, prices_at, received_at)
            VALUES (\(user.rawValue), \(PostgresValues.amount(valuation.totalUSDT))::numeric, \(unpriced), \(balances),
                \(PostgresValues.time(valuation.balancesAt)), \(PostgresValues.time(valuation.pricesAt)), \(PostgresValues.time(at)))
            ON CONFLICT (user_id) DO UPDATE SET total_usdt = excluded.total_usdt, unpriced = excluded.unpriced, balances = excluded.balances,
                balances_at = excluded.balances_at, prices_at = excluded.prices_at, received_at = excluded.received_at
            """
        )
    }

    public func portfolio(for user: UserID) throws -> StoredPortfolio? {
        guard let row = try db.query("SELECT balances, balances_at, prices_at, received_at FROM portfolios WHERE user_id = \(user.rawValue)").first else {
            return nil
        }
        let (text, balancesAt, pricesAt, receivedAt) = try row.decode((String, Date, Date, Date).self)
        // As SQLite's store: the lines are read back from their JSON, a line it cannot read left out.
        let rows = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
        let lines = rows.compactMap { try? PortfolioValuation.Line(json: $0) }
        return StoredPortfolio(
            valuation: PortfolioValuation(lines: lines, balancesAt: PostgresValues.readTime(balancesAt), pricesAt: PostgresValues.readTime(pricesAt)),
            receivedAt: PostgresValues.readTime(receivedAt)
        )
    }

    public func saveExchangeStatus(reachable: Bool, since: Date?, reason: String?, for user: UserID, at: Date) throws {
        try db.execute(
            """
            INSERT INTO exchange_status (user_id, reachable, since, reason, updated_at)
            VALUES (\(user.rawValue), \(reachable), \(since.map(PostgresValues.time)), \(reason), \(PostgresValues.time(at)))
            ON CONFLICT (user_id) DO UPDATE SET reachable = excluded.reachable, since = excluded.since, reason = excluded.reason,
                updated_at = excluded.updated_at
            """
        )
    }

    public func exchangeStatus(for user: UserID) throws -> StoredExchangeStatus? {
        try db.query("SELECT reachable, since, reason, updated_at FROM exchange_status WHERE user_id = \(user.rawValue)").first.map { row in
            let (reachable, since, reason, updatedAt) = try row.decode((Bool, Date?, String?, Date).self)
            return StoredExchangeStatus(
                reachable: reachable, since: since.map(PostgresValues.readTime), reason: reason, updatedAt: PostgresValues.readTime(updatedAt)
            )
        }
    }

    /// A second point in the same millisecond replaces the first (SQLite's key is the time text).
    public func addEquity(time: Date, totalUSDT: Decimal, for user: UserID, bot: Int64?) throws {
        try db.execute(
            """
            INSERT INTO equity_points (user_id, time, total_usdt, bot_id)
            VALUES (\(user.rawValue), \(PostgresValues.time(time)), \(PostgresValues.amount(totalUSDT))::numeric, \(bot))
            ON CONFLICT (user_id, time) DO UPDATE SET total_usdt = excluded.total_usdt, bot_id = excluded.bot_id
            """
        )
    }

    public func equity(for user: UserID, bot: Int64?, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] {
        try db.query(
            """
            SELECT time, total_usdt::text FROM equity_points
            WHERE user_id = \(user.rawValue) AND (\(bot)::bigint IS NULL OR bot_id = \(bot))
                AND (\(before.map(PostgresValues.time))::timestamptz IS NULL OR time < \(before.map(PostgresValues.time)))
            ORDER BY time DESC LIMIT \(PostgresValues.limit(limit))
            """
        ).map(Self.point)
    }

    public func equity(for user: UserID, since: Date?, points: Int) throws -> [(time: Date, totalUSDT: Decimal)] {
        let rows = try db.query(
            """
            SELECT time, total_usdt::text FROM equity_points
            WHERE user_id = \(user.rawValue) AND (\(since.map(PostgresValues.time))::timestamptz IS NULL OR time >= \(since.map(PostgresValues.time)))
            ORDER BY time
            """
        ).map(Self.point)
        return EquityThinning.thinned(rows, to: points)
    }

    static func point(_ row: PostgresRow) throws -> (time: Date, totalUSDT: Decimal) {
        let (time, total) = try row.decode((Date, String).self)
        return (PostgresValues.readTime(time), try PostgresValues.readAmount(total))
    }
}
