import Common
import Foundation
import Testing

/// BTCUSDT as the simulator lists it: tick 0.01, step 0.00001, at least 5 USDT an order.
let gridFilters = SymbolFilters(
    symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: 0.01, maxPrice: 1_000_000, tickSize: Decimal(string: "0.01")!,
    minQty: Decimal(string: "0.00001")!, maxQty: 9_000, stepSize: Decimal(string: "0.00001")!, minNotional: 5
)
let makerFee = Decimal(string: "0.001")!

func d(_ text: String) -> Decimal { Decimal(string: text)! }

func grid(
    _ lower: String, _ upper: String, levels: Int, _ spacing: GridParameters.Spacing = .arithmetic, investment: String = "400",
    trailing: Bool = false, stop: String? = nil, take: String? = nil
) -> GridParameters {
    GridParameters(
        symbol: "BTCUSDT", lowerPrice: d(lower), upperPrice: d(upper), levels: levels, spacing: spacing, investment: d(investment),
        stopLossPrice: stop.map(d), takeProfitPrice: take.map(d), trailing: trailing
    )
}

func refusals(_ result: Result<GridPlan, GridRefusals>) -> [StartRefusal] {
    if case .failure(let refused) = result { return refused.refusals }
    return []
}

@Suite struct GridPlanTests {
    @Test func arithmeticLevelsAreEvenlyApart() {
        #expect(GridPlan.levelPrices(grid("100", "200", levels: 5), tickSize: d("0.01")) == [100, 125, 150, 175, 200])
    }

    @Test func geometricLevelsAreTheSamePercentApartOnTheTick() {
        #expect(GridPlan.levelPrices(grid("100", "400", levels: 3, .geometric), tickSize: d("0.01")) == [100, 200, 400])
        // 100 · 2^(i/4), rounded down to the cent.
        #expect(GridPlan.levelPrices(grid("100", "200", levels: 5, .geometric), tickSize: d("0.01")) == [100, d("118.92"), d("141.42"), d("168.17"), 200])
    }

    @Test func eachCellGetsTheSameUSDTOnTheStep() throws {
        let plan = try GridPlan.make(grid("100", "200", levels: 5), filters: gridFilters, price: 160, makerFee: makerFee, freeQuote: 1_000, allocation: nil).get()
        // 400 USDT over 4 cells: 100 USDT at each cell's buy price, rounded down to 0.00001.
        #expect(plan.quantities == [1, d("0.8"), d("0.66666"), d("0.57142")])
    }

    @Test func aSpacingThatDoesNotBeatTwiceTheFeeIsRefused() {
        // 100 to 101 in 10 levels: about 0.11 % a cycle, against 2 × 0.1 %.
        let refused = refusals(GridPlan.make(grid("100", "101", levels: 10), filters: gridFilters, price: d("100.5"), makerFee: makerFee, freeQuote: 1_000, allocation: nil))
        #expect(refused.map(\.field) == ["levels"])
        #expect(refused.first?.reason.contains("twice the fee") == true)
        // 100 to 110 in 10 levels (about 1.1 %) is fine.
        #expect(refusals(GridPlan.make(grid("100", "110", levels: 10), filters: gridFilters, price: 105, makerFee: makerFee, freeQuote: 1_000, allocation: nil)).isEmpty)
    }

    @Test func aLowerPriceUnderTheTickIsRefused() {
        let refused = refusals(GridPlan.make(grid("0.001", "100", levels: 5), filters: gridFilters, price: 50, makerFee: makerFee, freeQuote: 1_000, allocation: nil))
        #expect(refused.map(\.field) == ["lower_price"])
    }

    @Test func levelsCloserThanTheTickAreRefused() {
        let refused = refusals(GridPlan.make(grid("100", "100.05", levels: 10), filters: gridFilters, price: d("100.02"), makerFee: 0, freeQuote: 1_000, allocation: nil))
        #expect(refused.map(\.field) == ["levels"])
        #expect(refused.first?.reason.contains("closer than the tick") == true)
    }

    @Test func aLevelsOrderBelowTheMinimumNotionalIsRefused() {
        // 20 USDT over 9 cells is 2.22 USDT an order, below the 5 USDT minimum.
        let refused = refusals(GridPlan.make(grid("100", "200", levels: 10, investment: "20"), filters: gridFilters, price: 150, makerFee: makerFee, freeQuote: 1_000, allocation: nil))
        #expect(refused.map(\.field) == ["investment"])
        #expect(refused.first?.reason.contains("NOTIONAL") == true)
    }

    @Test func aLevelsOrderBelowTheLotSizeIsRefused() {
        let coarse = SymbolFilters(
            symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: 0.01, maxPrice: 1_000_000, tickSize: d("0.01"),
            minQty: d("0.01"), maxQty: 9_000, stepSize: d("0.01"), minNotional: 5
        )
        // 100 USDT a cell at 40,000 is 0.0025 BTC: below the 0.01 minimum.
        let refused = refusals(GridPlan.make(grid("40000", "44000", levels: 5), filters: coarse, price: 42_000, makerFee: makerFee, freeQuote: 1_000, allocation: nil))
        #expect(refused.map(\.field) == ["investment"])
        #expect(refused.first?.reason.contains("LOT_SIZE") == true)
    }

    @Test func aPriceOutsideTheRangeIsRefusedUnlessTheRangeTrails() {
        let outside = refusals(GridPlan.make(grid("100", "200", levels: 5), filters: gridFilters, price: 210, makerFee: makerFee, freeQuote: 1_000, allocation: nil))
        #expect(outside.map(\.field) == ["lower_price"])
        #expect(outside.first?.reason.contains("outside the range") == true)
        let trailing = GridPlan.make(grid("100", "200", levels: 5, trailing: true), filters: gridFilters, price: 210, makerFee: makerFee, freeQuote: 1_000, allocation: nil)
        #expect(refusals(trailing).isEmpty)
    }

    @Test func moreThanTheFreeBalanceOrTheAllocationIsRefused() {
        let refused = refusals(GridPlan.make(grid("100", "200", levels: 5), filters: gridFilters, price: 150, makerFee: makerFee, freeQuote: 300, allocation: 350))
        #expect(refused.count == 2)
        #expect(refused[0].reason.contains("allocation of 350"))
        #expect(refused[1].reason.contains("free balance of 300"))
    }

    @Test func badParametersAreAllNamedAtOnce() {
        let refused = refusals(GridPlan.make(grid("200", "100", levels: 1, investment: "0", stop: "250", take: "50"), filters: gridFilters, price: 150, makerFee: makerFee, freeQuote: 1_000, allocation: nil))
        #expect(Set(refused.map(\.field)) == ["upper_price", "levels", "investment", "stop_loss_price", "take_profit_price"])
    }
}

@Suite struct GridOrderIDTests {
    @Test func anIDNamesItsCellSideAndSequenceAndReadsBack() {
        for (cell, side, sequence) in [(0, SymbolFilters.Side.buy, 0), (11, .sell, 28), (199, .buy, 1_679_615)] {
            let id = GridOrderID.make(user: 12_345, symbol: "BTCUSDT", grid: 987_654, cell: cell, side: side, sequence: sequence)
            #expect(id.count <= ClientOrderID.maxLength)
            let parsed = GridOrderID.parse(id)
            #expect(parsed?.cell == cell && parsed?.side == side && parsed?.sequence == sequence, "\(id)")
        }
        #expect(GridOrderID.parse(GridOrderID.opening(user: 1, symbol: "BTCUSDT", grid: 1)) == nil)
        #expect(GridOrderID.parse("u1-BTCUSDT-17-BE") == nil)
    }
}
