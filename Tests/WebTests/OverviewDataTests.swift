import Common
import Foundation
import Testing

@testable import Web

/// The overview's realised PnL today, this week and in all: the same figures `/reports` gives
/// (PnLReport), split at the reader's midnight and Monday.
@Suite struct OverviewDataTests {
    static func fill(_ id: Int64, _ side: String, _ price: Decimal, _ qty: Decimal, _ time: String) -> BotFill {
        BotFill(
            symbol: "BTCUSDT", tradeID: id, orderID: id, clientOrderID: "c\(id)", side: side, price: price, qty: qty, quoteQty: price * qty,
            commission: 0, commissionAsset: "USDT", time: Timestamp.date(time)!)
    }

    @Test func realisedTodayThisWeekAndInAll() throws {
        let seoul = try #require(TimeZone(identifier: "Asia/Seoul"))
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = seoul
        // Wednesday 2026-12-02 10:00 in Seoul.
        let now = try #require(Timestamp.date("2026-12-02T01:00:00Z"))
        let fills = [
            Self.fill(1, "BUY", 100, 1, "2026-11-20T01:00:00Z"),  // an older week
            Self.fill(2, "SELL", 110, 0.5, "2026-11-21T01:00:00Z"),  // +5, older week
            Self.fill(3, "SELL", 90, 0.25, "2026-11-30T16:00:00Z"),  // −2.5 on Tuesday 01:00 in Seoul: this week
            Self.fill(4, "SELL", 120, 0.25, "2026-12-01T15:30:00Z"),  // +5 at 00:30 in Seoul on Wednesday: today
        ]
        let pnl = OverviewData.realised(fills, now: now, calendar: calendar)
        #expect(pnl.today == 5)
        #expect(pnl.week == 2.5)
        #expect(pnl.all == 7.5)
        #expect(pnl.sales == 3)
    }

    @Test func noSaleToday() throws {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = .gmt
        let now = try #require(Timestamp.date("2026-12-02T12:00:00Z"))
        let pnl = OverviewData.realised([Self.fill(1, "BUY", 100, 1, "2026-12-02T11:00:00Z")], now: now, calendar: calendar)
        #expect(pnl == OverviewData.RealisedPnL(today: 0, week: 0, all: 0, sales: 0))
    }
}
