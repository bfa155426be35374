import Common
import Foundation
import Testing

@Suite struct PaperAccountTests {
    /// 1,000 USDT of paper; maker 0.1 %, taker 0.2 %, slippage 0.05 %.
    func account() -> PaperAccount {
        PaperAccount(balances: ["USDT": 1_000], makerFee: d("0.001"), takerFee: d("0.002"), slippage: d("0.0005"))
    }

    let quote = PaperAccount.Quote(bid: 99, ask: 100)

    @Test func aMarketBuyFillsAtTheAskMadeWorseByTheSlippageAtTheTakerFee() throws {
        var paper = account()
        let fill = try paper.market(gridFilters, side: .buy, quantity: 2, quote: quote, clientOrderID: "a", time: 1)
        #expect(fill.price == d("100.05"))
        #expect(!fill.maker)
        #expect(fill.fee == d("0.004") && fill.feeAsset == "BTC")
        #expect(paper.balance("USDT").free == d("799.9"))
        #expect(paper.balance("BTC").free == d("1.996"))
        let sale = try paper.market(gridFilters, side: .sell, quantity: 1, quote: quote, clientOrderID: "b", time: 2)
        // 99 × (1 − 0.0005) = 98.9505; the fee 0.2 % of it in USDT.
        #expect(sale.price == d("98.9505"))
        #expect(sale.fee == d("0.197901") && sale.feeAsset == "USDT")
        #expect(paper.balance("USDT").free == d("799.9") + d("98.9505") - d("0.197901"))
        #expect(paper.fills.count == 2)
    }

    @Test func aLimitOrderRestsUntilATradeGoesThroughItsPriceAndFillsThereAsMaker() throws {
        var paper = account()
        #expect(try paper.limit(gridFilters, side: .buy, quantity: 1, price: 95, quote: quote, clientOrderID: "l", time: 1) == nil)
        #expect(paper.balance("USDT") == PaperAccount.Balance(free: 905, locked: 95))
        #expect(paper.trade(symbol: "BTCUSDT", price: 96, time: 2).isEmpty)
        // A trade at the price itself may have been another order's ahead in the queue.
        #expect(paper.trade(symbol: "BTCUSDT", price: 95, time: 3).isEmpty)
        #expect(paper.trade(symbol: "ETHUSDT", price: 90, time: 4).isEmpty)
        let fills = paper.trade(symbol: "BTCUSDT", price: d("94.99"), time: 5)
        #expect(fills.map(\.price) == [95])
        #expect(fills.first?.maker == true)
        #expect(paper.balance("USDT") == PaperAccount.Balance(free: 905, locked: 0))
        #expect(paper.balance("BTC").free == d("0.999"))
        #expect(paper.open.isEmpty)
    }

    @Test func aLimitOrderAlreadyThroughTheBookFillsAtOnceAtTheBestPrice() throws {
        var paper = account()
        let fill = try #require(try paper.limit(gridFilters, side: .buy, quantity: 1, price: 101, quote: quote, clientOrderID: "x", time: 1))
        #expect(fill.price == 100)
        #expect(!fill.maker)
    }

    @Test func whatTheExchangeWouldRefuseIsRefused() {
        var paper = account()
        #expect(throws: PaperAccount.Refusal.self) { try paper.market(gridFilters, side: .buy, quantity: 20, quote: quote, clientOrderID: "big", time: 1) }
        #expect(throws: PaperAccount.Refusal.self) { try paper.market(gridFilters, side: .sell, quantity: 1, quote: quote, clientOrderID: "none", time: 1) }
        #expect(throws: PaperAccount.Refusal.self) { _ = try paper.limit(gridFilters, side: .buy, quantity: d("0.01"), price: 95, quote: quote, clientOrderID: "tiny", time: 1) }
        #expect(throws: PaperAccount.Refusal.self) { _ = try paper.limit(gridFilters, side: .buy, quantity: 1, price: d("95.001"), quote: quote, clientOrderID: "tick", time: 1) }
        do {
            _ = try paper.market(gridFilters, side: .buy, quantity: 20, quote: quote, clientOrderID: "big", time: 1)
        } catch {
            #expect(error.reason.contains("insufficient balance") && error.reason.contains("(paper)"))
        }
        #expect(paper == account())
    }

    @Test func aCancelFreesWhatTheOrderHeldAndTheStateSurvivesARestart() throws {
        var paper = account()
        _ = try paper.market(gridFilters, side: .buy, quantity: 2, quote: quote, clientOrderID: "a", time: 1)
        _ = try paper.limit(gridFilters, side: .sell, quantity: 1, price: 120, quote: quote, clientOrderID: "s", time: 2)
        #expect(paper.balance("BTC").locked == 1)
        let stored = try JSONEncoder().encode(paper)
        var restored = try JSONDecoder().decode(PaperAccount.self, from: stored)
        #expect(restored == paper)
        #expect(restored.cancel(clientOrderID: "s")?.price == 120)
        #expect(restored.balance("BTC") == PaperAccount.Balance(free: d("1.996"), locked: 0))
        #expect(restored.cancel(clientOrderID: "s") == nil)
    }
}
