import Common
import Foundation
import Testing

@testable import Worker

/// The bot's decisions as value types: risk, entries, exits, intents. No process, no network.
@Suite struct DecisionTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }
    static let btc = SymbolFilters(
        symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: d("0.01"), maxPrice: 1_000_000, tickSize: d("0.01"), minQty: d("0.00001"),
        maxQty: 9_000, stepSize: d("0.00001"), minNotional: 5)
    static let risk = BotSettings.defaults.risk  // 10 % / 1000 USDT / 3 positions / SL 2 % / TP 4 % / daily 200
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func context(equity: Decimal? = 10_000, free: Decimal = 10_000, open: Int = 0, today: Decimal = 0, cooldown: Date? = nil, active: Bool = false)
        -> RiskCheck.Context
    {
        RiskCheck.Context(
            now: now, price: 40_000, filters: btc, equityUSDT: equity, freeUSDT: free, openPositions: open, todayPnL: today, cooldownUntil: cooldown,
            hasActivePosition: active)
    }

    // MARK: Risk

    @Test func riskSizesAnEntryByTheSmallerLimit() {
        // 10 % of 10,000 = 1,000 USDT = max_position_usdt; / (40,000 × 1.002) = 0.02495…, down to the step.
        #expect(RiskCheck(limits: Self.risk).entry(Self.context()) == .allow(quantity: Self.d("0.02495")))
        var small = Self.risk
        small.maxPositionUsdt = 100
        #expect(RiskCheck(limits: small).entry(Self.context()) == .allow(quantity: Self.d("0.00249")))
    }

    @Test func riskReducesARequestAboveTheLimitsAndKeepsOneBelow() {
        let check = RiskCheck(limits: Self.risk)
        #expect(check.entry(Self.context(), requested: Self.d("0.01")) == .allow(quantity: Self.d("0.01")))
        guard case .reduce(let qty, let why) = check.entry(Self.context(), requested: 1) else {
            Issue.record("a request of 1 BTC must be reduced")
            return
        }
        #expect(qty == Self.d("0.02495") && why.contains("position limits"))
        guard case .reduce(let byBalance, let because) = check.entry(Self.context(free: 200), requested: 1) else {
            Issue.record("a request above the free balance must be reduced")
            return
        }
        #expect(byBalance == Self.d("0.00496") && because.contains("free balance"))
    }

    @Test(arguments: [
        (context(active: true), "already open"),
        (context(cooldown: now.addingTimeInterval(60)), "cooldown"),
        (context(open: 3), "maximum open positions (3)"),
        (context(today: -200), "daily loss limit"),
        (context(equity: nil), "not known yet"),
        (context(free: 4), "too little balance"),
    ])
    func riskRefusesWithTheReason(context: RiskCheck.Context, reason: String) {
        guard case .refuse(let why) = RiskCheck(limits: Self.risk).entry(context) else {
            Issue.record("expected a refusal naming \(reason)")
            return
        }
        #expect(why.contains(reason), "\(why)")
    }

    @Test func anExpiredCooldownAllows() {
        #expect(RiskCheck(limits: Self.risk).entry(Self.context(cooldown: Self.now.addingTimeInterval(-1))).quantity != nil)
    }

    // MARK: Exits

    @Test func exitsAreOneSellOCOAroundTheAverageEntry() throws {
        let outcome = ExitPlan.oco(
            user: 3, symbol: "BTCUSDT", quantity: Self.d("0.024926"), averageEntry: 40_000, risk: Self.risk, filters: Self.btc, lastPrice: 40_100,
            key: 1_800_000_000)
        guard case .oco(let list) = outcome else {
            Issue.record("expected an OCO, got \(outcome)")
            return
        }
        #expect(list.side == .sell && list.quantity == Self.d("0.02492"))
        #expect(list.above == .init(type: "LIMIT_MAKER", price: 41_600, clientOrderID: "u3-BTCUSDT-1800000000-XT"))
        #expect(list.below == .init(type: "STOP_LOSS", stopPrice: 39_200, clientOrderID: "u3-BTCUSDT-1800000000-XS"))
        #expect(list.listClientOrderID == "u3-BTCUSDT-1800000000-XL")
    }

    @Test func aTighterTrailingStopRestsAsTrailingDeltaAloneAndAWiderOneStaysWithTheBot() {
        var risk = Self.risk  // stop-loss 2 %
        risk.trailingStopPct = 1.5
        guard case .oco(let list) = ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: 1, averageEntry: 40_000, risk: risk, filters: Self.btc, lastPrice: 40_000, key: 1)
        else {
            Issue.record("expected an OCO")
            return
        }
        // No stopPrice: with one, tracking would start only once the price fell to it.
        #expect(list.below.trailingDelta == 150 && list.below.stopPrice == nil)
        #expect(!ExitPlan.trailingStaysWithBot(risk))
        risk.trailingStopPct = 3
        guard case .oco(let wide) = ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: 1, averageEntry: 40_000, risk: risk, filters: Self.btc, lastPrice: 40_000, key: 1)
        else {
            Issue.record("expected an OCO")
            return
        }
        #expect(wide.below.trailingDelta == nil && wide.below.stopPrice == 39_200 && ExitPlan.trailingStaysWithBot(risk))
    }

    @Test func oneLevelAloneRestsAsOneOrder() {
        var stopOnly = Self.risk
        stopOnly.takeProfitPct = 0
        guard case .single(let stop) = ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: 1, averageEntry: 40_000, risk: stopOnly, filters: Self.btc, lastPrice: 40_000, key: 9)
        else {
            Issue.record("a stop-loss alone rests as one STOP_LOSS order")
            return
        }
        #expect(stop.kind == .conditional(ConditionalOrder(trigger: .stopLoss, quantity: 1, stopPrice: 39_200)) && stop.clientOrderID == "u1-BTCUSDT-9-XS")
        var trailingOnly = stopOnly
        trailingOnly.stopLossPct = 0
        trailingOnly.trailingStopPct = 1
        guard case .single(let trailing) = ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: 1, averageEntry: 40_000, risk: trailingOnly, filters: Self.btc, lastPrice: 40_000, key: 9)
        else {
            Issue.record("a trailing stop alone rests as one trailing STOP_LOSS")
            return
        }
        #expect(trailing.kind == .conditional(ConditionalOrder(trigger: .stopLoss, quantity: 1, stopPrice: nil, trailingDelta: 100)))
        var profitOnly = Self.risk
        profitOnly.stopLossPct = 0
        guard case .single(let profit) = ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: 1, averageEntry: 40_000, risk: profitOnly, filters: Self.btc, lastPrice: 40_000, key: 9)
        else {
            Issue.record("a take-profit alone rests as one LIMIT_MAKER")
            return
        }
        #expect(profit.kind == .limitMaker(quantity: 1, price: 41_600) && profit.clientOrderID == "u1-BTCUSDT-9-XT")
    }

    @Test func exitsThatCannotRestOnTheExchangeSaySo() {
        var none = Self.risk
        none.stopLossPct = 0
        none.takeProfitPct = 0
        #expect(ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: 1, averageEntry: 40_000, risk: none, filters: Self.btc, lastPrice: 40_000, key: 1) == .none)
        guard case .impossible(let passed) = ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: 1, averageEntry: 40_000, risk: Self.risk, filters: Self.btc, lastPrice: 39_000, key: 1)
        else { Issue.record("a stop the price has passed cannot rest"); return }
        #expect(passed.contains("below the stop-loss"))
        guard case .impossible(let tiny) = ExitPlan.oco(user: 1, symbol: "BTCUSDT", quantity: Self.d("0.0001"), averageEntry: 40_000, risk: Self.risk, filters: Self.btc, lastPrice: 40_000, key: 1)
        else { Issue.record("exits below the minimum notional cannot rest"); return }
        #expect(tiny.contains("NOTIONAL"))
    }

    @Test func manualExitIDsFollowTheOrdersID() {
        #expect(ExitPlan.IDs.manual("u1-BTCUSDT-abc123-M") == .init(list: "u1-BTCUSDT-abc123-ML", takeProfit: "u1-BTCUSDT-abc123-MT", stopLoss: "u1-BTCUSDT-abc123-MS"))
        let long = ExitPlan.IDs.manual("u123-1000CHEE1ABC-ABCDEFGHIJKLMNOP-M")
        #expect(long.takeProfit.count <= 36 && OrderPurpose(long.takeProfit).isTakeProfitLeg && OrderPurpose(long.stopLoss).isStopLossLeg)
    }

    @Test func inBotExitsInTheirOrder() {
        #expect(InBotExit.decide(price: 39_200, averageEntry: 40_000, peak: 40_000, risk: Self.risk) == .stopLoss)
        #expect(InBotExit.decide(price: 41_600, averageEntry: 40_000, peak: 41_600, risk: Self.risk) == .takeProfit)
        #expect(InBotExit.decide(price: 40_500, averageEntry: 40_000, peak: 40_600, risk: Self.risk) == nil)
        var trailing = Self.risk
        trailing.trailingStopPct = 1
        #expect(InBotExit.decide(price: 40_194, averageEntry: 40_000, peak: 40_600, risk: trailing) == .trailingStop)
    }

    // MARK: Entries

    @Test func entriesAreMarketOrLimitBelowTheBestPrice() {
        var execution = BotSettings.Execution.defaults
        #expect(EntryPlan.order(symbol: "BTCUSDT", quantity: 1, bestPrice: 40_000, execution: execution, filters: Self.btc, clientOrderID: "x").kind == .market(quantity: 1))
        execution.entry = .limit
        execution.entryOffsetPct = 0.25
        #expect(
            EntryPlan.order(symbol: "BTCUSDT", quantity: 1, bestPrice: Self.d("40000.03"), execution: execution, filters: Self.btc, clientOrderID: "x").kind
                == .limit(quantity: 1, price: Self.d("39900.02"), timeInForce: "GTC"))
    }

    @Test func aLimitEntryTimesOutIntoACancelOrAReprice() {
        var execution = BotSettings.Execution.defaults
        execution.entry = .limit
        execution.entryTimeoutSeconds = 30
        let placed = Self.now
        func decide(after seconds: Double, best: Decimal) -> EntryPlan.TimeoutDecision {
            EntryPlan.onTimeout(placedAt: placed, now: placed.addingTimeInterval(seconds), currentLimit: 39_960, bestPrice: best, execution: execution, filters: Self.btc)
        }
        #expect(decide(after: 29.9, best: 41_000) == .wait)
        #expect(decide(after: 30, best: 41_000) == .cancel(reason: "not filled within 30 s"))
        execution.entryTimeoutAction = .reprice
        #expect(decide(after: 30, best: 41_000) == .reprice(price: 40_959))
        #expect(decide(after: 30, best: 40_000) == .wait)  // the same price again: nothing to replace
    }

    @Test func repricedEntriesTakeTheNextIDAndStopAfterNine() {
        #expect(OrderPurpose("u1-BTCUSDT-100-BE").nextReprice == "u1-BTCUSDT-100-B1")
        #expect(OrderPurpose("u1-BTCUSDT-100-B8").nextReprice == "u1-BTCUSDT-100-B9")
        #expect(OrderPurpose("u1-BTCUSDT-100-B9").nextReprice == nil)
        #expect(OrderPurpose("u1-BTCUSDT-100-B3").isEntry && !OrderPurpose("u1-BTCUSDT-100-SX").isEntry)
        #expect(OrderPurpose("u1-BTCUSDT-100-XS").isStopLossLeg && OrderPurpose("u1-BTCUSDT-100-XT").isExitLeg)
    }

    // MARK: Strategy intents on scripted prices

    @Test func smaCrossIntentsOnScriptedCloses() {
        var strategy = LiveStrategy(BotSettings.Strategy(name: "sma_cross", params: ["fast": 2, "slow": 3]), fee: 0.001)
        // Falling, then rising (a cross above), then falling (a cross below).
        let closes: [Double] = [10, 9, 8, 7, 8, 10, 12, 11, 8, 6]
        var holding = false
        var intents: [(Int, OrderIntent)] = []
        for (index, close) in closes.enumerated() {
            let open = Int64(index) * 60_000
            let signal = strategy.onClose(StrategyCandle(openTime: open, open: close, high: close, low: close, close: close, volume: 1, closeTime: open + 59_999))
            for intent in SignalIntents.on(signal, symbol: "BTCUSDT", candleOpenTime: open, holding: holding, buyReason: strategy.buyReason, sellReason: strategy.sellReason) {
                intents.append((index, intent))
                if case .enter = intent.action { holding = true }
                if case .exit = intent.action { holding = false }
            }
        }
        #expect(intents.count == 2)
        #expect(intents.first?.0 == 5 && intents.first?.1 == OrderIntent(symbol: "BTCUSDT", action: .enter(quantity: nil), key: 300, reason: "strategy: SMA cross above"))
        #expect(intents.last?.0 == 8 && intents.last?.1.action == .exit && intents.last?.1.key == 480)
    }

    @Test func aSignalThatChangesNothingIsNoIntent() {
        #expect(SignalIntents.on(.buy, symbol: "BTCUSDT", candleOpenTime: 0, holding: true, buyReason: "", sellReason: "").isEmpty)
        #expect(SignalIntents.on(.sell, symbol: "BTCUSDT", candleOpenTime: 0, holding: false, buyReason: "", sellReason: "").isEmpty)
        #expect(SignalIntents.on(.hold, symbol: "BTCUSDT", candleOpenTime: 0, holding: false, buyReason: "", sellReason: "").isEmpty)
    }

    // MARK: The worker's own records

    @Test func anIntentIsRecordedAsTheOrderItWillBe() {
        let stop = NewOrder(
            symbol: "BTCUSDT", side: .sell,
            kind: .conditional(ConditionalOrder(trigger: .stopLossLimit, quantity: 1, stopPrice: 39_000, limitPrice: 38_900, timeInForce: "GTC")),
            clientOrderID: "u1-BTCUSDT-1-SLL")
        let record = OrderRecord(stop, at: Self.now, reason: "test")
        #expect(record.type == "STOP_LOSS_LIMIT" && record.price == 38_900 && record.stopPrice == 39_000 && record.status == .intent && record.origQty == 1)
        let manual = ManualOrder(symbol: "1000CHEEMSUSDT", side: "BUY", type: .market, quantity: 5000, requestID: "abc123")
        #expect(Trader.manualClientOrderID(manual, user: UserID(7)) == "u7-1000CHEE\(ClientOrderID.shortSymbol("1000CHEEMSUSDT").suffix(4))-abc123-M")
    }
}
