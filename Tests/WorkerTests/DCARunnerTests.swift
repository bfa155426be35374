import Common
import Foundation
import Testing

@testable import Worker

private func d(_ text: String) -> Decimal { Decimal(string: text)! }

/// A DCA deal carried out on `InMemoryExchange` (a buy's 0.1 % fee taken in the coin bought), on
/// prices the test holds. No process, no network, no sleep.
@Suite struct DCARunnerTests {
    static let filters = DecisionTests.btc
    /// 100 USDT base; 3 safety orders 2 % apart, each step and size twice the last; take-profit 1.5 %.
    static let plan = DCAPlan(DCAParameters(
        symbol: "BTCUSDT", baseOrder: 100, safetyOrders: 3, deviationPct: 2, stepScale: 2, volumeScale: 2, takeProfitPct: d("1.5"), stopLossPct: 30
    ))

    /// BTCUSDT at 100 and 1,000 USDT to spend.
    static func exchange() -> InMemoryExchange {
        let exchange = InMemoryExchange()
        exchange.addSymbol(filters, price: 100)
        exchange.setBalance("USDT", 1_000)
        return exchange
    }

    /// The deals of bot 2 of user 5 on `exchange`.
    static func runner(_ exchange: InMemoryExchange) -> DCARunner {
        DCARunner(client: exchange, user: 5, bot: 2, plan: plan, filters: filters)
    }

    static func resting(_ exchange: InMemoryExchange) async throws -> [String] {
        try await exchange.openOrders(symbol: "BTCUSDT").map { "\($0.side) \($0.price) \($0.clientOrderID.split(separator: "-").last ?? "")" }.sorted()
    }

    @Test func aDealFillsTwoSafetyOrdersAndTakesProfitAtTheirAverage() async throws {
        let exchange = DCARunnerTests.exchange()
        let runner = DCARunnerTests.runner(exchange)
        try await runner.open(deal: 1)
        // 1 BTC for 100 USDT (0.001 BTC of it the fee): safety orders at 98, 94, 86 and the
        // take-profit 1.5 % above 100 for the 0.999 BTC held.
        #expect(try await Self.resting(exchange) == ["BUY 86 D1S3", "BUY 94 D1S2", "BUY 98 D1S1", "SELL 101.5 D1T0"])

        exchange.setPrice("BTCUSDT", 98)
        try await runner.sync(price: 98)
        // (100 + 1.0204 × 98) / 2.0204 = 98.98990…, × 1.015 up to the cent; 0.999 + 1.0193796 held.
        #expect(try await Self.resting(exchange) == ["BUY 86 D1S3", "BUY 94 D1S2", "SELL 100.48 D1T1"])
        exchange.setPrice("BTCUSDT", 94)
        try await runner.sync(price: 94)
        #expect(try await Self.resting(exchange) == ["BUY 86 D1S3", "SELL 97.88 D1T2"])
        let averaged = try #require(await runner.deals[1])
        #expect(averaged.safetyFilled == 2)

        exchange.setPrice("BTCUSDT", 98)
        try await runner.sync(price: 98)
        // The take-profit sold everything; the last safety order went with the deal.
        #expect(try await Self.resting(exchange).isEmpty)
        let deal = try #require(await runner.deals[1])
        guard case .closed(let reason, let pnl) = deal.phase else { Issue.record("still \(deal.phase)"); return }
        #expect(reason == "take-profit")
        #expect(pnl > 0)
        #expect(exchange.balance("BTC").free < d("0.00001"))
    }

    @Test func theStopLossCancelsTheDealsOrdersAndSellsAtMarket() async throws {
        let exchange = DCARunnerTests.exchange()
        let runner = DCARunnerTests.runner(exchange)
        try await runner.open(deal: 1)
        exchange.setPrice("BTCUSDT", 85)
        try await runner.sync(price: 85)
        exchange.setPrice("BTCUSDT", 60)
        try await runner.sync(price: 60)
        #expect(try await Self.resting(exchange).isEmpty)
        let deal = try #require(await runner.deals[1])
        guard case .closed(let reason, let pnl) = deal.phase else { Issue.record("still \(deal.phase)"); return }
        #expect(reason.hasPrefix("stop-loss"))
        #expect(pnl < 0)
    }
}

/// A DCA deal brought back after a restart: what filled while the worker was down is applied,
/// nothing resting is placed twice.
@Suite struct DCARebuildTests {
    @Test func twoSafetyOrdersFilledWhileDownMoveTheTakeProfitOnce() async throws {
        let exchange = DCARunnerTests.exchange()
        let before = DCARunnerTests.runner(exchange)
        try await before.open(deal: 1)
        // The worker is gone; the price goes through two safety orders (98 and 94).
        exchange.setPrice("BTCUSDT", 98)
        exchange.setPrice("BTCUSDT", 94)
        #expect(try await DCARunnerTests.resting(exchange) == ["BUY 86 D1S3", "SELL 101.5 D1T0"])

        let after = DCARunnerTests.runner(exchange)
        #expect(try await after.rebuild(deal: 1))
        // The stale take-profit went, the one at the new average came (as the live deal had it:
        // 97.88), and the last safety order was not placed again.
        #expect(try await DCARunnerTests.resting(exchange) == ["BUY 86 D1S3", "SELL 97.88 D1T2"])
        let deal = try #require(await after.deals[1])
        #expect(deal.safetyFilled == 2)
        #expect(deal.phase == .open)

        // Rebuilding again changes nothing.
        let again = DCARunnerTests.runner(exchange)
        #expect(try await again.rebuild(deal: 1))
        #expect(try await DCARunnerTests.resting(exchange) == ["BUY 86 D1S3", "SELL 97.88 D1T2"])
    }

    @Test func aTakeProfitFilledWhileDownClosesTheDeal() async throws {
        let exchange = DCARunnerTests.exchange()
        let before = DCARunnerTests.runner(exchange)
        try await before.open(deal: 1)
        exchange.setPrice("BTCUSDT", 102)
        let after = DCARunnerTests.runner(exchange)
        #expect(try await after.rebuild(deal: 1))
        // Its safety orders were cancelled and nothing was placed.
        #expect(try await DCARunnerTests.resting(exchange).isEmpty)
        let deal = try #require(await after.deals[1])
        guard case .closed(let reason, let pnl) = deal.phase else { Issue.record("still \(deal.phase)"); return }
        #expect(reason == "take-profit")
        #expect(pnl > 0)
    }

    @Test func aDealThatNeverOpenedIsNotRebuilt() async throws {
        let exchange = DCARunnerTests.exchange()
        let runner = DCARunnerTests.runner(exchange)
        #expect(try await runner.rebuild(deal: 7) == false)
        #expect(await runner.deals.isEmpty)
    }
}
