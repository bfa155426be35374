import Common
import Foundation

/// `GET /api/v1/reports`: PnL per day, week or month from the user's fills, newest first.
struct ReportResponse: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let start: Date
        let realizedPnlUsdt: String
        let feesUsdt: String
        let trades: Int
        let wins: Int
        /// null without a trade in the period.
        @Nullable var winRate: Double?

        init(_ row: PnLReport.Row) {
            start = row.start
            realizedPnlUsdt = DecimalText.format(row.realizedPnL)
            feesUsdt = DecimalText.format(row.fees)
            trades = row.trades
            wins = row.wins
            winRate = row.winRate
        }
    }

    let period: String
    let items: [Row]
}
