import Common
import Foundation
import Testing

@testable import Worker

private func d(_ text: String) -> Decimal { Decimal(string: text)! }

/// A grid carried out on `InMemoryExchange` (which takes a buy's 0.1 % fee in the coin bought):
/// placed, cycling on prices the test holds, and rebuilt after a worker was down. No process, no
/// network, no sleep.
@Suite struct GridRunnerTests {
    static let filters = DecisionTests.btc
    /// 100–200 in 5 levels with 400 USDT: cells of 1, 0.8, 0.66666 and 0.57142 BTC.
    static let plan = try! GridPlan.make(
        GridParameters(symbol: "BTCUSDT", lowerPrice: 100, upperPrice: 200, levels: 5, spacing: .arithmetic, investment: 400),
        filters: filters, price: 160, makerFee: d("0.001"), freeQuote: 1_000, allocation: nil
    ).get()

    static func exchange() -> InMemoryExchange {
        let exchange = InMemoryExchange()
        exchange.addSymbol(filters, price: 160)
        exchange.setBalance("USDT", 1_000)
        return exchange
    }

    static func runner(_ exchange: InMemoryExchange) -> GridRunner {
        GridRunner(client: exchange, user: 5, grid: 1, plan: plan, filters: filters, takerFee: d("0.001"))
    }

    /// Each open order of the grid: cell, side, price.
    static func resting(_ exchange: any ExchangeClient) async throws -> [String] {
        try await exchange.openOrders(symbol: "BTCUSDT").compactMap { report in
            GridOrderID.parse(report.clientOrderID).map { "\($0.cell) \($0.side.rawValue) \(report.price)" }
        }.sorted()
    }

    @Test func aGridIsPlacedAndCyclesOnHeldPricesWithTheHandComputedProfit() async throws {
        let exchange = Self.exchange()
        let runner = Self.runner(exchange)
        let opening = try await runner.open(price: 160)
        #expect(opening.buyPrice == 160)
        // What the sell at 200 needs, its fee in BTC included: 0.57142 / 0.999, up to the step,
        // less the exchange's fee in BTC.
        #expect(exchange.balance("BTC").free + exchange.balance("BTC").locked == d("0.572") - d("0.000572"))
        #expect(try await Self.resting(exchange) == ["0 BUY 100", "1 BUY 125", "2 BUY 150", "3 SELL 200"])

        exchange.setPrice("BTCUSDT", 150)
        let bought = try await runner.sync()
        #expect(bought.map(\.side) == [.buy])
        #expect(try await Self.resting(exchange) == ["0 BUY 100", "1 BUY 125", "2 SELL 175", "3 SELL 200"])

        exchange.setPrice("BTCUSDT", 175)
        let sold = try await runner.sync()
        #expect(sold.map(\.side) == [.sell])
        #expect(try await Self.resting(exchange) == ["0 BUY 100", "1 BUY 125", "2 BUY 150", "3 SELL 200"])
        let book = try #require(await runner.book)
        #expect(book.cycles.count == 1)
        // Bought 0.66666 at 150 (fee 0.00066666 BTC = 0.099999 USDT), so 0.66599 left to sell at
        // 175 (fee 0.11654825 USDT): 0.66599 × 25 − 0.099999 − 0.11654825.
        #expect(book.gridProfit == d("16.64975") - d("0.099999") - d("0.11654825"))
    }

    @Test func aGridKilledWhileThePriceCrossedTwoLevelsIsRebuiltWithoutADuplicateOrAGap() async throws {
        let exchange = Self.exchange()
        let opening = try await Self.runner(exchange).open(price: 160)
        // The worker is gone; the price falls through 150 and 125 and comes back to 140.
        exchange.setPrice("BTCUSDT", 120)
        exchange.setPrice("BTCUSDT", 140)
        let restarted = Self.runner(exchange)
        let rebuilt = try await restarted.rebuild(from: opening)
        #expect(rebuilt.place.map(\.side) == [.sell, .sell])
        #expect(rebuilt.cancel.isEmpty)
        #expect(try await Self.resting(exchange) == ["0 BUY 100", "1 SELL 150", "2 SELL 175", "3 SELL 200"])
        // A second restart changes nothing.
        let again = try await Self.runner(exchange).rebuild(from: opening)
        #expect(again.place.isEmpty && again.cancel.isEmpty)
        #expect(try await Self.resting(exchange).count == 4)
        // Another grid of the same user on the same symbol (grid 10: grid 1's ids are a prefix of
        // its ids) keeps its orders through grid 1's rebuild.
        let other = GridRunner(client: exchange, user: 5, grid: 10, plan: Self.plan, filters: Self.filters, takerFee: d("0.001"))
        exchange.setBalance("USDT", 1_000)
        _ = try await other.open(price: 140)
        let beside = try await exchange.openOrders(symbol: "BTCUSDT").count
        let third = try await Self.runner(exchange).rebuild(from: opening)
        #expect(third.place.isEmpty && third.cancel.isEmpty)
        #expect(try await exchange.openOrders(symbol: "BTCUSDT").count == beside)
        // And the rebuilt runner carries on: the sell at 150 fills and the buy at 125 returns.
        exchange.setPrice("BTCUSDT", 151)
        try await restarted.sync()
        let gridOne = try await exchange.openOrders(symbol: "BTCUSDT").filter { $0.clientOrderID.contains("-1-G") }
        #expect(gridOne.map { "\($0.side) \($0.price)" }.sorted() == ["BUY 100", "BUY 125", "SELL 175", "SELL 200"])
    }
}
