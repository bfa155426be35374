import Foundation
import Testing

@testable import Common

@Suite struct InMemoryExchangeTests {
    static let filters = SymbolFilters(
        symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: 0.01, maxPrice: 1_000_000, tickSize: 0.01,
        minQty: Decimal(string: "0.001")!, maxQty: 1_000, stepSize: Decimal(string: "0.001")!, minNotional: 5)

    let exchange: InMemoryExchange

    init() {
        exchange = InMemoryExchange()
        exchange.addSymbol(Self.filters, price: 100)
        exchange.setBalance("USDT", 10_000)
        exchange.setBalance("BTC", 1)
    }

    static func order(_ side: SymbolFilters.Side, _ kind: NewOrder.Kind, id: String) -> NewOrder {
        NewOrder(symbol: "BTCUSDT", side: side, kind: kind, clientOrderID: id)
    }

    static func stop(_ trigger: ConditionalOrder.Trigger, quantity: Decimal, stop: Decimal?, trailing: Int? = nil) -> NewOrder.Kind {
        .conditional(ConditionalOrder(trigger: trigger, quantity: quantity, stopPrice: stop, trailingDelta: trailing))
    }

    /// The error a call throws, or nil when it succeeds.
    static func failure<T>(_ body: () async throws -> T) async -> ExchangeError? {
        do {
            _ = try await body()
            return nil
        } catch let error as ExchangeError {
            return error
        } catch {
            Issue.record("not an ExchangeError: \(error)")
            return nil
        }
    }

    func status(_ id: String) async throws -> String? {
        try await exchange.resolve(symbol: "BTCUSDT", clientOrderID: id)?.status
    }

    @Test func aLimitBuyRestsUntilThePriceCrossesThenFillsAtItsPriceAsMaker() async throws {
        let placed = try await exchange.place(Self.order(.buy, .limit(quantity: 1, price: 95, timeInForce: "GTC"), id: "a"))
        #expect(placed.status == "NEW")
        #expect(exchange.balance("USDT") == AccountSnapshot.Balance(asset: "USDT", free: 9_905, locked: 95))
        exchange.setPrice("BTCUSDT", Decimal(string: "95.01")!)
        #expect(try await status("a") == "NEW")
        #expect(try await exchange.openOrders().map(\.clientOrderID) == ["a"])
        exchange.setPrice("BTCUSDT", 94)
        let filled = try #require(try await exchange.resolve(symbol: "BTCUSDT", clientOrderID: "a"))
        #expect(filled.status == "FILLED")
        #expect(filled.executedQty == 1)
        #expect(filled.fills.map(\.price) == [95])
        let trades = try await exchange.myTrades(symbol: "BTCUSDT")
        #expect(trades.count == 1)
        #expect(trades.first?.isMaker == true)
        #expect(trades.first?.commission == Decimal(string: "0.001"))
        #expect(trades.first?.commissionAsset == "BTC")
        #expect(exchange.balance("USDT") == AccountSnapshot.Balance(asset: "USDT", free: 9_905, locked: 0))
        #expect(exchange.balance("BTC").free == Decimal(string: "1.999"))
        #expect(try await exchange.openOrders().isEmpty)
    }

    @Test func aMarketSellFillsAtOnceAtTheCurrentPriceAsTaker() async throws {
        let report = try await exchange.place(Self.order(.sell, .market(quantity: Decimal(string: "0.5")!), id: "m"))
        #expect(report.status == "FILLED")
        #expect(report.cumulativeQuoteQty == 50)
        #expect(try await exchange.myTrades(symbol: "BTCUSDT", orderID: report.orderID).first?.isMaker == false)
        #expect(exchange.balance("USDT").free == Decimal(string: "10049.95"))
        #expect(exchange.balance("BTC") == AccountSnapshot.Balance(asset: "BTC", free: Decimal(string: "0.5")!, locked: 0))
    }

    @Test func aStopLossTriggersWhenThePriceFallsToItsStop() async throws {
        _ = try await exchange.place(Self.order(.sell, Self.stop(.stopLoss, quantity: Decimal(string: "0.5")!, stop: 90), id: "sl"))
        #expect(exchange.balance("BTC").locked == Decimal(string: "0.5"))
        exchange.setPrice("BTCUSDT", Decimal(string: "90.01")!)
        #expect(try await status("sl") == "NEW")
        exchange.setPrice("BTCUSDT", 89)
        let report = try #require(try await exchange.resolve(symbol: "BTCUSDT", clientOrderID: "sl"))
        #expect(report.status == "FILLED")
        #expect(report.fills.map(\.price) == [89])
        #expect(report.stopPrice == 90)
    }

    @Test func aStopAlreadyReachedIsRefused() async {
        let error = await Self.failure { try await exchange.place(Self.order(.sell, Self.stop(.stopLoss, quantity: 1, stop: 101), id: "x")) }
        #expect(error == .rejected(code: -2010, message: "Order would trigger immediately."))
    }

    @Test func aTrailingStopFollowsTheBestPriceThenTriggers() async throws {
        _ = try await exchange.place(Self.order(.sell, Self.stop(.stopLoss, quantity: 1, stop: nil, trailing: 500), id: "trail"))
        exchange.setPrice("BTCUSDT", 100)  // tracking starts at the first price after placement
        exchange.setPrice("BTCUSDT", 96)  // 4 % below 100: not yet
        #expect(try await status("trail") == "NEW")
        exchange.setPrice("BTCUSDT", 120)  // the stop follows up to 114
        exchange.setPrice("BTCUSDT", Decimal(string: "114.01")!)
        #expect(try await status("trail") == "NEW")
        exchange.setPrice("BTCUSDT", 114)
        let report = try #require(try await exchange.resolve(symbol: "BTCUSDT", clientOrderID: "trail"))
        #expect(report.status == "FILLED")
        #expect(report.fills.map(\.price) == [114])
    }

    func placeSellOCO() async throws -> OrderListReport {
        let list = NewOCO(
            symbol: "BTCUSDT", side: .sell, quantity: Decimal(string: "0.5")!, listClientOrderID: "oco",
            above: .init(type: "LIMIT_MAKER", price: 110, clientOrderID: "tp"), below: .init(type: "STOP_LOSS", stopPrice: 90, clientOrderID: "sl"))
        return try await exchange.placeOCO(list)
    }

    @Test func anOCOsTakeProfitFillsAndItsStopExpires() async throws {
        let placed = try await placeSellOCO()
        #expect(placed.listOrderStatus == "EXECUTING")
        #expect(placed.orders.map(\.clientOrderID) == ["tp", "sl"])
        #expect(placed.orderReports.map(\.orderListID) == [placed.orderListID, placed.orderListID])
        #expect(exchange.balance("BTC").locked == Decimal(string: "0.5"))
        #expect(try await exchange.openOrderLists().count == 1)
        exchange.setPrice("BTCUSDT", 110)
        #expect(try await status("tp") == "FILLED")
        #expect(try await status("sl") == "EXPIRED")
        let list = try #require(try await exchange.resolveOrderList(listClientOrderID: "oco"))
        #expect(list.listStatusType == "ALL_DONE")
        #expect(list.listOrderStatus == "ALL_DONE")
        #expect(try await exchange.openOrderLists().isEmpty)
        #expect(exchange.balance("BTC") == AccountSnapshot.Balance(asset: "BTC", free: Decimal(string: "0.5")!, locked: 0))
        #expect(exchange.balance("USDT").free == Decimal(string: "10054.945"))
    }

    @Test func anOCOsStopTriggersAndItsTakeProfitExpires() async throws {
        _ = try await placeSellOCO()
        exchange.setPrice("BTCUSDT", 85)
        #expect(try await status("sl") == "FILLED")
        #expect(try await status("tp") == "EXPIRED")
        #expect(exchange.balance("BTC") == AccountSnapshot.Balance(asset: "BTC", free: Decimal(string: "0.5")!, locked: 0))
        #expect(try await exchange.resolveOrderList(listClientOrderID: "oco")?.listOrderStatus == "ALL_DONE")
    }

    @Test func cancellingAnOCOCancelsBothLegsAndFreesTheQuantity() async throws {
        let placed = try await placeSellOCO()
        let cancelled = try await exchange.cancelOrderList(symbol: "BTCUSDT", orderListID: placed.orderListID)
        #expect(cancelled.orderReports.map(\.status) == ["CANCELED", "CANCELED"])
        #expect(exchange.balance("BTC") == AccountSnapshot.Balance(asset: "BTC", free: 1, locked: 0))
        #expect(try await exchange.resolveOrderList(listClientOrderID: "nope") == nil)
    }

    @Test func anOCOWithPricesOnTheWrongSidesIsRefused() async {
        let list = NewOCO(
            symbol: "BTCUSDT", side: .sell, quantity: 1, listClientOrderID: "bad",
            above: .init(type: "TAKE_PROFIT", stopPrice: 95, clientOrderID: "tp"), below: .init(type: "STOP_LOSS", stopPrice: 90, clientOrderID: "sl"))
        let error = await Self.failure { try await exchange.placeOCO(list) }
        #expect(error == .rejected(code: -2010, message: "The relationship of the prices for the orders is not correct."))
        #expect(exchange.balance("BTC").locked == 0)
    }

    @Test func cancelReplaceSwapsOneRestingOrderForAnother() async throws {
        _ = try await exchange.place(Self.order(.buy, .limit(quantity: 1, price: 95, timeInForce: "GTC"), id: "a"))
        let report = try await exchange.cancelReplace(
            symbol: "BTCUSDT", cancelClientOrderID: "a", with: Self.order(.buy, .limit(quantity: 1, price: 96, timeInForce: "GTC"), id: "b"))
        #expect(report.cancelled?.status == "CANCELED")
        #expect(report.placed?.status == "NEW")
        #expect(try await exchange.openOrders().map(\.clientOrderID) == ["b"])
        #expect(exchange.balance("USDT").locked == 96)
    }

    @Test func cancelReplaceOfAMissingOrderChangesNothing() async throws {
        let error = await Self.failure {
            try await exchange.cancelReplace(
                symbol: "BTCUSDT", cancelClientOrderID: "nope", with: Self.order(.buy, .limit(quantity: 1, price: 96, timeInForce: "GTC"), id: "b"))
        }
        guard case .rejected(let code, let message) = error else { Issue.record("expected a refusal, got \(String(describing: error))"); return }
        #expect(code == -2022)
        #expect(message.contains("Unknown order sent."))
        #expect(try await exchange.openOrders().isEmpty)
    }

    @Test func aCancelReplaceWhoseNewOrderIsRefusedLeavesTheOldOneCancelled() async throws {
        _ = try await exchange.place(Self.order(.buy, .limit(quantity: 1, price: 95, timeInForce: "GTC"), id: "a"))
        let error = await Self.failure {
            try await exchange.cancelReplace(symbol: "BTCUSDT", cancelClientOrderID: "a", with: Self.order(.buy, .limitMaker(quantity: 1, price: 101), id: "b"))
        }
        guard case .rejected(let code, let message) = error else { Issue.record("expected a refusal"); return }
        #expect(code == -2021)
        #expect(message.contains("Order would immediately match and take."))
        #expect(try await status("a") == "CANCELED")
        #expect(exchange.balance("USDT").locked == 0)
    }

    @Test func aDuplicateIDOfAnOpenOrderIsRefusedAndFreeAgainOnceItEnds() async throws {
        let limit = Self.order(.buy, .limit(quantity: 1, price: 95, timeInForce: "GTC"), id: "a")
        _ = try await exchange.place(limit)
        #expect(await Self.failure { try await exchange.place(limit) } == .rejected(code: -2010, message: "Duplicate order sent."))
        _ = try await exchange.cancel(symbol: "BTCUSDT", clientOrderID: "a")
        #expect(try await exchange.place(limit).status == "NEW")
    }

    @Test func refusalsLookLikeBinances() async {
        let poor = Self.order(.buy, .limit(quantity: 200, price: 95, timeInForce: "GTC"), id: "p")
        #expect(
            await Self.failure { try await exchange.place(poor) } == .rejected(code: -2010, message: "Account has insufficient balance for requested action."))
        let taker = Self.order(.sell, .limitMaker(quantity: 1, price: 99), id: "t")
        #expect(await Self.failure { try await exchange.place(taker) } == .rejected(code: -2010, message: "Order would immediately match and take."))
        let unknown = NewOrder(symbol: "NOPEUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "u")
        #expect(await Self.failure { try await exchange.place(unknown) } == .rejected(code: -1121, message: "Invalid symbol."))
        let offStep = Self.order(.buy, .limit(quantity: Decimal(string: "0.0015")!, price: 95, timeInForce: "GTC"), id: "s")
        guard case .rejected(-1013, let message) = await Self.failure({ try await exchange.place(offStep) }) else { Issue.record("expected -1013"); return }
        #expect(message.hasPrefix("Filter failure: LOT_SIZE"))
        #expect(exchange.balance("USDT") == AccountSnapshot.Balance(asset: "USDT", free: 10_000, locked: 0))
    }

    @Test func aDroppedAnswerStillPlacesTheOrderAndResolveFindsIt() async throws {
        exchange.dropNextAnswer()
        let error = await Self.failure { try await exchange.place(Self.order(.buy, .limit(quantity: 1, price: 95, timeInForce: "GTC"), id: "lost")) }
        guard case .unknownOrderState(let id, _) = error else { Issue.record("expected an unknown state"); return }
        #expect(id == "lost")
        #expect(try await status("lost") == "NEW")
        #expect(try await exchange.resolve(symbol: "BTCUSDT", clientOrderID: "never") == nil)
    }

    @Test func anInjectedFailureHitsTheNextCallOnly() async throws {
        exchange.failNext(.temporary("test"))
        #expect(await Self.failure { try await exchange.tickerPrices() } == .temporary("test"))
        #expect(try await exchange.tickerPrices() == ["BTCUSDT": 100])
    }

    @Test func theAccountAndExchangeInfoReflectTheBook() async throws {
        exchange.now = 1_800_000_000_000
        let account = try await exchange.account()
        #expect(account.balances.map(\.asset) == ["BTC", "USDT"])
        #expect(account.updateTime == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(try await exchange.exchangeInfo(symbols: ["BTCUSDT"]) == [Self.filters])
        #expect(try await exchange.exchangeInfo(symbols: ["ETHUSDT"]).isEmpty)
        let placed = try await exchange.place(Self.order(.buy, .limit(quantity: 1, price: 95, timeInForce: "GTC"), id: "t"))
        #expect(placed.time == 1_800_000_000_000)
    }
}

@Suite struct InMemoryExchangeKlineTests {
    static func kline(_ openTime: Int64) -> Kline {
        Kline(openTime: openTime, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, closeTime: openTime + 59_999, trades: 3)
    }

    @Test func klinesAnswerAsBinanceDoesWithAndWithoutAStartTime() async throws {
        let exchange = InMemoryExchange()
        exchange.addSymbol(InMemoryExchangeTests.filters, price: 100)
        exchange.setKlines("BTCUSDT", interval: "1m", (0..<5).map { Self.kline($0 * 60_000) })
        let latest = try await exchange.klines(symbol: "BTCUSDT", interval: "1m", limit: 2, startTime: nil)
        #expect(latest.map(\.openTime) == [180_000, 240_000])
        let from = try await exchange.klines(symbol: "BTCUSDT", interval: "1m", limit: 2, startTime: 60_000)
        #expect(from.map(\.openTime) == [60_000, 120_000])
        #expect(try await exchange.klines(symbol: "BTCUSDT", interval: "5m", limit: 2, startTime: nil).isEmpty)
    }
}
