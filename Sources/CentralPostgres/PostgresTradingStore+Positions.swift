import Common
import Foundation
import PostgresNIO

/// Positions, the day's PnL and signals, read as SQLite's store reads them: a stored JSON that
/// no longer parses is left out, not an error.
extension PostgresTradingStore {
    /// By symbol (byte order); two bots' positions in one symbol go by bot, no bot first, the
    /// order SQLite's stable sort keeps from its `(user_id, IFNULL(bot_id, 0), symbol)` index.
    public func positions(for user: UserID) throws -> [PositionRecord] {
        try db.query("SELECT position, bot_id FROM positions WHERE user_id = \(user.rawValue) ORDER BY symbol, COALESCE(bot_id, 0)").compactMap { row in
            let (text, botID) = try row.decode((String, Int64?).self)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any], var position = try? PositionRecord(json: object)
            else { return nil }
            position.botID = botID
            return position
        }
    }

    public func todayPnL(for user: UserID) throws -> (value: Decimal?, updatedAt: Date)? {
        try db.query("SELECT today_pnl_usdt::text, updated_at FROM bot_summary WHERE user_id = \(user.rawValue)").first.map { row in
            let (value, updatedAt) = try row.decode((String?, Date).self)
            return (try value.map(PostgresValues.readAmount), PostgresValues.readTime(updatedAt))
        }
    }

    public func signals(for user: UserID, bot: Int64?, symbol: String?, before: Date?, limit: Int) throws -> [SignalRecord] {
        let before = before.map(PostgresValues.time)
        return try db.query(
            """
            SELECT signal, bot_id FROM signals
            WHERE user_id = \(user.rawValue) AND (\(symbol)::text IS NULL OR symbol = \(symbol)) AND (\(bot)::bigint IS NULL OR bot_id = \(bot))
                AND (\(before)::timestamptz IS NULL OR time < \(before))
            ORDER BY time DESC, id DESC LIMIT \(PostgresValues.limit(limit))
            """
        ).compactMap { row in try Self.signal(row.decode((String, Int64?).self)) }
    }

    public func signals(for user: UserID, recordedAfter id: Int64, limit: Int) throws -> [(id: Int64, signal: SignalRecord)] {
        try db.query(
            """
            SELECT id, signal, bot_id FROM signals WHERE user_id = \(user.rawValue) AND id > \(id) ORDER BY id LIMIT \(PostgresValues.limit(limit))
            """
        ).compactMap { row in
            let (id, text, botID) = try row.decode((Int64, String, Int64?).self)
            return Self.signal((text, botID)).map { (id: id, signal: $0) }
        }
    }

    public func lastSignalID(for user: UserID) throws -> Int64 {
        try db.query("SELECT max(id) FROM signals WHERE user_id = \(user.rawValue)").first?.decode(Int64?.self) ?? 0
    }

    /// A signal's stored JSON and its bot.
    static func signal(_ row: (text: String, botID: Int64?)) -> SignalRecord? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(row.text.utf8))) as? [String: Any], var signal = try? SignalRecord(json: object)
        else { return nil }
        signal.botID = row.botID
        return signal
    }
}
