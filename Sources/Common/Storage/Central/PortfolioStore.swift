import Foundation
import GRDB

/// The last valuation a user's worker reported, as stored.
public struct StoredPortfolio: Sendable, Equatable {
    public let valuation: PortfolioValuation
    /// When the supervisor received it.
    public let receivedAt: Date

    public init(valuation: PortfolioValuation, receivedAt: Date) {
        self.valuation = valuation
        self.receivedAt = receivedAt
    }
}

/// Whether a user's worker reaches the exchange.
public struct StoredExchangeStatus: Sendable, Equatable {
    public let reachable: Bool
    /// Unreachable since (when not reachable).
    public let since: Date?
    public let reason: String?
    public let updatedAt: Date

    public init(reachable: Bool, since: Date?, reason: String?, updatedAt: Date) {
        self.reachable = reachable
        self.since = since
        self.reason = reason
        self.updatedAt = updatedAt
    }
}

/// `portfolios`, `exchange_status` and `equity_points`: written by the supervisor only, from the
/// reports of the worker it started for that user; read by the web.
public protocol PortfolioStore: Sendable {
    func save(_ valuation: PortfolioValuation, for user: UserID, at: Date) throws
    func portfolio(for user: UserID) throws -> StoredPortfolio?
    func saveExchangeStatus(reachable: Bool, since: Date?, reason: String?, for user: UserID, at: Date) throws
    func exchangeStatus(for user: UserID) throws -> StoredExchangeStatus?
    /// `bot`: the bot the point belongs to (the live account's bot, CONTRACT §9).
    func addEquity(time: Date, totalUSDT: Decimal, for user: UserID, bot: Int64?) throws
    /// Newest first, before `before` when given; `bot`: that bot's points only.
    func equity(for user: UserID, bot: Int64?, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)]
    /// Every point at or after `since` (all with `nil`), oldest first, thinned to at most
    /// `points` (the last point of each of that many equal time slices).
    func equity(for user: UserID, since: Date?, points: Int) throws -> [(time: Date, totalUSDT: Decimal)]
}

public struct SQLitePortfolioStore: PortfolioStore {
    let db: DatabasePool
    public init(_ db: DatabasePool) { self.db = db }

    public func save(_ valuation: PortfolioValuation, for user: UserID, at: Date) throws {
        let balances = valuation.lines.map(\.json)
        let balancesJSON = String(decoding: try JSONSerialization.data(withJSONObject: balances, options: [.sortedKeys]), as: UTF8.self)
        let unpricedJSON = String(decoding: try JSONSerialization.data(withJSONObject: valuation.unpriced), as: UTF8.self)
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO portfolios (user_id, total_usdt, unpriced, balances, balances_at, prices_at, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.rawValue, DecimalText.format(valuation.totalUSDT), unpricedJSON, balancesJSON, Timestamp.string(valuation.balancesAt),
                    Timestamp.string(valuation.pricesAt), Timestamp.string(at),
                ]
            )
        }
    }

    public func portfolio(for user: UserID) throws -> StoredPortfolio? {
        try db.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM portfolios WHERE user_id = ?"), arguments: [user.rawValue]) else { return nil }
            let text: String = row["balances"]
            let rows = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
            let lines = rows.compactMap { try? PortfolioValuation.Line(json: $0) }
            return StoredPortfolio(
                valuation: PortfolioValuation(
                    lines: lines, balancesAt: Timestamp.date(row["balances_at"]) ?? .distantPast, pricesAt: Timestamp.date(row["prices_at"]) ?? .distantPast
                ),
                receivedAt: Timestamp.date(row["received_at"]) ?? .distantPast
            )
        }
    }

    public func saveExchangeStatus(reachable: Bool, since: Date?, reason: String?, for user: UserID, at: Date) throws {
        try db.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO exchange_status (user_id, reachable, since, reason, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.rawValue, reachable, since.map(Timestamp.string), reason, Timestamp.string(at)]
            )
        }
    }

    public func exchangeStatus(for user: UserID) throws -> StoredExchangeStatus? {
        try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM exchange_status WHERE user_id = ?"), arguments: [user.rawValue]).map { row in
                StoredExchangeStatus(
                    reachable: row["reachable"], since: (row["since"] as String?).flatMap(Timestamp.date), reason: row["reason"],
                    updatedAt: Timestamp.date(row["updated_at"]) ?? .distantPast
                )
            }
        }
    }

    public func addEquity(time: Date, totalUSDT: Decimal, for user: UserID, bot: Int64?) throws {
        try db.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO equity_points (user_id, time, total_usdt, bot_id) VALUES (?, ?, ?, ?)",
                arguments: [user.rawValue, Timestamp.string(time), DecimalText.format(totalUSDT), bot]
            )
        }
    }

    public func equity(for user: UserID, bot: Int64?, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] {
        try db.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT time, total_usdt FROM equity_points WHERE user_id = ? AND (? IS NULL OR bot_id = ?) AND time < ? ORDER BY time DESC LIMIT ?"),
                arguments: [user.rawValue, bot, bot, Timestamp.string(before ?? .distantFuture), limit]
            ).compactMap { row in
                guard let time = Timestamp.date(row["time"]), let total = DecimalText.parse(row["total_usdt"]) else { return nil }
                return (time, total)
            }
        }
    }

    public func equity(for user: UserID, since: Date?, points: Int) throws -> [(time: Date, totalUSDT: Decimal)] {
        try db.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT time, total_usdt FROM equity_points WHERE user_id = ? AND time >= ? ORDER BY time"),
                arguments: [user.rawValue, Timestamp.string(since ?? .distantPast)]
            ).compactMap { row -> (time: Date, totalUSDT: Decimal)? in
                guard let time = Timestamp.date(row["time"]), let total = DecimalText.parse(row["total_usdt"]) else { return nil }
                return (time, total)
            }
            return EquityThinning.thinned(rows, to: points)
        }
    }
}

/// How every store thins an equity series to a chart's `points`: the last point of each of
/// `points` equal time slices (one function, so that the backends answer alike).
public enum EquityThinning {
    public static func thinned(_ rows: [(time: Date, totalUSDT: Decimal)], to points: Int) -> [(time: Date, totalUSDT: Decimal)] {
        guard rows.count > points, points > 1, let first = rows.first?.time, let last = rows.last?.time else { return rows }
        let slice = max(last.timeIntervalSince(first) / Double(points), 1e-9)
        var thinned: [(time: Date, totalUSDT: Decimal)] = []
        for row in rows {
            let bucket = Int(row.time.timeIntervalSince(first) / slice)
            if let previous = thinned.last, Int(previous.time.timeIntervalSince(first) / slice) == bucket {
                thinned[thinned.count - 1] = row
            } else {
                thinned.append(row)
            }
        }
        return thinned
    }
}
