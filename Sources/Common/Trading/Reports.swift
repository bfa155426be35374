import Foundation

/// PnL reports from the bot's real fills: per day, week or month (in the user's time zone), the
/// PnL realised by sales (against the average entry, fees included), the fees paid in USDT, and
/// the sales that realised a gain or a loss.
public enum PnLReport {
    public enum Period: String, Sendable, CaseIterable {
        case day, week, month
    }

    public struct Row: Sendable, Equatable {
        public let start: Date
        public var realizedPnL: Decimal = 0
        public var fees: Decimal = 0
        public var trades = 0
        public var wins = 0
        public var winRate: Double? { trades > 0 ? Double(wins) / Double(trades) : nil }
    }

    /// Rows from the oldest period with a fill to the newest; fills in any order.
    public static func rows(_ fills: [BotFill], period: Period, timeZone: TimeZone) -> [Row] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        var positions: [String: BotPosition] = [:]
        var rows: [Date: Row] = [:]
        for fill in fills.sorted(by: { ($0.time, $0.tradeID) < ($1.time, $1.tradeID) }) {
            let start = Self.start(of: fill.time, period, calendar)
            var row = rows[start] ?? Row(start: start)
            var position = positions[fill.symbol] ?? BotPosition(symbol: fill.symbol)
            let realized = position.apply(fill)
            positions[fill.symbol] = position
            row.fees += fill.commissionAsset == "USDT" ? fill.commission : fill.commissionAsset == position.baseAsset ? fill.commission * fill.price : 0
            if fill.side == "SELL" {
                row.realizedPnL += realized
                row.trades += 1
                if realized > 0 { row.wins += 1 }
            }
            rows[start] = row
        }
        return rows.values.sorted { $0.start < $1.start }
    }

    static func start(of date: Date, _ period: Period, _ calendar: Calendar) -> Date {
        switch period {
        case .day: calendar.startOfDay(for: date)
        case .week: calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? calendar.startOfDay(for: date)
        case .month: calendar.dateInterval(of: .month, for: date)?.start ?? calendar.startOfDay(for: date)
        }
    }

    public static func csv(_ rows: [Row], period: Period) -> String {
        var text = "period,start,realized_pnl_usdt,fees_usdt,trades,wins,win_rate\n"
        for row in rows {
            text += "\(period.rawValue),\(Timestamp.string(row.start)),\(DecimalText.format(row.realizedPnL)),\(DecimalText.format(row.fees)),"
            text += "\(row.trades),\(row.wins),\(row.winRate.map { String(format: "%.4f", $0) } ?? "")\n"
        }
        return text
    }
}
