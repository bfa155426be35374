import Common
import Foundation
import Logging

/// The user's bot: runs the strategy on closed candles of the configured symbols, places orders
/// exactly once (an intent stored before sending, a deterministic client order id, an unknown
/// outcome looked up, never resent), keeps positions and PnL from its fills, applies the risk
/// limits, and carries out start, stop and emergency stop.
actor Trader {
    let user: UserID
    let client: BinanceClient
    let reporter: Reporter
    let database: TraderDatabase
    let bot: BotState
    let portfolio: PortfolioService
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

    init(user: UserID, client: BinanceClient, reporter: Reporter, database: TraderDatabase, bot: BotState, portfolio: PortfolioService, logger: Logger) {
        self.user = user
        self.client = client
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

    private func record(_ fill: BotFill) {
        var position = positions[fill.symbol] ?? BotPosition(symbol: fill.symbol)
        let realized = position.apply(fill)
        positions[fill.symbol] = position
        if realized != 0 { realizedByDay[day(of: fill.time), default: 0] += realized }
    }

    func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: settings.timezone) ?? .gmt
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
            if let history = try? await client.klines(symbol: symbol, interval: settings.interval, limit: strategy.history) {
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
        let stream = BinanceStream(url: client.streamBaseURL + "/stream?streams=" + streams, logger: logger)
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
        switch signal {
        case .buy: await enter(symbol: symbol, candle: kline.openTime, reason: "strategy: \(strategy.buyReason)")
        case .sell:
            if let position = positions[symbol], isActive(position) {
                await exit(symbol: symbol, purpose: "X", reason: "strategy: \(strategy.sellReason)", key: kline.openTime / 1000)
            }
        case .hold: break
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

    // MARK: - Entries, exits, risk

    /// A position large enough to sell: what is left below the lot size or the minimum order
    /// value after a sale (commission taken in the asset) is dust, not a position.
    func isActive(_ position: BotPosition) -> Bool {
        guard position.isOpen else { return false }
        guard let filter = filters[position.symbol] else { return true }
        let qty = filter.roundQuantity(position.qty)
        return qty >= filter.minQty && qty > 0 && qty * (prices[position.symbol] ?? 0) >= filter.minNotional
    }

    func enter(symbol: String, candle: Int64, reason: String) async {
        guard !(positions[symbol].map(isActive) ?? false) else { return }
        guard let filter = filters[symbol], let price = prices[symbol], price > 0 else { return }
        if let until = cooldownUntil[symbol], until > Date() {
            return refuse(symbol, "cooldown after a stop-loss until \(Timestamp.string(until))")
        }
        let open = positions.values.filter(isActive).count
        guard open < settings.risk.maxOpenPositions else {
            return refuse(symbol, "maximum open positions (\(settings.risk.maxOpenPositions)) reached")
        }
        let today = todayPnL()
        if settings.risk.dailyLossLimitUsdt > 0, today <= -settings.risk.dailyLossLimitUsdt {
            return refuse(symbol, "daily loss limit reached (today \(DecimalText.format(today, places: 2)) USDT); no new entries until tomorrow")
        }
        guard let valuation = portfolio.current else { return refuse(symbol, "the portfolio is not known yet") }
        let equity = valuation.totalUSDT
        let free = valuation.lines.first { $0.asset == "USDT" }?.free ?? 0
        var budget = min(equity * Decimal(settings.risk.maxPositionPct) / 100, settings.risk.maxPositionUsdt)
        budget = min(budget, free * Decimal(string: "0.995")!)
        let qty = filter.roundQuantity(budget / (price * Decimal(string: "1.002")!))
        guard qty > 0, qty * price >= filter.minNotional else {
            return refuse(symbol, "too little balance: \(DecimalText.format(free, places: 2)) USDT free allows no order above the minimum of \(filter.minNotional) USDT")
        }
        let id = clientOrderID(symbol: symbol, key: candle / 1000, purpose: "BE")
        await place(symbol: symbol, side: .buy, qty: qty, clientOrderID: id, reason: reason)
    }

    /// Sells the whole position at market.
    func exit(symbol: String, purpose: String, reason: String, key: Int64) async {
        guard let position = positions[symbol], position.isOpen, let filter = filters[symbol] else { return }
        let held = portfolio.current?.lines.first { $0.asset == position.baseAsset }?.free ?? position.qty
        let qty = filter.roundQuantity(min(position.qty, held))
        guard qty > 0 else { return refuse(symbol, "the position (\(position.qty)) is below the lot size; nothing to sell") }
        await place(symbol: symbol, side: .sell, qty: qty, clientOrderID: clientOrderID(symbol: symbol, key: key, purpose: "S" + purpose), reason: reason)
    }

    func checkExits(symbol: String) async {
        guard var position = positions[symbol], isActive(position), let price = prices[symbol], let entry = position.avgEntryPrice else { return }
        if price > position.peakPrice {
            position.peakPrice = price
            positions[symbol] = position
        }
        guard !hasOpenOrder(symbol: symbol) else { return }
        let key = Int64((position.openedAt ?? Date()).timeIntervalSince1970)
        let risk = settings.risk
        if risk.stopLossPct > 0, price <= entry * Decimal(1 - risk.stopLossPct / 100) {
            if risk.cooldownMinutes > 0 { cooldownUntil[symbol] = Date().addingTimeInterval(TimeInterval(risk.cooldownMinutes * 60)) }
            event("warning", "risk", "\(symbol): stop-loss at \(price) (entry \(DecimalText.format(entry, places: 2)), -\(risk.stopLossPct) %)")
            await exit(symbol: symbol, purpose: "L", reason: "stop-loss", key: key)
        } else if risk.takeProfitPct > 0, price >= entry * Decimal(1 + risk.takeProfitPct / 100) {
            event("info", "risk", "\(symbol): take-profit at \(price) (+\(risk.takeProfitPct) %)")
            await exit(symbol: symbol, purpose: "P", reason: "take-profit", key: key)
        } else if risk.trailingStopPct > 0, price <= position.peakPrice * Decimal(1 - risk.trailingStopPct / 100) {
            event("info", "risk", "\(symbol): trailing stop at \(price) (peak \(position.peakPrice), -\(risk.trailingStopPct) %)")
            await exit(symbol: symbol, purpose: "T", reason: "trailing stop", key: key)
        }
    }

    /// The maximum-drawdown kill switch, on every valuation.
    func checkDrawdown() async {
        guard let equity = portfolio.current?.totalUSDT, equity > 0 else { return }
        if equity > equityPeak {
            equityPeak = equity
            try? database.setState("equity_peak", DecimalText.format(equity))
        }
        let limit = settings.risk.maxDrawdownPct
        guard limit > 0, bot.current == .running, equity <= equityPeak * Decimal(1 - limit / 100) else { return }
        event("error", "risk", "maximum drawdown reached: equity \(DecimalText.format(equity, places: 2)) USDT is \(limit) % below its peak \(DecimalText.format(equityPeak, places: 2)); emergency stop")
        _ = await emergencyStop(reason: "maximum drawdown")
    }

    func refuse(_ symbol: String, _ reason: String) {
        logger.info("risk.refused", metadata: ["symbol": "\(symbol)", "reason": "\(reason)"])
        event("info", "risk", "\(symbol): no order — \(reason)")
    }

    func hasOpenOrder(symbol: String) -> Bool {
        ((try? database.orders(where: OrderRecord.openStatuses)) ?? []).contains { $0.symbol == symbol }
    }

    /// ≤ 36 characters, the same for the same decision: `u<user>-<symbol>-<key>-<purpose>`.
    func clientOrderID(symbol: String, key: Int64, purpose: String) -> String {
        let name = symbol.count <= 12 ? symbol : String(symbol.prefix(8)) + String(UInt32(truncatingIfNeeded: symbol.hashValue) % 10_000)
        return String("u\(user.rawValue)-\(name)-\(key)-\(purpose)".prefix(36))
    }

    func todayPnL() -> Decimal {
        let realized = realizedByDay[day(of: Date())] ?? 0
        let unrealized = positions.values.filter(\.isOpen).reduce(Decimal(0)) { sum, position in
            sum + (prices[position.symbol].map { position.unrealizedPnL(at: $0) } ?? 0)
        }
        return realized + unrealized
    }

    // MARK: - Orders, exactly once

    func place(symbol: String, side: SymbolFilters.Side, qty: Decimal, clientOrderID: String, reason: String) async {
        let now = Date()
        var order = OrderRecord(
            clientOrderID: clientOrderID, orderID: nil, symbol: symbol, side: side.rawValue, type: "MARKET", status: "INTENT", price: nil,
            origQty: qty, executedQty: 0, createdAt: now, updatedAt: now, reason: reason
        )
        do {
            guard try database.insertIntent(order) else { return }  // decided before: never sent twice
        } catch {
            event("error", "orders", "cannot record the order intent (\(error)); nothing was sent")
            return
        }
        reporter.send(.order(order))
        unknownSince[clientOrderID] = now
        do {
            let report = try await client.place(NewOrder(symbol: symbol, side: side, kind: .market(quantity: qty), clientOrderID: clientOrderID))
            await absorb(report, into: &order)
        } catch {
            switch error {
            case .unknownOrderState(_, let why):
                order.status = "UNKNOWN"
                order.reason = "\(reason); no answer (\(why)), looking it up"
                event("warning", "orders", "\(clientOrderID): state unknown (\(why)); it will be looked up, never resent")
            default:
                order.status = "REJECTED"
                order.reason = "\(reason); \(error)"
                unknownSince[clientOrderID] = nil
                event("error", "orders", "\(clientOrderID) refused: \(error)")
            }
            order.updatedAt = Date()
            try? database.updateOrder(order)
            reporter.send(.order(order))
        }
    }

    /// Takes the exchange's word for an order, and its fills.
    func absorb(_ report: OrderReport, into order: inout OrderRecord) async {
        order.orderID = report.orderID
        order.status = report.status
        order.executedQty = report.executedQty
        order.origQty = report.origQty
        if report.executedQty > 0 { order.price = report.cumulativeQuoteQty / report.executedQty }
        order.updatedAt = Date()
        try? database.updateOrder(order)
        reporter.send(.order(order))
        if !OrderRecord.openStatuses.contains(report.status) { unknownSince[order.clientOrderID] = nil }
        var fills = report.fills.map { fill in
            BotFill(
                symbol: report.symbol, tradeID: fill.tradeID, orderID: report.orderID, clientOrderID: report.clientOrderID, side: report.side,
                price: fill.price, qty: fill.quantity, quoteQty: fill.price * fill.quantity, commission: fill.commission,
                commissionAsset: fill.commissionAsset, time: Date()
            )
        }
        if fills.isEmpty, report.executedQty > 0, let trades = try? await client.myTrades(symbol: report.symbol, orderID: report.orderID) {
            fills = trades.map { trade in
                BotFill(
                    symbol: trade.symbol, tradeID: trade.tradeID, orderID: trade.orderID, clientOrderID: report.clientOrderID,
                    side: trade.isBuyer ? "BUY" : "SELL", price: trade.price, qty: trade.quantity, quoteQty: trade.quoteQuantity,
                    commission: trade.commission, commissionAsset: trade.commissionAsset, time: Date(timeIntervalSince1970: TimeInterval(trade.time) / 1000)
                )
            }
        }
        for fill in fills { add(fill) }
        reportPositions()
    }

    func add(_ fill: BotFill) {
        guard (try? database.insertFill(fill)) == true else { return }
        record(fill)
        reporter.send(.fill(fill))
        logger.info("order.fill", metadata: ["symbol": "\(fill.symbol)", "side": "\(fill.side)", "qty": "\(fill.qty)", "price": "\(fill.price)"])
    }

    /// Looks up every order whose outcome is not known. One the exchange still does not know
    /// 15 s after it was sent was never placed.
    func resolveUnknown() async {
        guard let pending = try? database.orders(where: ["INTENT", "UNKNOWN", "NEW", "PARTIALLY_FILLED"]) else { return }
        for var order in pending {
            do {
                if let report = try await client.resolve(symbol: order.symbol, clientOrderID: order.clientOrderID) {
                    await absorb(report, into: &order)
                } else if order.status == "INTENT" || order.status == "UNKNOWN" {
                    let since = unknownSince[order.clientOrderID] ?? order.updatedAt
                    if Date().timeIntervalSince(since) > 15 {
                        order.status = "NOT_PLACED"
                        order.reason = (order.reason ?? "") + "; the exchange never received it"
                        order.updatedAt = Date()
                        try? database.updateOrder(order)
                        reporter.send(.order(order))
                        unknownSince[order.clientOrderID] = nil
                    }
                }
            } catch {
                return  // the exchange is away: try again at the next pass
            }
        }
    }

    /// At start: orders left unknown are looked up (an order filled while the worker was down
    /// is recorded once, by its trade ids); open orders on the exchange that the bot did not
    /// place are adopted (shown) or cancelled, as the settings say.
    func reconcile() async {
        await resolveUnknown()
        guard let open = try? await client.openOrders() else { return }
        let known = Set(((try? database.orders()) ?? []).map(\.clientOrderID))
        for report in open where !known.contains(report.clientOrderID) {
            if settings.unknownOrders == "cancel" {
                _ = try? await client.cancel(symbol: report.symbol, clientOrderID: report.clientOrderID)
                event("warning", "orders", "cancelled \(report.symbol) order \(report.orderID), which the bot did not place")
            } else {
                let now = Date()
                let adopted = OrderRecord(
                    clientOrderID: String(report.clientOrderID.prefix(36)), orderID: report.orderID, symbol: report.symbol, side: report.side,
                    type: report.type, status: report.status, price: report.price, origQty: report.origQty, executedQty: report.executedQty,
                    createdAt: now, updatedAt: now, reason: "adopted: open on the exchange, not placed by the bot"
                )
                if (try? database.insertIntent(adopted)) == true { reporter.send(.order(adopted)) }
            }
        }
    }

    // MARK: - Commands

    func command(_ name: String, payload: String?) async -> String {
        do {
            switch name {
            case "start":
                try bot.set(.running)
                event("info", "bot", "started")
            case "stop":
                try bot.set(.stopped)
                let close = payload.flatMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }?["close_positions"] as? Bool ?? false
                event("info", "bot", close ? "stopped; closing positions" : "stopped; positions kept, still protected by their exits")
                await cancelOpenOrders(onlyConfigured: true)
                if close { await closeAll(purpose: "C", reason: "stop and close") }
            case "emergency_stop":
                return await emergencyStop(reason: "requested by the user")
            case "settings_changed":
                guard let payload else { return "ok" }
                return await apply(settingsJSON: payload)
            case "cancel_order":
                guard let id = payload.flatMap({ (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] })?["order_id"] as? NSNumber
                else { return "refused: cancel_order needs order_id" }
                return await cancel(orderID: id.int64Value)
            default:
                return "unknown command"
            }
        } catch {
            return "error: \(error)"
        }
        reporter.send(.heartbeat(state: bot.current.rawValue))
        return "ok"
    }

    /// Cancels every open order of the account on every symbol, sells the positions into USDT
    /// when the settings say so, and stays stopped across restarts until the next start.
    func emergencyStop(reason: String) async -> String {
        do {
            try bot.set(.emergencyStopped)
        } catch {
            return "error: \(error)"
        }
        reporter.send(.heartbeat(state: bot.current.rawValue))
        let cancelled = await cancelOpenOrders(onlyConfigured: false)
        if settings.emergencyClosePositions { await closeAll(purpose: "E", reason: "emergency stop") }
        event("warning", "bot", "emergency stop (\(reason)): \(cancelled) open orders cancelled\(settings.emergencyClosePositions ? ", positions sold" : "")")
        return "ok"
    }

    @discardableResult
    func cancelOpenOrders(onlyConfigured: Bool) async -> Int {
        var count = 0
        for attempt in 0..<3 {
            guard let open = try? await client.openOrders() else {
                if attempt == 2 { event("error", "orders", "cannot list the open orders to cancel them: the exchange does not answer") }
                try? await Task.sleep(for: .milliseconds(300))
                continue
            }
            let targets = open.filter { !onlyConfigured || settings.symbols.contains($0.symbol) }
            if targets.isEmpty { break }
            await withTaskGroup(of: Bool.self) { group in
                for order in targets {
                    group.addTask { [client] in (try? await client.cancel(symbol: order.symbol, clientOrderID: order.clientOrderID)) != nil }
                }
                for await ok in group where ok { count += 1 }
            }
        }
        _ = await resolveUnknown()
        return count
    }

    func closeAll(purpose: String, reason: String) async {
        let key = Int64(Date().timeIntervalSince1970)
        for symbol in positions.keys.sorted() where positions[symbol]?.isOpen == true {
            if filters[symbol] == nil, let info = try? await client.exchangeInfo(symbols: [symbol]).first { filters[symbol] = info }
            if prices[symbol] == nil { prices[symbol] = try? await client.tickerPrices()[symbol] }
            guard let position = positions[symbol], isActive(position) else { continue }
            await exit(symbol: symbol, purpose: purpose, reason: reason, key: key)
        }
    }

    func cancel(orderID: Int64) async -> String {
        guard let order = ((try? database.orders()) ?? []).first(where: { $0.orderID == orderID }) else { return "refused: not an order of this bot" }
        do {
            let report = try await client.cancel(symbol: order.symbol, clientOrderID: order.clientOrderID)
            var updated = order
            await absorb(report, into: &updated)
            return "ok"
        } catch {
            return "refused: \(error)"
        }
    }

    // MARK: - Reports

    func reportPositions() {
        let records = positions.values.sorted { $0.symbol < $1.symbol }.map { position -> PositionRecord in
            let price = prices[position.symbol]
            let active = isActive(position)
            let entry = position.avgEntryPrice
            let risk = settings.risk
            return PositionRecord(
                symbol: position.symbol, qty: position.qty, avgEntryPrice: entry, currentPrice: price,
                unrealizedPnLUSDT: position.isOpen ? price.map { position.unrealizedPnL(at: $0) } : 0, realizedPnLUSDT: position.realizedPnL,
                stopLoss: active ? entry.flatMap { risk.stopLossPct > 0 ? $0 * Decimal(1 - risk.stopLossPct / 100) : nil } : nil,
                takeProfit: active ? entry.flatMap { risk.takeProfitPct > 0 ? $0 * Decimal(1 + risk.takeProfitPct / 100) : nil } : nil,
                dust: position.isOpen && !active
            )
        }
        reporter.send(.positions(records, todayPnL: todayPnL()))
    }

    /// The periodic pass: unknown orders, the kill switch, the positions report.
    func tick() async {
        guard started else { return }
        await resolveUnknown()
        await checkDrawdown()
        reportPositions()
    }

    func event(_ level: String, _ kind: String, _ message: String) {
        reporter.send(.event(level: level, kind: kind, message: message))
    }
}

/// The strategy a worker runs for one symbol.
enum LiveStrategy: Sendable {
    case sma(SMACross)
    case ml(MLStrategy)

    init(_ settings: BotSettings.Strategy, fee: Double) {
        if settings.name == "ml" {
            var ml = (try? MLStrategy.Settings(params: settings.params)) ?? MLStrategy.Settings()
            if settings.params["fee"] == nil { ml.fee = fee }
            self = .ml(MLStrategy(settings: ml))
        } else {
            self = .sma(SMACross(fast: Int(settings.params["fast"] ?? 9), slow: Int(settings.params["slow"] ?? 21)))
        }
    }

    /// Candles of history to warm up on (one page of klines).
    var history: Int {
        switch self {
        case .sma(let s): min(1_000, s.slow + 2)
        case .ml: 1_000
        }
    }

    mutating func onClose(_ candle: StrategyCandle) -> StrategySignal {
        switch self {
        case .sma(var s):
            let signal = s.onClose(candle)
            self = .sma(s)
            return signal
        case .ml(var s):
            let signal = s.onClose(candle)
            self = .ml(s)
            return signal
        }
    }

    var insight: MLStrategy.Insight? {
        if case .ml(let s) = self { return s.insight }
        return nil
    }

    var buyReason: String {
        switch self {
        case .sma: "SMA cross above"
        case .ml(let s): String(format: "ml: rise %.0f %% likely, %.2f %% expected", (s.insight.confidence ?? 0) * 100, (s.insight.expectedReturn ?? 0) * 100)
        }
    }

    var sellReason: String {
        switch self {
        case .sma: "SMA cross below"
        case .ml(let s): String(format: "ml: fall %.0f %% likely", (s.insight.confidence ?? 0) * 100)
        }
    }
}
