import Common
import Foundation
import Testing

@Suite struct DCADealTests {
    /// 100 USDT base; 3 safety orders 2 % apart, each step twice the last and twice the size;
    /// take-profit 1.5 % above the average.
    func parameters(trailing: Decimal? = nil, stop: Decimal? = nil) -> DCAParameters {
        DCAParameters(
            symbol: "BTCUSDT", baseOrder: 100, safetyOrders: 3, deviationPct: 2, stepScale: 2, volumeScale: 2, takeProfitPct: d("1.5"),
            trailingPct: trailing, stopLossPct: stop
        )
    }

    @Test func safetyOrdersStepFurtherAndGrow() {
        let orders = DCAPlan(parameters()).safetyOrders(entry: 100, filters: gridFilters)
        #expect(orders.map(\.deviationPct) == [2, 6, 14])
        #expect(orders.map(\.price) == [98, 94, 86])
        #expect(orders.map(\.volume) == [100, 200, 400])
        // 100/98, 200/94 and 400/86, rounded down to 0.00001.
        #expect(orders.map(\.quantity) == [d("1.0204"), d("2.12765"), d("4.65116")])
        #expect(DCAPlan(parameters()).dealBudget == 800)
    }

    @Test func aDealFillsTwoSafetyOrdersThenTakesProfitAtTheirAverage() {
        var deal = DCADeal(plan: DCAPlan(parameters()), filters: gridFilters)
        #expect(deal.opening == .buyAtMarket(quoteQuantity: 100))
        let afterBase = deal.baseFilled(DCAFill(price: 100, quantity: 1, feeQuote: d("0.1")))
        #expect(afterBase.count == 4)
        #expect(afterBase.last == .placeTakeProfit(sequence: 0, price: d("101.5"), quantity: 1))

        let afterFirst = deal.safetyFilled(index: 1, DCAFill(price: 98, quantity: d("1.0204"), feeQuote: d("0.0999992")))
        // (1 × 100 + 1.0204 × 98) / 2.0204 = 98.98990…; × 1.015 = 100.4747…, up to the cent.
        #expect(afterFirst == [.cancelTakeProfit(sequence: 0), .placeTakeProfit(sequence: 1, price: d("100.48"), quantity: d("2.0204"))])

        let afterSecond = deal.safetyFilled(index: 2, DCAFill(price: 94, quantity: d("2.12765"), feeQuote: d("0.199999")))
        // (100 + 99.9992 + 199.9991) / 4.14805 = 96.43045…; × 1.015 = 97.8769…, up to the cent.
        #expect(afterSecond == [.cancelTakeProfit(sequence: 1), .placeTakeProfit(sequence: 2, price: d("97.88"), quantity: d("4.14805"))])
        #expect(deal.safetyFilled == 2)

        let closing = deal.exitFilled(price: d("97.88"), quantity: d("4.14805"), feeQuote: d("0.406011134"), reason: "take-profit")
        #expect(closing == [.cancelSafety(index: 3)])
        // 4.14805 × 97.88 − 399.9983 spent − 0.3999982 and 0.406011134 in fees.
        #expect(deal.phase == .closed(reason: "take-profit", pnl: d("406.011134") - d("399.9983") - d("0.3999982") - d("0.406011134")))
    }

    @Test func aSafetyFillOutOfTurnOrAfterTheDealIsIgnored() {
        var deal = DCADeal(plan: DCAPlan(parameters()), filters: gridFilters)
        let beforeTheBase = deal.safetyFilled(index: 1, DCAFill(price: 98, quantity: 1, feeQuote: 0))
        #expect(beforeTheBase.isEmpty)
        _ = deal.baseFilled(DCAFill(price: 100, quantity: 1, feeQuote: 0))
        let outOfTurn = deal.safetyFilled(index: 2, DCAFill(price: 94, quantity: 1, feeQuote: 0))
        #expect(outOfTurn.isEmpty)
        let secondBase = deal.baseFilled(DCAFill(price: 100, quantity: 1, feeQuote: 0))
        #expect(secondBase.isEmpty)
    }

    @Test func theStopLossCancelsEverythingAndSellsOnce() {
        var deal = DCADeal(plan: DCAPlan(parameters(stop: 20)), filters: gridFilters)
        _ = deal.baseFilled(DCAFill(price: 100, quantity: 1, feeQuote: 0))
        let aboveTheStop = deal.onPrice(81)
        #expect(aboveTheStop.isEmpty)
        let actions = deal.onPrice(80)
        #expect(actions.prefix(4) == [.cancelSafety(index: 1), .cancelSafety(index: 2), .cancelSafety(index: 3), .cancelTakeProfit(sequence: 0)])
        guard case .sellAtMarket(let quantity, let reason) = actions.last else { Issue.record("no sale: \(actions)"); return }
        #expect(quantity == 1)
        #expect(reason.hasPrefix("stop-loss"))
        let afterTheStop = deal.onPrice(70)
        #expect(afterTheStop.isEmpty)
        let saleFilled = deal.exitFilled(price: 80, quantity: 1, feeQuote: 0, reason: reason)
        #expect(saleFilled.isEmpty)
    }

    @Test func aTrailingTakeProfitSellsOnTheFallFromThePeak() {
        var deal = DCADeal(plan: DCAPlan(parameters(trailing: d("0.5"))), filters: gridFilters)
        // A trailing take-profit is watched by the bot: nothing rests above the price.
        let opened = deal.baseFilled(DCAFill(price: 100, quantity: 1, feeQuote: 0))
        #expect(!opened.contains { if case .placeTakeProfit = $0 { true } else { false } })
        // Below the take-profit, at a new peak, and less than 0.5 % under it: nothing to do.
        for price in [d("101"), d("103"), d("102.5")] {
            let actions = deal.onPrice(price)
            #expect(actions.isEmpty, "at \(price)")
        }
        guard case .sellAtMarket(_, let reason) = deal.onPrice(d("102.48")).last else { Issue.record("no sale"); return }
        #expect(reason.hasPrefix("trailing take-profit"))
    }

    @Test func everyRefusalNamesItsSetting() {
        let plan = { (p: DCAParameters) in DCAPlan(p).refusals(filters: gridFilters, price: 100, makerFee: makerFee, takerFee: makerFee, freeQuote: 1_000, allocation: nil) }
        var thin = parameters()
        thin.takeProfitPct = d("0.2")
        #expect(plan(thin).map(\.field) == ["take_profit_pct"])
        var deep = parameters()
        deep.stepScale = 3
        deep.safetyOrders = 4
        deep.volumeScale = 1
        // 2 + 6 + 18 + 54 = 80 %: fine; a fifth at 242 % is not.
        #expect(plan(deep).isEmpty)
        deep.safetyOrders = 5
        #expect(plan(deep).map(\.field) == ["step_scale"])
        var small = parameters()
        small.baseOrder = 4
        #expect(plan(small).first?.reason.contains("NOTIONAL") == true)
        #expect(DCAPlan(parameters()).refusals(filters: gridFilters, price: 100, makerFee: makerFee, takerFee: makerFee, freeQuote: 700, allocation: 750).count == 2)
        var many = parameters()
        many.maxActiveDeals = 0
        #expect(plan(many).map(\.field) == ["max_active_deals"])
        many.maxActiveDeals = 1_000_000_000
        #expect(plan(many).map(\.field) == ["max_active_deals"])
    }
}

@Suite struct CandlePathTests {
    typealias Order = CandlePath.Resting<String>
    let orders = [
        Order(id: "buy 97", side: .buy, price: 97), Order(id: "sell 108", side: .sell, price: 108),
        Order(id: "buy 99", side: .buy, price: 99), Order(id: "sell 104", side: .sell, price: 104),
        Order(id: "buy 90", side: .buy, price: 90),
    ]

    @Test func aCandleThatClosedUpWentToItsLowFirst() {
        let filled = CandlePath.fills(orders, open: 100, high: 110, low: 95, close: 105)
        #expect(filled.map(\.id) == ["buy 99", "buy 97", "sell 104", "sell 108"])
    }

    @Test func aCandleThatClosedDownWentToItsHighFirst() {
        let filled = CandlePath.fills(orders, open: 100, high: 110, low: 95, close: 96)
        #expect(filled.map(\.id) == ["sell 104", "sell 108", "buy 99", "buy 97"])
    }

    @Test func anOrderTheOpenAlreadyPassedFillsFirst() {
        let filled = CandlePath.fills(orders + [Order(id: "buy 101", side: .buy, price: 101)], open: 100, high: 100, low: 98, close: 98)
        #expect(filled.map(\.id) == ["buy 101", "buy 99"])
    }
}
