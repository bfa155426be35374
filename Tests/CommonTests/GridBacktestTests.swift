@testable import Common
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

@Suite struct DCABacktestTests {
    func candle(_ minute: Int64, _ open: Double, _ high: Double, _ low: Double, _ close: Double) -> StrategyCandle {
        StrategyCandle(openTime: minute * 60_000, open: open, high: high, low: low, close: close, volume: 1, closeTime: minute * 60_000 + 59_999)
    }

    let plan = DCAPlan(DCAParameters(symbol: "BTCUSDT", baseOrder: 100, safetyOrders: 3, deviationPct: 2, stepScale: 2, volumeScale: 2, takeProfitPct: d("1.5")))

    @Test func aDealFillsTwoSafetyOrdersTakesProfitAtTheirAverageAndTheNextOneOpens() {
        let candles = [
            candle(0, 100, 100, 100, 100),  // the base order at 100
            candle(1, 100, 100, 97.5, 98),  // safety order 1 at 98
            candle(2, 98, 98.5, 93, 95),  // safety order 2 at 94; its new take-profit (97.88) waits
            candle(3, 95, 98, 95, 97),  // the take-profit at 97.88
            candle(4, 97, 97, 97, 97),  // a new deal at 97
        ]
        let result = DCABacktest(fee: makerFee).run(plan: plan, filters: gridFilters, candles: candles)
        #expect(result.deals.count == 2)
        let first = result.deals[0]
        #expect(first.safetyFilled == 2)
        #expect(first.takeProfitPrice == d("97.88"))
        #expect(first.closed == 180_000)
        #expect(first.reason == "take-profit")
        // 4.14805 × 97.88 − 399.9983 spent − the buys' fees (0.1 + 0.0999992 + 0.1999991) − the sale's.
        #expect(first.pnl == d("406.011134") - d("399.9983") - d("0.3999983") - d("0.406011134"))
        #expect(result.deals[1].entry == 97)
        #expect(result.deals[1].closed == nil)
        #expect(result.metrics.trades == 1)
    }

    @Test func theStopLossSellsAtItsPrice() {
        var parameters = plan.parameters
        parameters.stopLossPct = 10
        parameters.safetyOrders = 0
        let candles = [candle(0, 100, 100, 100, 100), candle(1, 100, 100, 85, 86)]
        let result = DCABacktest(fee: 0).run(plan: DCAPlan(parameters), filters: gridFilters, candles: candles)
        #expect(result.deals[0].reason?.hasPrefix("stop-loss") == true)
        #expect(result.deals[0].pnl == -10)
    }

    /// With an `sma_cross` start, a deal opens at the open of the candle after the one whose
    /// close made the cross, and not before (where an immediate start would have opened at once).
    @Test func aDealStartsOnTheCandleAfterTheStartSignal() {
        var parameters = plan.parameters
        parameters.start = .smaCross(fast: 1, slow: 2)
        let candles = [
            candle(0, 100, 100, 100, 100), candle(1, 100, 100, 99, 99), candle(2, 99, 99, 98, 98),
            candle(3, 98, 101, 98, 101),  // SMA(1) 101 > SMA(2) 99.5, and 98 ≤ 98.5 before: a cross above
            candle(4, 102, 102, 102, 102),  // the deal opens at this open
            candle(5, 102, 102, 102, 102),
        ]
        let result = DCABacktest(fee: 0).run(plan: DCAPlan(parameters), filters: gridFilters, candles: candles)
        #expect(result.deals.map(\.opened) == [240_000])
        #expect(result.deals.first?.entry == 102)
        let immediate = DCABacktest(fee: 0).run(plan: plan, filters: gridFilters, candles: candles)
        #expect(immediate.deals.first?.opened == 0)
    }

    @Test func theStartReadsAndReadsBackAsTheBotsOtherParameters() throws {
        let texts = ["base_order": "10", "take_profit": "2", "start": "sma_cross", "start_fast": "5", "start_slow": "20"]
        let read = try BotParameters.parse(name: "dca", symbol: "BTCUSDT", investment: 0) { texts[$0] }
        guard case .dca(let parameters) = read else { Issue.record("not a DCA"); return }
        #expect(parameters.start == .smaCross(fast: 5, slow: 20))
        let back = read.texts
        #expect(try BotParameters.parse(name: "dca", symbol: "BTCUSDT", investment: 0) { back[$0] } == read)
        #expect(throws: SettingsError(field: "strategy.params.start", "must be immediately, sma_cross, ml or signal")) {
            try BotParameters.parse(name: "dca", symbol: "BTCUSDT", investment: 0) { ["base_order": "10", "take_profit": "2", "start": "rsi"][$0] }
        }
        var crossed = parameters
        crossed.start = .smaCross(fast: 20, slow: 5)
        #expect(DCAPlan.parameterRefusals(crossed).map(\.field) == ["start_fast"])
    }
}
