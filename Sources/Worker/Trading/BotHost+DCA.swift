import Common
import Foundation

extension BotHost {
    /// A new DCA bot is checked against the exchange (``DCAPlan/refusals``); its deals open as
    /// its start condition says, in ``stepDCA``. A bot the worker ran before gets its open
    /// deals back from the exchange.
    func startDCA(_ bot: Bot, _ parameters: DCAParameters, filters: SymbolFilters, price: Decimal, rebuilding: Bool) async throws {
        let plan = DCAPlan(parameters)
        let runner = DCARunner(client: bot.exchange, user: user, bot: Self.orderKey(bot: bot.id, run: bot.record.run), plan: plan, filters: filters)
        bot.dca = runner
        if rebuilding {
            var open: [Int] = []
            for number in bot.record.openDeals where try await runner.rebuild(deal: number) { open.append(number) }
            bot.record.openDeals = open
            return
        }
        let free = try await freeQuote(bot.exchange, filters)
        let refusals = plan.refusals(filters: filters, price: price, makerFee: fee, takerFee: fee, freeQuote: free, allocation: bot.definition.allocationUsdt)
        guard refusals.isEmpty else { throw StartFailure(refusals.map { $0.description }.joined(separator: "; ")) }
    }

    /// One look at the deals (filled safety orders move the take-profit, a filled take-profit
    /// closes the deal), then a new deal when there is room and the start condition holds.
    func stepDCA(_ bot: Bot, _ runner: DCARunner, _ parameters: DCAParameters, price: Decimal, now: Date) async throws {
        try await runner.sync(price: price)
        var changed = collectDeals(bot, dca: await runner.deals)
        if bot.record.openDeals.count < parameters.maxActiveDeals, try await startsNow(bot, parameters, now: now) {
            try await openDeal(bot, runner)
            changed = true
        }
        changed = recordFills(bot, await runner.takeFills()) || changed
        if changed { save(bot) }
    }

    /// Opens the bot's next deal: its base order at market, its safety orders and take-profit.
    /// Returns the deal's number.
    @discardableResult
    func openDeal(_ bot: Bot, _ runner: DCARunner) async throws -> Int {
        let number = bot.record.nextDeal
        bot.record.nextDeal += 1
        bot.record.openDeals.append(number)
        // Recorded before the base order goes out: a worker killed now finds the deal again.
        save(bot)
        do {
            try await runner.open(deal: number)
        } catch {
            // Refused: no deal. Unknown: the next restart resolves it by its client id.
            if case .unknownOrderState = error {} else { bot.record.openDeals.removeAll { $0 == number } }
            save(bot)
            throw error
        }
        return number
    }

    /// A hook's `start_deal`: a deal now, whatever the start condition, when there is room.
    func startDealOnSignal(_ bot: Bot, now: Date) async -> String {
        guard let runner = bot.dca, case .dca(let parameters) = bot.definition.plan else { return "refused: a \(bot.definition.strategyName) bot opens no deals" }
        guard bot.record.openDeals.count < parameters.maxActiveDeals else {
            return "refused: the bot has \(bot.record.openDeals.count) open deal(s), its most (max_deals \(parameters.maxActiveDeals))"
        }
        do {
            let number = try await openDeal(bot, runner)
            recordFills(bot, await runner.takeFills())
            if let paper = bot.paper, paper.revision != bot.savedRevision { save(bot) }
            save(bot)
            await report(bot, now: now, force: true)
            return "ok: deal \(number) opened"
        } catch {
            bot.error = "exchange: \(error)"
            await report(bot, now: now, force: true)
            return "refused: \(error)"
        }
    }

    /// Adds a DCA bot's new fills to its record (the newest ``BotRunStatus/fillLimit``). True when there were any.
    @discardableResult
    func recordFills(_ bot: Bot, _ fills: [BotRunStatus.Fill]) -> Bool {
        guard !fills.isEmpty else { return false }
        bot.record.fills = Array((bot.record.fills + fills).suffix(BotRunStatus.fillLimit))
        return true
    }

    /// Moves the deals that closed out of the open ones, their PnL realised. True when one did.
    @discardableResult
    func collectDeals(_ bot: Bot, dca deals: [Int: DCADeal]) -> Bool {
        var changed = false
        for number in bot.record.openDeals {
            guard let deal = deals[number], case .closed(let reason, let pnl) = deal.phase else { continue }
            bot.record.openDeals.removeAll { $0 == number }
            bot.record.realisedDeals += pnl
            bot.record.closedDeals = Array((bot.record.closedDeals + [Self.dealStatus(number, deal, price: nil, closeReason: reason, pnl: pnl)])
                .suffix(HostedBotRecord.closedDealLimit))
            changed = true
        }
        return changed
    }

    static func dealStatus(_ number: Int, _ deal: DCADeal, price: Decimal?, closeReason: String?, pnl: Decimal?) -> BotRunStatus.Deal {
        let unrealised = price.flatMap { price in deal.averageEntry.map { deal.heldQuantity * (price - $0) } }
        return BotRunStatus.Deal(
            number: number, phase: closeReason == nil ? "open" : "closed", entry: deal.entryPrice, average: deal.averageEntry,
            safetyFilled: deal.safetyFilled, safetyOrders: deal.safetyOrders.count, takeProfit: deal.takeProfitPrice, held: deal.heldQuantity,
            pnl: pnl ?? unrealised, closeReason: closeReason)
    }

    /// Whether a new deal opens now: at once, or on a buy of the start strategy on the last
    /// closed 1-minute candle that has not opened a deal yet (looked at every 10 s).
    private func startsNow(_ bot: Bot, _ parameters: DCAParameters, now: Date) async throws -> Bool {
        // A bot that starts on its hook's signals opens deals there only.
        if parameters.start == .signal { return false }
        guard var strategy = parameters.start.strategy() else { return true }
        guard now.timeIntervalSince(bot.lastSignalCheck) >= 10 else { return false }
        bot.lastSignalCheck = now
        let klines = try await market.klines(symbol: bot.symbol, interval: "1m", limit: min(strategy.warmUp + 2, 1_000), startTime: nil)
        let closed = klines.filter { $0.closeTime < Self.ms(now) }
        var last: StrategySignal = .hold
        for kline in closed { last = strategy.onClose(StrategyCandle(kline)) }
        if bot.paper == nil, let candle = closed.last, candle.openTime != bot.lastSignalReported {
            // A live bot's start signal on each closed candle is one of its rows (a paper bot's is not).
            bot.lastSignalReported = candle.openTime
            var signal = SignalRecord(
                symbol: bot.symbol, time: Date(timeIntervalSince1970: TimeInterval(candle.closeTime + 1) / 1000), action: last.rawValue, confidence: nil,
                expectedReturn: nil, modelAccuracy: nil, modelPrecision: nil, trainedAt: nil, strategy: parameters.start.name, importances: [:])
            signal.botID = bot.id
            reporter.send(.signal(signal))
        }
        guard last == .buy, let candle = closed.last, candle.openTime != bot.record.lastSignalCandle else { return false }
        bot.record.lastSignalCandle = candle.openTime
        return true
    }
}

extension BotHost {
    /// Carries out a signal from the bot's hook; returns the outcome, as the command's result.
    func act(_ bot: Bot, on action: SignalHookRequest.Action, now: Date) async -> String {
        if let refusal = bot.definition.refusal(of: action) { return "refused: \(refusal.description)" }
        if let signal = bot.signal { return await actOnSignal(bot, signal, action, now: now) }
        switch action {
        case .startDeal: return await startDealOnSignal(bot, now: now)
        default: return "refused: a \(bot.definition.strategyName) bot does not \(action.name)"
        }
    }
}
