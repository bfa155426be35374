import Common
import Foundation
import Testing

@Suite struct ManualOrderTests {
    static let filters = SymbolFilters(
        symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: 0.01, maxPrice: 1_000_000, tickSize: 0.01,
        minQty: Decimal(string: "0.00001")!, maxQty: 9_000, stepSize: Decimal(string: "0.00001")!, minNotional: 5)
    static let last: Decimal = 50_000

    static func limitBuy(
        quantity: Decimal = Decimal(string: "0.001")!, price: Decimal? = 50_000, takeProfit: Decimal? = 55_000, stopLoss: Decimal? = 45_000
    ) -> ManualOrder {
        ManualOrder(
            symbol: "BTCUSDT", side: "BUY", type: .limit, quantity: quantity, price: price, takeProfit: takeProfit, stopLoss: stopLoss, requestID: "req1")
    }

    static func problem(_ order: ManualOrder) -> ManualOrder.Problem? {
        do {
            _ = try order.validated(filters: filters, lastPrice: last)
            return nil
        } catch {
            return error
        }
    }

    @Test func aGoodOrderPassesUnchanged() throws {
        let order = Self.limitBuy()
        #expect(try order.validated(filters: Self.filters, lastPrice: Self.last) == order)
        let market = ManualOrder(symbol: "BTCUSDT", side: "SELL", type: .market, quantity: Decimal(string: "0.001")!, requestID: "A1")
        #expect(Self.problem(market) == nil)
        let quote = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: nil, quoteQuantity: 10, requestID: "A2")
        #expect(Self.problem(quote) == nil)
    }

    @Test func aPriceOffTheTickIsRefusedOnPrice() {
        let problem = Self.problem(Self.limitBuy(price: Decimal(string: "50000.005")!))
        #expect(problem?.field == "price")
        #expect(problem?.message.contains("PRICE_FILTER") == true)
    }

    @Test func aQuantityOffTheStepIsRefusedOnQuantity() {
        let problem = Self.problem(Self.limitBuy(quantity: Decimal(string: "0.000015")!))
        #expect(problem?.field == "quantity")
        #expect(problem?.message.contains("LOT_SIZE") == true)
    }

    @Test func anOrderBelowTheMinimumNotionalIsRefused() {
        let problem = Self.problem(Self.limitBuy(quantity: Decimal(string: "0.00001")!, takeProfit: nil, stopLoss: nil))
        #expect(problem?.field == "quantity")
        #expect(problem?.message.contains("NOTIONAL") == true)
        let quote = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: nil, quoteQuantity: 4, requestID: "A2")
        #expect(Self.problem(quote)?.field == "quote_quantity")
    }

    @Test func aTakeProfitAtOrBelowTheEntryIsRefused() {
        #expect(Self.problem(Self.limitBuy(takeProfit: 49_000))?.field == "take_profit")
        #expect(Self.problem(Self.limitBuy(takeProfit: 50_000))?.field == "take_profit")
    }

    @Test func aStopLossAtOrAboveTheEntryIsRefused() {
        #expect(Self.problem(Self.limitBuy(stopLoss: 51_000))?.field == "stop_loss")
        #expect(Self.problem(Self.limitBuy(stopLoss: 50_000))?.field == "stop_loss")
    }

    @Test func anExitOffTheTickNamesThatExit() {
        let problem = Self.problem(Self.limitBuy(stopLoss: Decimal(string: "45000.001")!))
        #expect(problem?.field == "stop_loss")
        #expect(problem?.message.contains("PRICE_FILTER") == true)
    }

    @Test func exitsNeedBothLegs() {
        #expect(Self.problem(Self.limitBuy(stopLoss: nil))?.field == "stop_loss")
        #expect(Self.problem(Self.limitBuy(takeProfit: nil))?.field == "take_profit")
    }

    @Test func aSellWithExitsIsRefused() {
        var order = Self.limitBuy()
        order.side = "SELL"
        #expect(Self.problem(order)?.field == "take_profit")
    }

    @Test func aLimitOrderNeedsAPriceAndAMarketOrderTakesNone() {
        #expect(Self.problem(Self.limitBuy(price: nil))?.field == "price")
        let market = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: 1, price: 50_000, requestID: "A1")
        #expect(Self.problem(market)?.field == "price")
    }

    @Test func theSideTimeInForceAndRequestIDAreChecked() {
        var order = Self.limitBuy()
        order.side = "buy"
        #expect(Self.problem(order)?.field == "side")
        order = Self.limitBuy()
        order.timeInForce = "GTX"
        #expect(Self.problem(order)?.field == "time_in_force")
        order = Self.limitBuy()
        order.requestID = "has space"
        #expect(Self.problem(order)?.field == "request_id")
        order.requestID = String(repeating: "a", count: 17)
        #expect(Self.problem(order)?.field == "request_id")
    }
}
