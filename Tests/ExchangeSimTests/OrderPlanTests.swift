import Common
import Foundation
import Testing

@testable import ExchangeSim

/// What an order does against the simulator's synthetic book (`SimExchange.plan`, `walk`): the
/// levels it takes, and what it refuses. A market of round numbers: last 10,000, levels every
/// 0.05 % holding 25,000 USDT each (10,005 × 2.498, 10,010 × 2.497, …).
@Suite struct OrderPlanTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }
    static let market = MarketCatalog.Market(
        filters: SymbolFilters(
            symbol: "TESTUSDT", baseAsset: "TEST", quoteAsset: "USDT", minPrice: d("0.01"), maxPrice: 1_000_000, tickSize: d("0.01"),
            minQty: d("0.001"), maxQty: 9_000, stepSize: d("0.001"), minNotional: 5),
        startPrice: 10_000, volatility: 0)

    static func request(
        _ side: OrderSide, _ type: String, quantity: String? = nil, quote: Decimal? = nil, price: Decimal? = nil, tif: String? = nil,
        stop: Decimal? = nil, delta: Int? = nil
    ) -> OrderRequest {
        OrderRequest(
            symbol: "TESTUSDT", side: side, type: type, timeInForce: tif, quantity: quantity.map(d), quoteOrderQty: quote, price: price,
            clientOrderID: nil, stopPrice: stop, trailingDelta: delta)
    }

    static func plan(_ request: OrderRequest) throws(SimError) -> SimExchange.Plan {
        try SimExchange.plan(request, market: market, price: 10_000)
    }

    static func levels(_ plan: SimExchange.Plan) -> [String] { plan.takes.map { "\($0.quantity)@\($0.price)" } }

    @Test func aMarketOrderWalksTheLevelsAwayFromTheLastPrice() throws {
        let buy = try Self.plan(Self.request(.buy, "MARKET", quantity: "5"))
        #expect(Self.levels(buy) == ["2.498@10005", "2.497@10010", "0.005@10015"])
        #expect(buy.quantity == 5 && !buy.expiresUnfilled)
        let sell = try Self.plan(Self.request(.sell, "MARKET", quantity: "3"))
        #expect(Self.levels(sell) == ["2.501@9995", "0.499@9990"])
    }

    @Test func aMarketOrderByQuoteTakesWhatTheAmountBuys() throws {
        // 30,000 USDT: all of the first level (24,992.49), then 5,007.51 / 10,010 = 0.500 2… → 0.5.
        let plan = try Self.plan(Self.request(.buy, "MARKET", quote: 30_000))
        #expect(Self.levels(plan) == ["2.498@10005", "0.5@10010"])
        #expect(plan.quantity == Self.d("2.998"))
        #expect(throws: SimError.filter("NOTIONAL")) { try Self.plan(Self.request(.buy, "MARKET", quote: 4)) }
        #expect(throws: SimError.missing("quantity")) { try Self.plan(Self.request(.buy, "MARKET")) }
    }

    @Test func aLimitOrderTakesOnlyUpToItsPrice() throws {
        let gtc = try Self.plan(Self.request(.buy, "LIMIT", quantity: "5", price: 10_012, tif: "GTC"))
        #expect(Self.levels(gtc) == ["2.498@10005", "2.497@10010"])
        #expect(!gtc.expiresUnfilled)
        let below = try Self.plan(Self.request(.sell, "LIMIT", quantity: "1", price: 9_996, tif: "GTC"))
        #expect(below.takes.isEmpty)
        #expect(throws: SimError.missing("timeInForce")) { try Self.plan(Self.request(.buy, "LIMIT", quantity: "1", price: 9_000)) }
        #expect(throws: SimError.badTimeInForce) { try Self.plan(Self.request(.buy, "LIMIT", quantity: "1", price: 9_000, tif: "GTD")) }
    }

    @Test func aLimitMakerThatWouldTakeIsRefused() throws {
        #expect(throws: SimError.wouldTake) { try Self.plan(Self.request(.buy, "LIMIT_MAKER", quantity: "1", price: 10_005)) }
        #expect(throws: SimError.wouldTake) { try Self.plan(Self.request(.sell, "LIMIT_MAKER", quantity: "1", price: 9_995)) }
        let resting = try Self.plan(Self.request(.buy, "LIMIT_MAKER", quantity: "1", price: Self.d("10004.99")))
        #expect(resting.takes.isEmpty && !resting.expiresUnfilled)
    }

    @Test func fillOrKillTakesAllOrNothingAndImmediateOrCancelTakesWhatItCan() throws {
        // Up to 10,010 the book holds 4.995.
        let killed = try Self.plan(Self.request(.buy, "LIMIT", quantity: "5", price: 10_010, tif: "FOK"))
        #expect(killed.takes.isEmpty && killed.expiresUnfilled && killed.quantity == 5)
        let filled = try Self.plan(Self.request(.buy, "LIMIT", quantity: "4.995", price: 10_010, tif: "FOK"))
        #expect(Self.levels(filled) == ["2.498@10005", "2.497@10010"])
        let partial = try Self.plan(Self.request(.buy, "LIMIT", quantity: "5", price: 10_010, tif: "IOC"))
        #expect(Self.levels(partial) == ["2.498@10005", "2.497@10010"])
        #expect(partial.expiresUnfilled)
    }

    @Test func stopParametersAreCheckedAsBinanceChecksThem() throws {
        // SL SELL triggers on last ≤ stop: a stop at or above the last price would trigger at once.
        #expect(throws: SimError.wouldTrigger) { try Self.plan(Self.request(.sell, "STOP_LOSS", quantity: "1", stop: 10_000)) }
        let waiting = try Self.plan(Self.request(.sell, "STOP_LOSS", quantity: "1", stop: 9_900))
        #expect(waiting.takes.isEmpty && !waiting.expiresUnfilled)
        #expect(throws: SimError.eitherMissing("stopPrice", "trailingDelta")) { try Self.plan(Self.request(.sell, "STOP_LOSS", quantity: "1")) }
        #expect(throws: SimError.filter("TRAILING_DELTA")) { try Self.plan(Self.request(.sell, "STOP_LOSS", quantity: "1", delta: 9)) }
        _ = try Self.plan(Self.request(.sell, "STOP_LOSS", quantity: "1", delta: 10))
        #expect(throws: SimError.notRequired("stopPrice")) { try Self.plan(Self.request(.buy, "LIMIT", quantity: "1", price: 9_000, tif: "GTC", stop: 9_000)) }
        #expect(throws: SimError.badType) { try Self.plan(Self.request(.buy, "OCO", quantity: "1")) }
    }
}
