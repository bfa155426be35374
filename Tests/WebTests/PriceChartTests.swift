import Common
import Foundation
import Testing

@testable import Web

/// The trading page's chart: drawn from the bot's fills and resting orders only, its prices
/// written to the symbol's tick, and an honest sentence when there is nothing to draw.
@Suite struct PriceChartTests {
    static let format = SymbolFormat(priceDecimals: 2, quantityDecimals: 5)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func fill(_ id: Int64, _ side: String, _ price: Decimal, at seconds: TimeInterval) -> BotFill {
        BotFill(
            symbol: "BTCUSDT", tradeID: id, orderID: id, clientOrderID: "c\(id)", side: side, price: price, qty: Decimal(string: "0.001")!,
            quoteQty: price / 1000, commission: 0, commissionAsset: "USDT", time: start.addingTimeInterval(seconds))
    }

    @Test func fillsAreMarkedAndRestingOrdersAreLevels() throws {
        let resting = OrderRecord(
            clientOrderID: "tp", orderID: 9, symbol: "BTCUSDT", side: "SELL", type: "LIMIT_MAKER", status: .new, price: 52_000,
            origQty: Decimal(string: "0.001")!,
            executedQty: 0, createdAt: Self.start, updatedAt: Self.start, reason: nil)
        let data = PriceChart.Data(
            symbol: "BTCUSDT", fills: [Self.fill(1, "BUY", 50_000, at: 0), Self.fill(2, "SELL", 51_000, at: 60)], resting: [resting], lastPrice: 50_500,
            now: Self.start.addingTimeInterval(120))
        let c = PriceChart.context(data, format: Self.format, zone: .gmt)
        let marks = try #require(c["marks"] as? [[String: Any]])
        #expect(marks.map { $0["class"] as? String } == ["buy", "sell"])
        #expect((marks[0]["title"] as? String)?.contains("0.00100 @ 50000.00") == true)
        let levels = try #require(c["levels"] as? [[String: Any]])
        #expect(levels.map { $0["label"] as? String } == ["52000.00", "last 50500.00"])
        let axis = try #require(c["axis"] as? [[String: Any]])
        #expect(axis.map { $0["label"] as? String } == ["50000.00"], "the lowest price drawn; the highest is the order's own label")
        #expect((c["caption"] as? String)?.contains("2 fills") == true)
        #expect(c["line"] != nil)
        #expect(c["empty"] == nil)
    }

    @Test func coordinatesAreWrittenWithoutStringFormat() {
        #expect(Charts.tenths(12.34) == "12.3")
        #expect(Charts.tenths(799.96) == "800.0")
        #expect(Charts.tenths(0.04) == "0.0")
        #expect(Charts.tenths(-2.25) == "-2.3")
        #expect(Charts.tenths(.nan) == "0")
    }

    @Test func nothingToDrawIsSaidNotInvented() {
        let c = PriceChart.context(PriceChart.Data(symbol: "ETHUSDT", fills: [], resting: [], lastPrice: nil, now: Self.start), format: .unknown, zone: .gmt)
        let empty = c["empty"] as? String ?? ""
        #expect(empty.contains("ETHUSDT") && empty.contains("not the market's candles"))
        #expect(!empty.contains { $0.isNumber }, "no figure where there is no data")
        #expect(c["marks"] == nil && c["levels"] == nil)
    }
}
