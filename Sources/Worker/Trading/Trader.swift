import Common
import Foundation
import Logging

/// The user's bot: runs the strategy on closed candles of the configured symbols, places orders
/// exactly once (an intent stored before sending, a deterministic client order id, an unknown
/// outcome looked up, never resent), keeps positions and PnL from its fills, applies the risk
/// limits, and carries out start, stop and emergency stop.
actor Trader {
    let user: UserID
    let client: any ExchangeClient
    /// Where the exchange's market streams are.
    let streamBaseURL: String
    let reporter: any ReportSink
    let database: TraderDatabase
    let bot: BotState
    let portfolio: any PortfolioSource
    let logger: Logger

    var settings: BotSettings
    var strategies: [String: LiveStrategy] = [:]
    /// When a `hold` was last reported per symbol (holds are reported once a minute at most).
    var lastHoldReport: [String: Date] = [:]
    var lastCandle: [String: Int64] = [:]
    var prices: [String: Decimal] = [:]
    var filters: [String: SymbolFilters] = [:]
    var positions: [String: BotPosition] = [:]
    /// Realised PnL by day (the user's time zone), from the fills.
    var realizedByDay: [String: Decimal] = [:]
    var cooldownUntil: [String: Date] = [:]
    var equityPeak: Decimal = 0
    var streamTask: Task<Void, Never>?
    var started = false
    /// Grows with every change of symbols, interval or strategy; market data started for an
    /// older generation is started again.
    var marketGeneration = 0
    /// When each unresolved order was last sent or looked up.
    var unknownSince: [String: Date] = [:]
    /// Symbols whose exits the exchange cannot hold (refused, or their list ended with the
    /// position still open): the bot watches them itself.
    var exitsInBot: Set<String> = []
    /// When the orders resting on the exchange were last compared with its open orders.
    var restingCheckedAt = Date.distantPast
    static let restingCheckSeconds: TimeInterval = 3

    init(
        user: UserID, client: any ExchangeClient, streamBaseURL: String, reporter: any ReportSink, database: TraderDatabase, bot: BotState,
        portfolio: any PortfolioSource, logger: Logger
    ) {
        self.user = user
        self.client = client
        self.streamBaseURL = streamBaseURL
        self.reporter = reporter
        self.database = database
        self.bot = bot
        self.portfolio = portfolio
        self.logger = logger
        settings = (try? database.state("settings")).flatMap { try? BotSettings.decode(Data($0.utf8)) } ?? .defaults
        equityPeak = (try? database.state("equity_peak")).flatMap { DecimalText.parse($0) } ?? 0
    }

    // MARK: - Start and settings

    /// Rebuilds positions from the recorded fills, resolves orders left unknown, reconciles
    /// with the exchange and starts the market data.
    func start() async {
        rebuildPositions()
        await reconcile()
        await restartMarketData()
        started = true
        await ensureExits()
        reportPositions()
    }

    func apply(settingsJSON: String) async -> String {
        let new: BotSettings
        do {
            new = try BotSettings.decode(Data(settingsJSON.utf8))
        } catch {
            event("error", "settings", "settings refused: \(error)")
            return "refused: \(error)"
        }
        let marketChanged = new.symbols != settings.symbols || new.interval != settings.interval || new.strategy != settings.strategy
        settings = new
        try? database.setState("settings", settingsJSON)
        logger.info("settings.applied", metadata: ["symbols": "\(new.symbols.joined(separator: ","))", "interval": "\(new.interval)"])
        if marketChanged {
            marketGeneration += 1
            if started { await restartMarketData() }
        }
        return "ok"
    }

    /// Adds what this worker's database lacks from central.sqlite's copy of its history.
    func restore(orders: [OrderRecord], fills: [BotFill]) {
        var addedOrders = 0
        var addedFills = 0
        for order in orders where (try? database.insertIntent(order)) == true { addedOrders += 1 }
        for fill in fills where (try? database.insertFill(fill)) == true { addedFills += 1 }
        guard addedOrders + addedFills > 0 else { return }
        rebuildPositions()
        logger.warning("worker.history_restored", metadata: ["orders": "\(addedOrders)", "fills": "\(addedFills)"])
        event("warning", "database", "trader.sqlite lacked \(addedFills) fills and \(addedOrders) orders; rebuilt them from central.sqlite")
        reportPositions()
    }

    func rebuildPositions() {
        positions = [:]
        realizedByDay = [:]
        for fill in (try? database.fills()) ?? [] { record(fill) }
    }

    func record(_ fill: BotFill) {
        var position = positions[fill.symbol] ?? BotPosition(symbol: fill.symbol)
        let realized = position.apply(fill)
        positions[fill.symbol] = position
        if realized != 0 { realizedByDay[day(of: fill.time), default: 0] += realized }
    }

    func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(parts.year ?? 0)-\(parts.month ?? 0)-\(parts.day ?? 0)"
    }

    // MARK: - Market data and the strategy

    func restartMarketData() async {
        let generation = marketGeneration
        await startMarketData()
        // Settings that changed while it started (it awaits the exchange) start it again.
        if generation != marketGeneration { await restartMarketData() }
    }

    private func startMarketData() async {
        streamTask?.cancel()
        strategies = [:]
        lastCandle = [:]
        let symbols = settings.symbols
        do {
            for filter in try await client.exchangeInfo(symbols: symbols) { filters[filter.symbol] = filter }
        } catch {
            event("warning", "market_data", "cannot read the symbols' filters: \(error)")
        }
        for symbol in symbols where filters[symbol] == nil {
            event("error", "settings", "\(symbol) is not listed by the exchange; it is not traded")
        }
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        for symbol in symbols where filters[symbol] != nil {
            var strategy = LiveStrategy(settings.strategy, fee: 0.001)
            // Warm up on closed history, so the first live candle can already give a signal.
            if let history = try? await client.klines(symbol: symbol, interval: settings.interval, limit: strategy.history, startTime: nil) {
                for kline in history where kline.closeTime < nowMs {
                    _ = strategy.onClose(StrategyCandle(kline))
                    lastCandle[symbol] = kline.openTime
                    prices[symbol] = kline.close
                }
            }
            strategies[symbol] = strategy
        }
        let streams = symbols.filter { filters[$0] != nil }.map { "\($0.lowercased())@kline_\(settings.interval)" }.joined(separator: "/")
        guard !streams.isEmpty else { return }
        let stream = BinanceStream(url: streamBaseURL + "/stream?streams=" + streams, logger: logger)
        streamTask = Task { [weak self] in
            for await event in stream.events() {
                guard let self, !Task.isCancelled else { break }
                if case .kline(let symbol, _, let kline, let closed) = event {
                    await self.onKline(symbol: symbol.uppercased(), kline: kline, closed: closed)
                }
            }
        }
    }

    func onKline(symbol: String, kline: Kline, closed: Bool) async {
        prices[symbol] = kline.close
        await checkExits(symbol: symbol)
        guard closed, kline.openTime > (lastCandle[symbol] ?? 0), var strategy = strategies[symbol] else { return }
        lastCandle[symbol] = kline.openTime
        let signal = strategy.onClose(StrategyCandle(kline))
        strategies[symbol] = strategy
        reportSignal(symbol: symbol, signal: signal, strategy: strategy, closeTime: kline.closeTime)
        guard signal != .hold else { return }
        logger.info("strategy.signal", metadata: ["symbol": "\(symbol)", "signal": "\(signal.rawValue)", "candle": "\(kline.openTime)"])
        guard bot.current == .running else { return }
        let holding = positions[symbol].map(isActive) ?? false
        for intent in SignalIntents.on(
            signal, symbol: symbol, candleOpenTime: kline.openTime, holding: holding, buyReason: strategy.buyReason, sellReason: strategy.sellReason)
        {
            await carryOut(intent)
        }
    }

    func reportSignal(symbol: String, signal: StrategySignal, strategy: LiveStrategy, closeTime: Int64) {
        let now = Date()
        if signal == .hold {
            guard strategy.insight != nil, now.timeIntervalSince(lastHoldReport[symbol] ?? .distantPast) >= 60 else { return }
            lastHoldReport[symbol] = now
        }
        let insight = strategy.insight
        var importances: [String: Double] = [:]
        for (name, value) in zip(MLStrategy.featureNames, insight?.importances ?? []) { importances[name] = value }
        reporter.send(
            .signal(
                SignalRecord(
                    symbol: symbol, time: Date(timeIntervalSince1970: TimeInterval(closeTime + 1) / 1000), action: signal.rawValue,
                    confidence: insight?.confidence, expectedReturn: insight?.expectedReturn, modelAccuracy: insight?.accuracy,
                    modelPrecision: insight?.precision, trainedAt: insight?.trainedAt.map { Date(timeIntervalSince1970: TimeInterval($0 + 1) / 1000) },
                    strategy: settings.strategy.name, importances: importances
                )
            )
        )
    }

    // MARK: - Reports

    func reportPositions() {
        let openOrders = (try? database.orders(where: OrderRecord.openStatuses)) ?? []
        let records = positions.values.sorted { $0.symbol < $1.symbol }.map { position -> PositionRecord in
            let price = prices[position.symbol]
            let active = isActive(position)
            let entry = position.avgEntryPrice
            let exits: (stopLoss: Decimal?, takeProfit: Decimal?) = active ? exitPrices(symbol: position.symbol, averageEntry: entry, openOrders: openOrders) : (nil, nil)
            return PositionRecord(
                symbol: position.symbol, qty: position.qty, avgEntryPrice: entry, currentPrice: price,
                unrealizedPnLUSDT: position.isOpen ? price.map { position.unrealizedPnL(at: $0) } : 0, realizedPnLUSDT: position.realizedPnL,
                stopLoss: exits.stopLoss, takeProfit: exits.takeProfit, dust: position.isOpen && !active
            )
        }
        reporter.send(.positions(records, todayPnL: todayPnL()))
    }

    /// The periodic pass: unknown orders, the kill switch, the positions report.
    func tick() async {
        guard started else { return }
        await resolveUnknown()
        await checkEntryTimeouts()
        await ensureExits()
        await checkDrawdown()
        reportPositions()
    }

    func event(_ level: String, _ kind: String, _ message: String) {
        reporter.send(.event(level: level, kind: kind, message: message))
    }
}
