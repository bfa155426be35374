import Common
import Foundation
import Testing

@testable import Worker

private func d(_ text: String) -> Decimal { Decimal(string: text)! }

/// Paper trading is the live bots' own code on a ``PaperExchange``: a grid placed and cycling on
/// prices the exchange publishes, its money virtual, and the real account (the market the paper
/// exchange reads) never touched. No process, no network, no sleep.
@Suite struct PaperGridTests {
    static let filters = GridRunnerTests.filters

    /// The real exchange, whose public data the paper bot reads: a user with money and no order.
    static func market() -> InMemoryExchange {
        let market = InMemoryExchange()
        market.addSymbol(filters, price: 160)
        market.setBalance("USDT", 5_000)
        return market
    }

    static func paper(_ market: InMemoryExchange) -> PaperExchange {
        PaperExchange(
            market: market, account: PaperAccount(balances: ["USDT": 1_000], makerFee: d("0.001"), takerFee: d("0.001"), slippage: 0),
            clock: { 1_700_000_000_000 })
    }

    @Test func aPaperGridCyclesOnPublishedPricesAndNeverTouchesTheAccount() async throws {
        let market = Self.market()
        let paper = Self.paper(market)
        let runner = GridRunner(client: paper, user: 5, grid: 3, plan: GridRunnerTests.plan, filters: Self.filters, takerFee: d("0.001"))
        let opening = try await runner.open(price: 160)
        #expect(opening.buyPrice == 160)
        #expect(try await GridRunnerTests.resting(paper) == ["0 BUY 100", "1 BUY 125", "2 BUY 150", "3 SELL 200"])

        // A trade through 150 fills the buy there; the runner places its sell one level up.
        paper.observe(trade: 149, symbol: "BTCUSDT")
        #expect(try await runner.sync().map(\.side) == [.buy])
        #expect(try await GridRunnerTests.resting(paper) == ["0 BUY 100", "1 BUY 125", "2 SELL 175", "3 SELL 200"])
        // A trade at the sell's own price may have been someone else's: only one through it fills.
        paper.observe(trade: 175, symbol: "BTCUSDT")
        #expect(try await runner.sync().isEmpty)
        paper.observe(trade: d("175.01"), symbol: "BTCUSDT")
        #expect(try await runner.sync().map(\.side) == [.sell])
        let book = try #require(await runner.book)
        #expect(book.cycles.count == 1)
        #expect(book.gridProfit == d("16.64975") - d("0.099999") - d("0.11654825"))

        // Every order and trade was the paper account's: the real one has none, its money unchanged.
        #expect(try await market.openOrders().isEmpty)
        #expect(try await market.myTrades(symbol: "BTCUSDT").isEmpty)
        #expect(market.balance("USDT").free == 5_000 && market.balance("BTC").free == 0)
        let trades = try await paper.myTrades(symbol: "BTCUSDT")
        #expect(trades.map(\.isMaker) == [false, true, true])  // the opening purchase, then the two limits
        // The virtual USDT: 1,000 less what the opening and the resting buys hold, plus the cycle.
        let usdt = paper.account.balance("USDT")
        #expect(usdt.free + usdt.locked == 1_000 - d("0.572") * 160 + d("0.66666") * (175 - 150) - d("0.66599") * 175 * d("0.001") - (d("0.66666") - d("0.66599")) * 175)
    }

    @Test func refusalsAreTheExchangesCodes() async throws {
        let paper = Self.paper(Self.market())
        paper.observe(bid: 159, ask: 161, symbol: "BTCUSDT")
        // More than the virtual balance.
        await #expect(throws: ExchangeError.rejected(code: -2010, message: "Account has insufficient balance for requested action: 1610 USDT needed, 1000 free (paper)")) {
            try await paper.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .market(quantity: 10), clientOrderID: "a"))
        }
        // A maker-only order that would take.
        await #expect(throws: ExchangeError.rejected(code: -2010, message: "Order would immediately match and take.")) {
            try await paper.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .limitMaker(quantity: 1, price: 162), clientOrderID: "b"))
        }
        let bought = try await paper.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "c"))
        #expect(bought.status == "FILLED" && bought.fills.first?.price == 161)
        await #expect(throws: ExchangeError.rejected(code: -2010, message: "Duplicate order sent.")) {
            try await paper.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "c"))
        }
        await #expect(throws: ExchangeError.rejected(code: -2011, message: "Unknown order sent.")) {
            try await paper.cancel(symbol: "BTCUSDT", clientOrderID: "nothing")
        }
        let resting = try await paper.place(NewOrder(symbol: "BTCUSDT", side: .sell, kind: .limit(quantity: d("0.5"), price: 170, timeInForce: "GTC"), clientOrderID: "d"))
        #expect(resting.status == "NEW")
        #expect(try await paper.cancel(symbol: "BTCUSDT", clientOrderID: "d").status == "CANCELED")
        #expect(try await paper.resolve(symbol: "BTCUSDT", clientOrderID: "d")?.status == "CANCELED")
        #expect(paper.account.balance("BTC").locked == 0)
    }
}
