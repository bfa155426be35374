import Common
import Foundation
import Testing

@Suite struct GridBacktestTests {
    func candle(_ minute: Int64, _ open: Double, _ high: Double, _ low: Double, _ close: Double) -> StrategyCandle {
        StrategyCandle(openTime: minute * 60_000, open: open, high: high, low: low, close: close, volume: 1, closeTime: minute * 60_000 + 59_999)
    }

    func plan(stop: String? = nil) throws -> GridPlan {
        try GridPlan.make(grid("100", "200", levels: 5, stop: stop), filters: gridFilters, price: 160, makerFee: makerFee, freeQuote: 1_000, allocation: nil).get()
    }

    @Test func eachCycleIsABuyAtOneLevelClosedByASellOneLevelUpOfTheSameQuantity() throws {
        let candles = [
            candle(0, 160, 160, 160, 160),
            candle(1, 160, 160, 148, 150),  // reaches the buy at 150
            candle(2, 150, 176, 150, 170),  // the sell at 175 placed on the last candle; not the new buy at 150
            candle(3, 170, 170, 149, 149),  // now the buy at 150 again
        ]
        let result = GridBacktest(fee: makerFee).run(plan: try plan(), candles: candles)
        #expect(result.openingPurchase == d("0.57142"))
        #expect(result.fills.map(\.level) == [2, 3, 2])
        #expect(result.fills.map(\.side) == [.buy, .sell, .buy])
        #expect(result.fills.map(\.time) == [60_000, 120_000, 180_000])
        #expect(result.fills[0].quantity == result.fills[1].quantity)
        #expect(result.cycles.count == 1)
        #expect(result.gridProfit == d("16.4498355"))
        #expect(result.metrics.trades == 1)
        #expect(result.equity.count == 4)
        #expect(result.ended == nil)
    }

    @Test func anOrderNeverFillsOnTheCandleThatPlacedIt() throws {
        // One wide candle through every level: only the opening orders fill on it, each once.
        let candles = [candle(0, 160, 160, 160, 160), candle(1, 160, 201, 99, 180)]
        let result = GridBacktest(fee: makerFee).run(plan: try plan(), candles: candles)
        // Closed up: down to 99 first (the buys at 150, 125, 100), then up to 201 (the sell at 200).
        #expect(result.fills.map(\.price) == [150, 125, 100, 200])
        #expect(result.cycles.count == 1)
    }

    @Test func theStopLossEndsTheGridAtItsPrice() throws {
        let candles = [candle(0, 160, 160, 160, 160), candle(1, 160, 160, 85, 88), candle(2, 88, 160, 80, 150)]
        let result = GridBacktest(fee: makerFee).run(plan: try plan(stop: "90"), candles: candles)
        #expect(result.ended == "stop-loss at 90")
        // After the end nothing fills and the equity is cash only.
        #expect(result.fills.allSatisfy { $0.time == 60_000 })
        #expect(result.equity[1] == result.equity[2])
    }
}
