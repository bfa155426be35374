@testable import Common
import Foundation
import Testing

/// A trailing grid's range moves up by whole cells until the price is under its top level
/// (``GridTrail``), and the backtest moves it as the live grid does: at a close above the range
/// with every cell sold, its cycles and profit carried over.
@Suite struct GridTrailTests {
    func candle(_ minute: Int64, _ open: Double, _ high: Double, _ low: Double, _ close: Double) -> StrategyCandle {
        StrategyCandle(openTime: minute * 60_000, open: open, high: high, low: low, close: close, volume: 1, closeTime: minute * 60_000 + 59_999)
    }

    func range(_ parameters: GridParameters?) -> String? { parameters.map { "\($0.lowerPrice)–\($0.upperPrice)" } }

    @Test func theRangeMovesUpByWholeCellsUntilThePriceIsUnderItsTop() {
        let tick = d("0.01")
        // 100–200 in 5 levels: cells of 25.
        let arithmetic = grid("100", "200", levels: 5, trailing: true)
        #expect(range(GridTrail.movedUp(arithmetic, price: d("199.99"), tickSize: tick)) == nil)
        #expect(range(GridTrail.movedUp(arithmetic, price: 200, tickSize: tick)) == "125–225")
        #expect(range(GridTrail.movedUp(arithmetic, price: 210, tickSize: tick)) == "125–225")
        #expect(range(GridTrail.movedUp(arithmetic, price: 260, tickSize: tick)) == "175–275")
        #expect(range(GridTrail.movedUp(grid("100", "200", levels: 5), price: 260, tickSize: tick)) == nil, "trailing off")
        // 100–400 in 3 levels: each level twice the one below.
        let geometric = grid("100", "400", levels: 3, .geometric, trailing: true)
        #expect(range(GridTrail.movedUp(geometric, price: 400, tickSize: tick)) == "200–800")
        #expect(range(GridTrail.movedUp(geometric, price: 1_000, tickSize: tick)) == "400–1600")
        // The stop-loss and take-profit stay where they are.
        let stops = grid("100", "200", levels: 5, trailing: true, stop: "90", take: "400")
        let moved = GridTrail.movedUp(stops, price: 210, tickSize: tick)
        #expect(moved?.stopLossPrice == 90 && moved?.takeProfitPrice == 400 && moved?.trailing == true && moved?.levels == 5)
    }

    @Test func aBacktestedGridMovesUpWhenThePriceLeavesItsRangeAndKeepsItsCycles() throws {
        let parameters = grid("100", "200", levels: 5, trailing: true)
        let plan = try GridPlan.make(parameters, filters: gridFilters, price: 160, makerFee: makerFee, freeQuote: 1_000, allocation: nil).get()
        let candles = [
            candle(0, 160, 160, 160, 160),
            candle(1, 160, 160, 148, 150),  // the buy at 150
            candle(2, 150, 212, 150, 210),  // the sells at 175 and 200 (the opening's cell): closes above the range
            candle(3, 210, 210, 199, 205),  // the new range's buy at 200
            candle(4, 205, 226, 205, 220),  // its sell at 225: a cycle of the new range
        ]
        let result = GridBacktest(fee: makerFee).run(plan: plan, candles: candles, filters: gridFilters)
        #expect(result.moves.map { "\($0.time) \($0.levels.first!)–\($0.levels.last!)" } == ["120000 125–225"])
        #expect(result.moves.first?.purchase == 0, "the price is in the new range's top cell: nothing to sell above it")
        #expect(result.fills.map { "\($0.range) \($0.side.rawValue) \($0.price)" } == ["0 BUY 150", "0 SELL 175", "0 SELL 200", "1 BUY 200", "1 SELL 225"])
        #expect(result.cycles.map(\.sellPrice) == [175, 200, 225])
        #expect(result.gridProfit == result.cycles.reduce(0) { $0 + $1.profit })
        #expect(result.ended == nil)
        #expect(result.jsonText(symbol: "BTCUSDT").contains(#""range_moves":[{"time":"1970-01-01T00:02:00.000Z","lower":125,"upper":225,"purchase":0}]"#))

        // The same candles without trailing: the grid stays and waits above its range.
        let still = GridBacktest(fee: makerFee).run(plan: try GridPlan.make(grid("100", "200", levels: 5), filters: gridFilters, price: 160, makerFee: makerFee, freeQuote: 1_000, allocation: nil).get(), candles: candles, filters: gridFilters)
        #expect(still.moves.isEmpty && still.cycles.count == 2)
        #expect(still.fills.allSatisfy { $0.range == 0 })
    }
}
