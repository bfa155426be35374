import Common
import Foundation
import Logging

/// Runs a user's grid and DCA bots inside the user's worker: a live bot on the user's exchange
/// account, a paper bot on a ``PaperExchange`` over the exchange's public data (it needs no key
/// and never touches the account). Each bot's own driver (``GridRunner``, ``DCARunner``) decides
/// nothing itself; this host starts, steps, stops and rebuilds them, keeps each bot's record
/// (``HostedBotRecord``) and reports each bot's ``BotRunStatus``.
///
/// Commands only queue a request; every exchange call happens in ``tick(now:)``, one at a time,
/// so that a stop never interleaves with a step of the same bot. A failure of one bot (a refusal,
/// a definition that does not read, an exchange error) is that bot's state and reason, never the
/// others'.
actor BotHost {
    enum Request: Sendable, Equatable {
        case start(bot: Int64, definition: String)
        case stop(bot: Int64, sell: Bool)
        /// The user's emergency stop: every bot stops, its orders cancelled, nothing sold.
        case stopAll
        /// At the worker's start, after the supervisor named the bots to run: a bot recorded as
        /// running that is not among them was stopped while no worker listened. It is brought
        /// back and stopped, so that its orders are cancelled and its status says so.
        case settle(wanted: Set<Int64>)
        /// A signal from the bot's hook; `reply` gets the outcome.
        case signal(bot: Int64, action: SignalHookRequest.Action, reply: SignalReply)
    }

    /// One bot the host has heard of.
    final class Bot {
        let id: Int64
        let definition: BotDefinition
        var record: HostedBotRecord
        let exchange: any ExchangeClient
        let paper: PaperExchange?
        var filters: SymbolFilters?
        var grid: GridRunner?
        var dca: DCARunner?
        var signal: SignalRunner?
        var state: String
        var error: String?
        var price: Decimal?
        var lastSync = Date.distantPast
        var lastReport = Date.distantPast
        var lastStatus: BotRunStatus?
        var lastSignalCheck = Date.distantPast
        /// A live DCA bot: the open time of the last start-strategy candle reported as a signal row.
        var lastSignalReported: Int64?
        /// The paper exchange's revision last stored.
        var savedRevision = -1
        /// A paper bot: the close time (ms) of the last 1-second candle whose trades it has seen.
        var observedUntil: Int64 = 0
        var observedSaved: Int64 = 0

        init(id: Int64, definition: BotDefinition, record: HostedBotRecord, exchange: any ExchangeClient, paper: PaperExchange?) {
            self.id = id
            self.definition = definition
            self.record = record
            self.exchange = exchange
            self.paper = paper
            self.state = "starting"
        }

        var symbol: String { definition.symbols.first ?? "" }
    }

    let user: Int64
    /// The user's exchange account; nil in a worker without a key (paper bots only).
    let live: (any ExchangeClient)?
    /// The exchange's public data: prices, candles, filters.
    let market: any ExchangeClient
    let store: any HostedBotStore
    let reporter: any ReportSink
    let logger: Logger
    /// The fee a plan is checked against and a paper bot pays: Binance Spot's standard rate
    /// (BINANCE.md), for makers and takers alike.
    let fee: Decimal
    /// How much worse than the best price a paper bot's market order fills.
    let slippage: Decimal
    /// A live bot asks the exchange about its orders this often (each look costs request weight);
    /// a paper bot's exchange is in memory and looks every tick.
    let liveSyncInterval: TimeInterval
    private var pending: [Request] = []
    /// Rung by every request: the host's loop ticks at once instead of at its next second.
    nonisolated let wakeup = Wakeup()
    private(set) var bots: [Int64: Bot] = [:]

    init(
        user: Int64, live: (any ExchangeClient)?, market: any ExchangeClient, store: any HostedBotStore, reporter: any ReportSink, logger: Logger,
        fee: Decimal = Decimal(string: "0.001")!, slippage: Decimal = Decimal(string: "0.0005")!, liveSyncInterval: TimeInterval = 5
    ) {
        self.user = user
        self.live = live
        self.market = market
        self.store = store
        self.reporter = reporter
        self.logger = logger
        self.fee = fee
        self.slippage = slippage
        self.liveSyncInterval = liveSyncInterval
    }

    /// A paper bot's virtual account now.
    func paperAccount(_ id: Int64) -> PaperAccount? { bots[id]?.paper?.account }

    /// Queues a request for the next tick.
    func request(_ request: Request) {
        pending.append(request)
        wakeup.signal()
    }

    /// Whether requests wait for the next tick.
    var hasRequests: Bool { !pending.isEmpty }

    /// Carries out the queued requests, then steps every running bot at the exchange's prices.
    func tick(now: Date = Date()) async {
        let requests = pending
        pending = []
        for request in requests { await handle(request, now: now) }
        let running = bots.values.filter { $0.state == "running" }.sorted { $0.id < $1.id }
        // Prices cost request weight: asked for only when a bot looks this tick (a paper bot every
        // tick, a live one every `liveSyncInterval`).
        guard running.contains(where: { $0.paper != nil || now.timeIntervalSince($0.lastSync) >= liveSyncInterval }) else { return }
        let prices: [String: Decimal]
        do {
            prices = try await market.tickerPrices()
        } catch {
            for bot in running {
                bot.error = "the exchange's prices are unavailable: \(error)"
                await report(bot, now: now)
            }
            return
        }
        var candles: [String: [Kline]] = [:]
        for bot in running {
            guard let price = prices[bot.symbol] else {
                bot.error = "the exchange lists no price for \(bot.symbol)"
                await report(bot, now: now)
                continue
            }
            bot.price = price
            if let paper = bot.paper {
                if candles[bot.symbol] == nil {
                    // One look per symbol per tick, whatever the number of paper bots on it.
                    candles[bot.symbol] = (try? await market.klines(symbol: bot.symbol, interval: "1s", limit: 10, startTime: nil)) ?? []
                }
                observe(candles[bot.symbol] ?? [], bot, paper, now: now)
                if bot.observedUntil - bot.observedSaved >= 5_000 {
                    try? store.saveObserved(bot.id, until: bot.observedUntil)
                    bot.observedSaved = bot.observedUntil
                }
                paper.observe(bid: price, ask: price, symbol: bot.symbol)
                paper.observe(trade: price, symbol: bot.symbol)
            }
            if bot.paper != nil || now.timeIntervalSince(bot.lastSync) >= liveSyncInterval {
                bot.lastSync = now
                do {
                    bot.error = nil
                    try await step(bot, price: price, now: now)
                    // A paper order that filled or moved is the bot's own state: stored at once.
                    if let paper = bot.paper, paper.revision != bot.savedRevision { save(bot) }
                } catch {
                    // Every order is found again by its client id at the next look.
                    bot.error = "exchange: \(error)"
                    logger.warning("bot.step_failed", metadata: ["bot.id": "\(bot.id)", "error": "\(error)"])
                }
            }
            await report(bot, now: now)
        }
    }

    /// A paper bot's view of the trades between two looks: each 1-second candle that closed since
    /// the last, walked open → low → high → close (open → high → low → close when it fell), so
    /// that a limit order the price went through and back within a second fills as it would on
    /// the exchange. Without candles (the exchange does not answer) the last price alone counts.
    private func observe(_ candles: [Kline], _ bot: Bot, _ paper: PaperExchange, now: Date) {
        let nowMs = Self.ms(now)
        if bot.observedUntil == 0 { bot.observedUntil = nowMs }
        for candle in candles.sorted(by: { $0.openTime < $1.openTime }) where candle.openTime > bot.observedUntil && candle.closeTime < nowMs {
            for price in candle.close >= candle.open ? [candle.low, candle.high] : [candle.high, candle.low] {
                paper.observe(trade: price, symbol: bot.symbol)
            }
            bot.observedUntil = candle.closeTime
        }
    }

    private func handle(_ request: Request, now: Date) async {
        switch request {
        case .start(let id, let text):
            if let bot = bots[id], bot.state == "running", bot.record.definition == text { return }
            await start(id, definition: text, now: now)
        case .stop(let id, let sell):
            guard let bot = bots[id] else {
                // Not running here: a bot that never started, or one recorded as running whose
                // worker was restarted (it is brought back to cancel its orders).
                guard let record = try? store.load(id) else { return }
                guard record.running else {
                    // Its status may still say running (the stop came while no worker listened).
                    if let definition = try? BotDefinition.decode(Data(record.definition.utf8)) {
                        reporter.send(.botStatus(BotRunStatus(
                            botID: id, state: "stopped", reason: record.reason ?? "stopped by its owner", mode: definition.mode.rawValue,
                            symbol: definition.symbols.first ?? "", updatedAt: Self.ms(now))))
                    }
                    return
                }
                await start(id, definition: record.definition, now: now)
                if let bot = bots[id] { await stop(bot, sell: sell, reason: "stopped by its owner", now: now) }
                return
            }
            await stop(bot, sell: sell, reason: sell ? "stopped and sold by its owner" : "stopped by its owner", now: now)
        case .settle(let wanted):
            for id in ((try? store.runningBots()) ?? []) where !wanted.contains(id) && bots[id] == nil {
                await handle(.stop(bot: id, sell: false), now: now)
            }
        case .signal(let id, let action, let reply):
            guard let bot = bots[id], bot.state == "running" else {
                reply.send("refused: the bot is not running")
                return
            }
            reply.send(await act(bot, on: action, now: now))
        case .stopAll:
            for bot in bots.values.sorted(by: { $0.id < $1.id }) where bot.state == "running" || bot.state == "starting" {
                await stop(bot, sell: false, reason: "emergency stop", now: now)
            }
        }
    }

    // MARK: - Starting

    private func start(_ id: Int64, definition text: String, now: Date) async {
        let definition: BotDefinition
        do {
            definition = try BotDefinition.decode(Data(text.utf8))
        } catch {
            fail(id, "its definition does not read: \(error)", now: now)
            return
        }
        let stored: HostedBotRecord?
        do {
            stored = try store.load(id)
        } catch {
            // Never a fresh start over a record that does not read: its orders may rest.
            fail(id, "its record in the worker's database does not read (\(error)); look at its orders on the exchange, then delete and create it again", now: now, definition: definition)
            return
        }
        let rebuilding = stored?.running == true && stored?.definition == text
        var record = rebuilding ? stored! : HostedBotRecord(definition: text)
        if !rebuilding, let stored { record.run = stored.run + 1 }
        let exchange: any ExchangeClient
        var paper: PaperExchange?
        switch definition.mode {
        case .paper:
            let account = PaperAccount(balances: definition.paperBalances, makerFee: fee, takerFee: fee, slippage: slippage)
            paper = record.paper.map { PaperExchange(market: market, snapshot: $0) } ?? PaperExchange(market: market, account: account)
            exchange = paper!
        case .live:
            guard let live else {
                fail(id, "a live bot needs an exchange API key; store one, or run it on paper", now: now, definition: definition)
                return
            }
            // Its orders and fills become rows that name it (the supervisor stores them).
            exchange = LedgerExchange(live, bot: id, reason: "\(definition.strategyName) bot \(definition.name)")
        }
        let bot = Bot(id: id, definition: definition, record: record, exchange: exchange, paper: paper)
        bots[id] = bot
        do {
            guard let filters = try await exchange.exchangeInfo(symbols: [bot.symbol]).first(where: { $0.symbol == bot.symbol }) else {
                throw StartFailure("the exchange does not list \(bot.symbol)")
            }
            bot.filters = filters
            guard let price = try await market.tickerPrices()[bot.symbol] else { throw StartFailure("the exchange lists no price for \(bot.symbol)") }
            bot.price = price
            paper?.observe(bid: price, ask: price, symbol: bot.symbol)
            if rebuilding, let paper, let since = try? store.observed(id) {
                // The trades while no worker looked: up to 1,000 one-second candles (16 minutes).
                bot.observedUntil = since
                let missed = (try? await market.klines(symbol: bot.symbol, interval: "1s", limit: 1_000, startTime: since + 1)) ?? []
                observe(missed, bot, paper, now: now)
            }
            switch definition.plan {
            case .grid(let parameters):
                try await startGrid(bot, parameters, filters: filters, price: price, rebuilding: rebuilding)
            case .dca(let parameters):
                try await startDCA(bot, parameters, filters: filters, price: price, rebuilding: rebuilding)
            case .signal:
                try await startSignal(bot, filters: filters, rebuilding: rebuilding)
            case .signals:
                throw StartFailure("sma_cross and ml bots run as the worker's first bot, not here")
            }
            record = bot.record
            record.running = true
            record.reason = nil
            bot.record = record
            bot.state = "running"
            save(bot)
            logger.info(rebuilding ? "bot.rebuilt" : "bot.started", metadata: ["bot.id": "\(id)", "bot.mode": "\(definition.mode.rawValue)"])
        } catch {
            bot.state = "error"
            bot.record.running = false
            bot.record.reason = "\(error)"
            save(bot)
            logger.warning("bot.start_refused", metadata: ["bot.id": "\(id)", "error": "\(error)"])
        }
        await report(bot, now: now, force: true)
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A bot that cannot even be built: its state is `error` with the reason.
    private func fail(_ id: Int64, _ reason: String, now: Date, definition: BotDefinition? = nil) {
        logger.warning("bot.start_refused", metadata: ["bot.id": "\(id)", "error": "\(reason)"])
        var status = BotRunStatus(
            botID: id, state: "error", reason: reason, mode: definition?.mode.rawValue ?? "live", symbol: definition?.symbols.first ?? "",
            updatedAt: Self.ms(now))
        status.balances = [:]
        bots[id] = nil
        reporter.send(.botStatus(status))
    }

    func freeQuote(_ exchange: any ExchangeClient, _ filters: SymbolFilters) async throws -> Decimal {
        try await exchange.account().balances.first { $0.asset == filters.quoteAsset }?.free ?? 0
    }

    // MARK: - Stopping

    func stop(_ bot: Bot, sell: Bool, reason: String, now: Date) async {
        do {
            if let grid = bot.grid, let pnl = try await grid.end(sell: sell, reason: reason) {
                bot.record.realisedDeals += pnl
            }
            if let dca = bot.dca {
                try await dca.end(sell: sell)
                collectDeals(bot, dca: await dca.deals)
                recordFills(bot, await dca.takeFills())
            }
            var unsold: String?
            if let signal = bot.signal {
                unsold = try await signal.end(sell: sell, price: bot.price)
                bot.record.signalBook = await signal.book
                recordFills(bot, await signal.takeFills())
            }
            bot.record.reason = unsold.map { "\(reason); nothing sold: \($0)" } ?? reason
        } catch {
            bot.record.reason = "\(reason); the exchange refused part of it (\(error)): look at the bot's orders"
            logger.error("bot.stop_failed", metadata: ["bot.id": "\(bot.id)", "error": "\(error)"])
        }
        bot.state = "stopped"
        bot.record.running = false
        bot.record.paper = bot.paper?.snapshot()
        save(bot)
        await report(bot, now: now, force: true)
        logger.info("bot.stopped", metadata: ["bot.id": "\(bot.id)", "sold": "\(sell)"])
    }

    // MARK: - Records and reports

    func save(_ bot: Bot) {
        bot.record.paper = bot.paper?.snapshot()
        bot.savedRevision = bot.paper?.revision ?? -1
        save(bot.id, bot.record)
    }

    /// The key in the client ids of a bot's orders: the bot, and its run (the first run's key is
    /// the bot's id itself).
    static func orderKey(bot: Int64, run: Int) -> Int64 {
        run == 0 ? bot : bot * 1_000 + Int64(run % 1_000)
    }

    private func save(_ id: Int64, _ record: HostedBotRecord) {
        do {
            try store.save(id, record)
        } catch {
            logger.error("bot.record_failed", metadata: ["bot.id": "\(id)", "error": "\(error)"])
        }
    }

    /// Sends the bot's status when it changed, and every 5 s while it runs.
    /// A live bot's new order and fill rows go first.
    func report(_ bot: Bot, now: Date, force: Bool = false) async {
        if let ledger = bot.exchange as? LedgerExchange {
            for row in ledger.take() { reporter.send(row) }
        }
        let status = await status(of: bot, now: now)
        var unchanged = status
        unchanged.updatedAt = bot.lastStatus?.updatedAt ?? 0
        guard force || unchanged != bot.lastStatus || now.timeIntervalSince(bot.lastReport) >= 5 else { return }
        bot.lastStatus = status
        bot.lastReport = now
        reporter.send(.botStatus(status))
    }

    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
