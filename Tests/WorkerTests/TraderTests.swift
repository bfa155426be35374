import Common
import Foundation
import Logging
import Synchronization
import Testing

@testable import Worker

/// The worker's `Trader` driven against `InMemoryExchange`: entries, exits resting on the
/// exchange, an exit filled while nobody watched, unknown answers, stale reports. No process,
/// no network, no sleep.
@Suite struct TraderTests {
    final class Reports: ReportSink {
        let list = Mutex<[WorkerReport]>([])
        func send(_ report: WorkerReport) { list.withLock { $0.append(report) } }
        var events: [String] {
            list.withLock { $0 }.compactMap { if case .event(_, _, let message) = $0 { message } else { nil } }
        }
    }

    final class Portfolio: PortfolioSource {
        let valuation: Mutex<PortfolioValuation?>
        init(current: PortfolioValuation?) { valuation = Mutex(current) }
        var current: PortfolioValuation? { valuation.withLock { $0 } }
        func set(_ new: PortfolioValuation) { valuation.withLock { $0 = new } }
    }

    static let filters = DecisionTests.btc

    /// A running trader for user 5 on BTCUSDT at 40,000 with 10,000 USDT, its settings' exits on
    /// the exchange (stop-loss 2 %, take-profit 4 %).
    static func trader(exits: BotSettings.Execution.Exits = .onExchange) async throws -> (Trader, InMemoryExchange, Reports, TraderDatabase) {
        let (trader, exchange, reports, database, _) = try await traderAndPortfolio(exits: exits)
        return (trader, exchange, reports, database)
    }

    static func traderAndPortfolio(exits: BotSettings.Execution.Exits = .onExchange) async throws
        -> (Trader, InMemoryExchange, Reports, TraderDatabase, Portfolio)
    {
        let exchange = InMemoryExchange()
        exchange.addSymbol(filters, price: 40_000)
        exchange.setBalance("USDT", 10_000)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("trader-\(UUID().uuidString)").path
        let database = try TraderDatabase.open(DataDirectory(root: root), user: UserID(5))
        var settings = BotSettings.defaults
        settings.execution.exits = exits
        try database.setState("settings", String(decoding: settings.encoded(), as: UTF8.self))
        let bot = try BotState(database: database)
        try bot.set(.running)
        let reports = Reports()
        let valuation = PortfolioValuation(
            lines: [.init(asset: "USDT", free: 10_000, locked: 0, priceUSDT: 1, route: "USDT")], balancesAt: Date(), pricesAt: Date())
        let portfolio = Portfolio(current: valuation)
        let trader = Trader(
            user: UserID(5), client: exchange, streamBaseURL: "ws://127.0.0.1:1", reporter: reports, database: database, bot: bot,
            portfolio: portfolio, logger: Logger(label: "test"))
        await trader.knowSymbol("BTCUSDT")
        return (trader, exchange, reports, database, portfolio)
    }

    static func enter(_ trader: Trader, key: Int64 = 1_800_000_000) async {
        await trader.carryOut(OrderIntent(symbol: "BTCUSDT", action: .enter(quantity: nil), key: key, reason: "test entry"))
    }

    /// At start the bot adopts or cancels the open orders it did not place, but a grid's or a
    /// DCA deal's of the same user are another bot's: left resting, not adopted.
    @Test(arguments: ["adopt", "cancel"])
    func anotherBotsOrdersAreLeftAloneAtStart(unknownOrders: String) async throws {
        let (trader, exchange, _, database) = try await Self.trader()
        var settings = BotSettings.defaults
        settings.unknownOrders = unknownOrders
        _ = await trader.apply(settingsJSON: String(decoding: settings.encoded(), as: UTF8.self))
        exchange.setBalance("BTC", 1)
        let ids = [
            GridOrderID.make(user: 5, symbol: "BTCUSDT", grid: 2, cell: 0, side: .buy, sequence: 0), ClientOrderID.make(user: 5, symbol: "BTCUSDT", key: 3, purpose: "D0S1"),
            "web_foreign_1",
        ]
        for (index, id) in ids.enumerated() {
            _ = try await exchange.place(NewOrder(
                symbol: "BTCUSDT", side: index == 1 ? .sell : .buy, kind: .limit(quantity: Decimal(string: "0.001")!, price: index == 1 ? 50_000 : 30_000, timeInForce: "GTC"),
                clientOrderID: id))
        }
        await trader.reconcile()
        let resting = Set(try await exchange.openOrders().map(\.clientOrderID))
        let adopted = Set(try database.orders().map(\.clientOrderID))
        #expect(resting.isSuperset(of: ids.prefix(2)))
        #expect(adopted.isDisjoint(with: ids.prefix(2)))
        // The foreign one is handled as the settings say.
        #expect(unknownOrders == "adopt" ? adopted.contains("web_foreign_1") : !resting.contains("web_foreign_1"))
    }

    /// A worker killed between the exchange's answer and its report (its host lost): the next
    /// worker, on another host, finds the bot's filled order on the exchange and records it and its
    /// fill once, with the position it opened; other users' and the grid's orders are not its own.
    @Test func anOrderThatTradedWithoutBeingRecordedIsRecordedOnceAtStart() async throws {
        let (trader, exchange, reports, database) = try await Self.trader()
        let mine = ClientOrderID.make(user: 5, symbol: "BTCUSDT", key: 7, purpose: "BE")
        let ids = [mine, ClientOrderID.make(user: 6, symbol: "BTCUSDT", key: 7, purpose: "BE"), GridOrderID.make(user: 5, symbol: "BTCUSDT", grid: 2, cell: 0, side: .buy, sequence: 0)]
        for id in ids {
            _ = try await exchange.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .market(quantity: Decimal(string: "0.01")!), clientOrderID: id))
        }
        #expect(try database.orders().isEmpty)
        await trader.reconcile()
        await trader.reconcile()
        // Recorded, filled; the position it opened gets its exits as any entry's.
        let recorded = try database.orders().filter { !OrderPurpose($0.clientOrderID).isExitLeg }
        #expect(recorded.map(\.clientOrderID) == [mine] && recorded.first?.status == .filled, "\(recorded)")
        let fills = try database.fills()
        #expect(fills.count == 1 && fills.first?.clientOrderID == mine && fills.first?.qty == Decimal(string: "0.01")!)
        #expect((await trader.positions["BTCUSDT"]?.qty ?? 0) > Decimal(string: "0.009")!)
        #expect(reports.list.withLock { $0 }.filter { if case .fill = $0 { true } else { false } }.count == 1)
    }

    @Test func aFilledEntryGetsItsExitsOnTheExchangeAsOneOCO() async throws {
        let (mine, myExchange, _, myDatabase) = try await Self.trader()
        #expect(try await myExchange.openOrders().isEmpty)
        await Self.enter(mine)
        let open = try await myExchange.openOrders()
        #expect(Set(open.map(\.type)) == ["LIMIT_MAKER", "STOP_LOSS"] && Set(open.map(\.orderListID)).count == 1, "\(open)")
        let orders = try myDatabase.orders()
        #expect(orders.first { $0.clientOrderID == "u5-BTCUSDT-1800000000-BE" }?.status == .filled)
        let legs = orders.filter { OrderPurpose($0.clientOrderID).isExitLeg }
        #expect(legs.count == 2 && legs.allSatisfy { $0.status == .new && $0.orderListID != nil }, "\(legs)")
        #expect(legs.first { OrderPurpose($0.clientOrderID).isStopLossLeg }?.stopPrice != nil)
        // The same decision again sends nothing.
        await Self.enter(mine)
        #expect(try await myExchange.myTrades(symbol: "BTCUSDT").count == 1)
    }

    @Test func anExitFilledByTheExchangeIsRecordedOnceAndClosesThePosition() async throws {
        let (trader, exchange, reports, database) = try await Self.trader()
        await Self.enter(trader)
        let stop = try #require(try await exchange.openOrders().first { $0.type == "STOP_LOSS" }?.stopPrice)
        exchange.setPrice("BTCUSDT", stop - 50)  // the exchange sells; the worker was not asked
        #expect(try await exchange.openOrders().isEmpty)
        await trader.resolveUnknown(force: true)
        await trader.resolveUnknown(force: true)
        let trades = try await exchange.myTrades(symbol: "BTCUSDT")
        let fills = try database.fills()
        #expect(fills.count == trades.count && Set(fills.map(\.tradeID)) == Set(trades.map(\.tradeID)))
        let legs = try database.orders().filter { OrderPurpose($0.clientOrderID).isExitLeg }
        #expect(Set(legs.map(\.status)) == [.filled, .expired], "\(legs)")
        let position = try #require(await trader.positions["BTCUSDT"])
        // What the OCO could not sell (below the lot step, after the commission taken in BTC) is dust.
        #expect(await !trader.isActive(position) && position.qty < Self.filters.stepSize && position.realizedPnL < 0, "\(position)")
        #expect(reports.events.contains { $0.contains("stop-loss filled on the exchange") })
        #expect(await trader.cooldownUntil["BTCUSDT"] != nil, "a stop-loss starts the cooldown")
    }

    @Test func inBotExitsPlaceNothingOnTheExchange() async throws {
        let (trader, exchange, _, _) = try await Self.trader(exits: .inBot)
        await Self.enter(trader)
        #expect(try await exchange.openOrders().isEmpty)
        exchange.setPrice("BTCUSDT", 39_000)
        await trader.onKline(symbol: "BTCUSDT", kline: Kline(openTime: 0, open: 39_000, high: 39_000, low: 39_000, close: 39_000, volume: 1, closeTime: 999, trades: 1), closed: false)
        let sold = try await exchange.myTrades(symbol: "BTCUSDT").filter { !$0.isBuyer }
        #expect(sold.count == 1, "the bot sold at market itself")
    }

    @Test func anUnansweredEntryIsLookedUpNeverResent() async throws {
        let (trader, exchange, _, database) = try await Self.trader()
        exchange.dropNextAnswer()
        await Self.enter(trader)
        #expect(try database.orders().first?.status == .unknown)
        await trader.resolveUnknown()
        #expect(try database.orders().first { $0.clientOrderID.hasSuffix("-BE") }?.status == .filled)
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").filter(\.isBuyer).count == 1)
    }

    @Test func aStaleReportNeverReopensAFilledOrder() async throws {
        let (trader, _, _, database) = try await Self.trader(exits: .inBot)
        await Self.enter(trader)
        var filled = try #require(try database.orders().first)
        #expect(filled.status == .filled)
        let stale = OrderReport(
            symbol: "BTCUSDT", orderID: filled.orderID ?? 0, clientOrderID: filled.clientOrderID, side: "BUY", type: "MARKET", status: "NEW", price: 0,
            origQty: filled.origQty, executedQty: 0, cumulativeQuoteQty: 0, fills: [])
        await trader.absorb(stale, into: &filled)
        #expect(try database.orders().first?.status == .filled && filled.status == .filled && filled.executedQty > 0)
    }

    @Test func aRefusedOrderIsRecordedWithTheExchangesReason() async throws {
        let (trader, exchange, reports, database) = try await Self.trader()
        exchange.failNext(.rejected(code: -2010, message: "Account has insufficient balance for requested action."))
        await Self.enter(trader)
        let order = try #require(try database.orders().first)
        #expect(order.status == .rejected && (order.reason ?? "").contains("insufficient balance"))
        #expect(reports.events.contains { $0.contains("refused") })
    }

    @Test func aManualOrderWithExitsRestsThemOnceItFills() async throws {
        let (trader, exchange, _, database) = try await Self.trader(exits: .inBot)
        let manual = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: Decimal(string: "0.01")!, takeProfit: 42_000, stopLoss: 38_000, requestID: "r1")
        let payload = String(decoding: try JSONEncoder().encode(manual), as: UTF8.self)
        #expect(await trader.placeManual(payload: payload) == "ok")
        let open = try await exchange.openOrders()
        #expect(open.count == 2 && open.first { $0.type == "LIMIT_MAKER" }?.price == 42_000 && open.first { $0.type == "STOP_LOSS" }?.stopPrice == 38_000, "\(open)")
        #expect(try database.orders().contains { $0.clientOrderID == "u5-BTCUSDT-r1-MT" })
        #expect(await trader.placeManual(payload: payload) == "ok")  // the same request: nothing new
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").count == 1)
        let bad = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: Decimal(string: "0.000001")!, requestID: "r2")
        let refused = await trader.placeManual(payload: String(decoding: try JSONEncoder().encode(bad), as: UTF8.self))
        #expect(refused.hasPrefix("refused: quantity") && refused.contains("LOT_SIZE"), "\(refused)")
    }
}

extension TraderTests {
    @Test func aManualOrderThatWaitedTooLongIsNotPlaced() async throws {
        let (trader, exchange, reports, _) = try await Self.trader()
        var late = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: Decimal(string: "0.01")!, requestID: "late1")
        late.requestedAt = Date().addingTimeInterval(-61)
        let answer = await trader.placeManual(payload: String(decoding: try JSONEncoder().encode(late), as: UTF8.self))
        #expect(answer.contains("more than 60 s ago"), "\(answer)")
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").isEmpty)
        #expect(reports.events.contains { $0.contains("not placed") })
        late.requestedAt = Date()
        #expect(await trader.placeManual(payload: String(decoding: try JSONEncoder().encode(late), as: UTF8.self)) == "ok")
    }
}

extension TraderTests {
    @Test func aStrategySaleTakesTheExitsOffTheExchangeFirstAndSellsThePosition() async throws {
        let (trader, exchange, _, database, portfolio) = try await Self.traderAndPortfolio()
        await Self.enter(trader)
        #expect(try await exchange.openOrders().count == 2)
        // The latest valuation saw the coins locked by the exits (and not yet freed by their cancel).
        let held = try #require(await trader.positions["BTCUSDT"]?.qty)
        portfolio.set(
            PortfolioValuation(
                lines: [.init(asset: "BTC", free: 0, locked: held, priceUSDT: 40_000, route: "BTCUSDT")], balancesAt: Date().addingTimeInterval(60),
                pricesAt: Date()))
        await trader.carryOut(OrderIntent(symbol: "BTCUSDT", action: .exit, key: 1_800_000_060, reason: "strategy: SMA cross below"))
        #expect(try await exchange.openOrders().isEmpty, "the OCO is cancelled, not left to sell a second time")
        let sales = try await exchange.myTrades(symbol: "BTCUSDT").filter { !$0.isBuyer }
        #expect(sales.count == 1)
        let position = try #require(await trader.positions["BTCUSDT"])
        #expect(await !trader.isActive(position))
        #expect(Set(try database.orders().filter { OrderPurpose($0.clientOrderID).isExitLeg }.map(\.status)) == [.canceled])
        await trader.ensureExits()
        #expect(try await exchange.openOrders().isEmpty, "a closed position gets no exits")
    }

    @Test func stopAndSellCancelsTheListsAndSellsWhileAPlainStopKeepsThem() async throws {
        let (trader, exchange, _, _) = try await Self.trader()
        await Self.enter(trader)
        #expect(await trader.command("stop", payload: #"{"close_positions":false}"#) == "ok")
        #expect(try await exchange.openOrders().count == 2, "a plain stop keeps the position protected")
        #expect(await trader.command("stop", payload: #"{"close_positions":true}"#) == "ok")
        #expect(try await exchange.openOrders().isEmpty)
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").filter { !$0.isBuyer }.count == 1)
    }

    /// The payloads the web sends (`StopPayload`, `CancelOrderPayload`, as the control socket
    /// carries them) are the ones the worker reads: cancelling a leg by its exchange id cancels the
    /// whole exit list; a payload without the id is refused by name.
    @Test func theWebsTypedPayloadsAreWhatTheWorkerReads() async throws {
        let (trader, exchange, _, database) = try await Self.trader()
        await Self.enter(trader)
        let leg = try #require(try database.orders().first { OrderPurpose($0.clientOrderID).isExitLeg && $0.orderID != nil })
        let cancel = CommandRequest(.cancelOrder, payload: CancelOrderPayload(orderID: try #require(leg.orderID)))
        #expect(await trader.command(cancel.command, payload: #"{"orderId":1}"#) == "refused: cancel_order needs order_id")
        #expect(await trader.command(cancel.command, payload: cancel.payload) == "ok")
        #expect(try await exchange.openOrders().isEmpty, "both legs of the list")
        let stop = CommandRequest(.stop, payload: StopPayload(closePositions: true))
        #expect(await trader.command(stop.command, payload: stop.payload) == "ok")
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").filter { !$0.isBuyer }.count == 1, "stop and sell sold")
    }

    @Test func anEmergencyStopCancelsTheListsAndPlacesNoNewExits() async throws {
        let (trader, exchange, _, _) = try await Self.trader()
        await Self.enter(trader)
        #expect(await trader.command("emergency_stop", payload: nil) == "ok")
        #expect(try await exchange.openOrders().isEmpty)
        await trader.ensureExits()
        #expect(try await exchange.openOrders().isEmpty, "stopped by emergency: nothing is placed again")
    }
}

extension TraderTests {
    static func trader(risk change: (inout BotSettings.Risk) -> Void) async throws -> (Trader, InMemoryExchange, TraderDatabase) {
        let (trader, exchange, _, database) = try await trader()
        var settings = BotSettings.defaults
        change(&settings.risk)
        _ = await trader.apply(settingsJSON: String(decoding: settings.encoded(), as: UTF8.self))
        return (trader, exchange, database)
    }

    static func tick(_ trader: Trader, _ exchange: InMemoryExchange, _ price: Decimal) async {
        exchange.setPrice("BTCUSDT", price)
        await trader.onKline(
            symbol: "BTCUSDT", kline: Kline(openTime: 0, open: price, high: price, low: price, close: price, volume: 1, closeTime: 999, trades: 1), closed: false)
    }

    @Test func aStopLossAloneRestsOnTheExchangeAndSells() async throws {
        let (trader, exchange, database) = try await Self.trader { $0.takeProfitPct = 0 }
        await Self.enter(trader)
        let open = try await exchange.openOrders()
        #expect(open.count == 1 && open.first?.type == "STOP_LOSS" && open.first?.orderListID == -1, "\(open)")
        exchange.setPrice("BTCUSDT", 39_000)
        await trader.resolveUnknown(force: true)
        #expect(try database.orders().first { $0.clientOrderID.hasSuffix("-XS") }?.status == .filled)
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").filter { !$0.isBuyer }.count == 1)
    }

    @Test func aTrailingStopWiderThanTheStopLossIsWatchedByTheBotBesideTheExchangesStop() async throws {
        let (trader, exchange, _) = try await Self.trader { $0.trailingStopPct = 3 }  // stop-loss 2 %, take-profit 4 %
        await Self.enter(trader)
        let open = try await exchange.openOrders()
        #expect(open.first { $0.type == "STOP_LOSS" }?.stopPrice != nil && open.count == 2, "the exchange holds the fixed stop")
        await Self.tick(trader, exchange, 41_000)
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").filter { !$0.isBuyer }.isEmpty)
        await Self.tick(trader, exchange, 39_700)  // 3.2 % below the peak, above the fixed stop (≈ 39,2xx)
        #expect(try await exchange.openOrders().isEmpty, "the bot took the exits off the exchange …")
        #expect(try await exchange.myTrades(symbol: "BTCUSDT").filter { !$0.isBuyer }.count == 1, "… and sold on its trailing stop")
    }
}

extension TraderTests {
    @Test func aManualOrderIsCheckedAgainstTheExchangesPriceNotAStaleCandle() async throws {
        let (trader, exchange, _, _) = try await Self.trader(exits: .inBot)
        // The bot's last price is an old candle's close (a warm-up), far from the market's 40,000.
        await trader.onKline(
            symbol: "BTCUSDT", kline: Kline(openTime: 0, open: 45_000, high: 45_000, low: 45_000, close: 45_000, volume: 1, closeTime: 999, trades: 1),
            closed: false)
        let manual = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: Decimal(string: "0.01")!, takeProfit: 42_000, stopLoss: 38_000, requestID: "fresh1")
        #expect(await trader.placeManual(payload: String(decoding: try JSONEncoder().encode(manual), as: UTF8.self)) == "ok")
        let open = try await exchange.openOrders()
        #expect(Set(open.map(\.type)) == ["LIMIT_MAKER", "STOP_LOSS"], "the exits rest: \(open)")
    }
}
