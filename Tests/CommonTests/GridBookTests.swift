import Common
import Foundation
import Testing

@Suite struct GridBookTests {
    /// 100–200 in 5 levels, 400 USDT: cells of 1, 0.8, 0.66666 and 0.57142 BTC.
    let plan = try! GridPlan.make(grid("100", "200", levels: 5), filters: gridFilters, price: 160, makerFee: makerFee, freeQuote: 1_000, allocation: nil).get()

    func fee(_ quantity: Decimal, _ price: Decimal) -> Decimal { quantity * price * makerFee }

    func fill(_ order: GridOrder) -> GridFill {
        GridFill(cell: order.cell, sequence: order.sequence, side: order.side, price: order.price, quantity: order.quantity, feeQuote: fee(order.quantity, order.price))
    }

    @Test func itBuysBelowThePriceAndSellsAboveItWhatItBoughtAtTheStart() {
        #expect(GridBook.openingPurchase(plan: plan, price: 160) == d("0.57142"))
        let book = GridBook(plan: plan, openingPrice: 160, openingBuy: (price: 160, feePerUnit: d("0.16")))
        #expect(book.orders == [
            GridOrder(cell: 0, sequence: 0, side: .buy, price: 100, quantity: 1),
            GridOrder(cell: 1, sequence: 0, side: .buy, price: 125, quantity: d("0.8")),
            // The cell around the price buys; the level just above the price (175) stays empty.
            GridOrder(cell: 2, sequence: 0, side: .buy, price: 150, quantity: d("0.66666")),
            GridOrder(cell: 3, sequence: 0, side: .sell, price: 200, quantity: d("0.57142")),
        ])
        #expect(book.heldBase == d("0.57142"))
    }

    @Test func aFilledBuySellsOneLevelUpAndTheSaleCompletesACycleWithTheHandComputedProfit() throws {
        var book = GridBook(plan: plan, openingPrice: 160, openingBuy: (price: 160, feePerUnit: d("0.16")))
        let buy = try #require(book.orders.first { $0.cell == 2 })
        let sellApplied = book.apply(fill(buy))
        let sell = try #require(sellApplied)
        #expect(sell == GridOrder(cell: 2, sequence: 1, side: .sell, price: 175, quantity: d("0.66666")))
        let nextApplied = book.apply(fill(sell))
        let next = try #require(nextApplied)
        #expect(next == GridOrder(cell: 2, sequence: 2, side: .buy, price: 150, quantity: d("0.66666")))
        // 0.66666 × (175 − 150) − 0.066666 × 1.50 − 0.066666 × 1.75 (0.1 % of each leg).
        let expected = d("16.6665") - d("0.099999") - d("0.1166655")
        #expect(book.cycles.count == 1)
        #expect(book.cycles[0].profit == expected)
        #expect(book.gridProfit == d("16.4498355"))
    }

    @Test func aFillTheBookHasMovedPastChangesNothing() throws {
        var book = GridBook(plan: plan, openingPrice: 160, openingBuy: nil)
        let buy = try #require(book.orders.first { $0.cell == 1 })
        let applied = book.apply(fill(buy))
        #expect(applied != nil)
        let before = book
        let repeated = book.apply(fill(buy))
        #expect(repeated == nil)
        #expect(book == before)
        let foreign = book.apply(GridFill(cell: 9, sequence: 0, side: .buy, price: 1, quantity: 1, feeQuote: 0))
        #expect(foreign == nil)
    }

    @Test func theOpeningSellsCloseAgainstTheOpeningPurchase() throws {
        var book = GridBook(plan: plan, openingPrice: 160, openingBuy: (price: 160, feePerUnit: d("0.16")))
        let sell = try #require(book.orders.first { $0.cell == 3 })
        _ = book.apply(fill(sell))
        // 0.57142 × (200 − 160) − 0.57142 × 0.16 − 0.57142 × 200 × 0.001.
        #expect(book.gridProfit == d("22.8568") - d("0.0914272") - d("0.114284"))
    }

    @Test func unrealisedPnLIsWhatTheHoldingCellsWouldGain() {
        let book = GridBook(plan: plan, openingPrice: 160, openingBuy: (price: 160, feePerUnit: 0))
        #expect(book.unrealisedPnL(at: 170) == d("5.7142"))
        #expect(book.unrealisedPnL(at: 150) == d("-5.7142"))
    }

    @Test func theStopLossAndTakeProfitEndTheGridAndSellWhatItHolds() throws {
        let guarded = try GridPlan.make(grid("100", "200", levels: 5, stop: "90", take: "210"), filters: gridFilters, price: 160, makerFee: makerFee, freeQuote: 1_000, allocation: nil).get()
        var book = GridBook(plan: guarded, openingPrice: 160, openingBuy: nil)
        #expect(book.exitReason(at: 95) == nil)
        #expect(book.exitReason(at: 209) == nil)
        #expect(book.exitReason(at: 210)?.hasPrefix("take-profit") == true)
        let reason = try #require(book.exitReason(at: 90))
        #expect(reason.hasPrefix("stop-loss"))
        let (cancel, sell) = book.end(reason: reason)
        #expect(cancel.count == 4)
        #expect(sell == d("0.57142"))
        #expect(book.orders.isEmpty)
        #expect(book.exitReason(at: 80) == nil)
    }
}

@Suite struct GridRebuildTests {
    let plan = try! GridPlan.make(grid("100", "200", levels: 5), filters: gridFilters, price: 160, makerFee: makerFee, freeQuote: 1_000, allocation: nil).get()

    func fill(_ order: GridOrder) -> GridFill {
        GridFill(cell: order.cell, sequence: order.sequence, side: order.side, price: order.price, quantity: order.quantity, feeQuote: 0)
    }

    @Test func levelsThatFilledWhileTheWorkerWasDownGetTheirOppositesAndNothingIsDoubled() {
        let opening = GridBook(plan: plan, openingPrice: 160, openingBuy: nil)
        // Down while the price fell from 160 to 120: the buys at 150 and 125 filled.
        let filled = opening.orders.filter { $0.side == .buy && $0.price >= 125 }
        let stillOpen = opening.orders.filter { !filled.contains($0) }
        let rebuilt = GridRebuild.rebuild(plan: plan, openingPrice: 160, openingBuy: nil, fills: filled.map(fill), open: stillOpen)
        #expect(rebuilt.place == [
            GridOrder(cell: 1, sequence: 1, side: .sell, price: 150, quantity: d("0.8")),
            GridOrder(cell: 2, sequence: 1, side: .sell, price: 175, quantity: d("0.66666")),
        ])
        #expect(rebuilt.cancel.isEmpty)
        // One order for every cell, no level twice.
        let after = stillOpen + rebuilt.place
        #expect(Set(after.map(\.cell)) == [0, 1, 2, 3])
        #expect(Set(after.map(\.price)).count == after.count)
        // Rebuilding again with those open places and cancels nothing.
        let again = GridRebuild.rebuild(plan: plan, openingPrice: 160, openingBuy: nil, fills: filled.map(fill), open: after)
        #expect(again.place.isEmpty && again.cancel.isEmpty)
        #expect(again.book == rebuilt.book)
    }

    @Test func anOpenOrderTheFillsHaveMovedPastIsCancelled() throws {
        var book = GridBook(plan: plan, openingPrice: 160, openingBuy: nil)
        let buy = try #require(book.orders.first { $0.cell == 0 })
        let sellApplied = book.apply(fill(buy))
        let sell = try #require(sellApplied)
        _ = book.apply(fill(sell))
        // The exchange still lists the first buy (its cancel was lost, say), and the fills say the
        // cell has cycled once: it wants its third order, and the first goes.
        let rebuilt = GridRebuild.rebuild(plan: plan, openingPrice: 160, openingBuy: nil, fills: [fill(sell), fill(buy)], open: [buy])
        #expect(rebuilt.cancel == [buy])
        #expect(rebuilt.place.contains(GridOrder(cell: 0, sequence: 2, side: .buy, price: 100, quantity: 1)))
        #expect(rebuilt.book.cycles.count == 1)
    }
}
