import Common
import Foundation

/// The bots' pages: a card per bot on `/` (`bot_cards.mustache`), one bot's page `/bots/{id}`
/// (`bot.mustache`, with a grid's levels), and `/bots/new` (`bot_new.mustache`), where every
/// strategy's parameters are explained. A paper bot is marked paper wherever it appears.
enum BotsPage {
    // MARK: - Cards

    static func card(_ bot: BotsView.Bot) -> [String: Any] {
        let definition = bot.record.definition
        var c: [String: Any] = [
            "id": String(bot.record.id), "name": definition.name, "strategy": t("strategy.\(definition.strategyName)"),
            "symbols": definition.symbols.joined(separator: ", "), "paper": definition.mode == .paper, "first": bot.isFirst, "state": bot.state,
            "stateText": t("state.\(bot.state)"), "allocation": USDTFormat.value(definition.allocationUsdt),
        ]
        if let key = bot.reasonKey { c["reason"] = t(key) } else if let reason = bot.running?.localizedReason { c["reason"] = reason }
        if bot.isHosted {
            // The worker's own words: a refusal names the parameter to change.
            c["reason"] = bot.stateReason
            guard let status = bot.hosted else {
                c["figuresMissing"] = t("bots.not_reported_yet")
                return c
            }
            c["pnlToday"] = USDTFormat.signedContext(status.todayPnL)
            c["pnlTotal"] = USDTFormat.signedContext(status.realisedPnL)
            c["openPositions"] = status.held > 0 ? "1" : "0"
            c["used"] = USDTFormat.value(status.allocationUsed)
            return c
        }
        guard let running = bot.running, running.state != "no_key" else {
            c["figuresMissing"] = bot.running == nil ? t("bots.not_running_short") : t("reason.no_key")
            return c
        }
        let open = running.positions.filter(\.isOpen)
        if let today = running.todayPnL {
            if let value = today.value { c["pnlToday"] = USDTFormat.signedContext(value) }
            c["pnlTotal"] = USDTFormat.signedContext(running.positions.reduce(Decimal(0)) { $0 + $1.realizedPnLUSDT })
            c["openPositions"] = String(open.count)
            c["used"] = USDTFormat.value(open.reduce(Decimal(0)) { $0 + $1.qty * ($1.avgEntryPrice ?? 0) })
        }
        c["figuresMissing"] = t("bots.not_reported_yet")
        return c
    }

    // MARK: - One bot

    struct HookModel {
        var hook: SignalHook?
        var records: [SignalHookRecord]
        var outcomes: [Int64: String]
        var origin: String
        var secret: String?
    }

    /// The hook's card: its URL, the secret once with an alert's body to paste, its limits, and
    /// its newest signals with what became of each.
    static func hookContext(_ m: HookModel, definition: BotDefinition, zone: TimeZone) -> [String: Any] {
        var c: [String: Any] = ["actions": definition.signalActions.joined(separator: ", ")]
        guard let hook = m.hook else { return c }
        let action = definition.signalActions.first ?? "start_deal"
        var h: [String: Any] = [
            "url": "\(m.origin)/hooks/\(hook.id)", "maxLag": String(hook.maxLagSeconds), "perMinute": String(hook.perMinute),
            "addresses": hook.allowedAddresses.joined(separator: " "), "created": DisplayTime.text(hook.createdAt, zone),
        ]
        if let secret = m.secret {
            // A body that works for this bot as it is (a buy needs an amount), to paste into an alert.
            let amount = action == "buy" ? #", "amount_usdt": "25""# : ""
            h["secret"] = ["example": #"{"secret": "\#(secret)", "action": "\#(action)"\#(amount), "id": "{{timenow}}", "time": "{{timenow}}"}"#]
        }
        h["records"] = m.records.map { record -> [String: Any] in
            [
                "time": DisplayTime.text(record.receivedAt, zone), "address": record.address, "action": record.action ?? "—",
                "signalID": record.signalID ?? "—", "accepted": record.accepted,
                "result": t(record.accepted ? "hooks.accepted" : "hooks.refused"),
                "detail": record.accepted ? (m.outcomes[record.id] ?? t("hooks.outcome_unknown")) : (record.reason ?? ""),
            ]
        }
        h["hasRecords"] = !m.records.isEmpty
        c["hook"] = h
        return c
    }

    struct Model {
        var viewer: Layout.Viewer
        var bot: BotsView.Bot
        var zone: TimeZone
        /// A grid's level prices on the tick, and the symbol's last price; or why they are missing.
        var levels: Result<(prices: [Decimal], last: Decimal?, format: SymbolFormat), APIError>?
        var notice: String?
        var error: String?
        /// The bot's own rows (their `bot_id`): open positions, the last orders and fills.
        var positions: [PositionRecord] = []
        var orders: [OrderRecord] = []
        var fills: [BotFill] = []
        var formats: [String: SymbolFormat] = [:]
        /// A bot that takes signals: its hook (if any), its newest signals, and the secret of a
        /// hook just made (shown this once).
        var hook: HookModel?

        func format(_ symbol: String) -> SymbolFormat { formats[symbol] ?? .unknown }
    }

    static func render(_ m: Model) -> String {
        let definition = m.bot.record.definition
        var c = card(m.bot)
        c["csrf"] = m.viewer.csrfToken
        c["strategyName"] = definition.strategyName
        c["runsInWorker"] = m.bot.running != nil
        // The worker's bot is started and stopped here as on /trading (a bot with no key has none).
        if let running = m.bot.running, running.state != "no_key", case .signals(let settings) = definition.plan {
            c["controls"] = [
                "canStart": !["running", "starting"].contains(running.state), "canStop": !["stopped", "emergency_stopped"].contains(running.state),
                "emergencyConfirm": t(settings.emergencyClosePositions ? "trading.emergency_confirm_close" : "trading.emergency_confirm"),
            ]
        }
        c["created"] = DisplayTime.text(m.bot.record.createdAt, m.zone)
        c["updated"] = DisplayTime.text(m.bot.record.updatedAt, m.zone)
        c["balances"] = definition.paperBalances.sorted { $0.key < $1.key }.map { ["asset": $0.key, "amount": DecimalText.plain($0.value)] }
        c["params"] = parameterRows(definition)
        // A bot that trades on its hook's signals has nothing a backtest could replay.
        switch definition.plan {
        case .signal: c["backtestable"] = false
        case .dca(let dca): c["backtestable"] = dca.start != .signal
        case .grid, .signals: c["backtestable"] = true
        }
        c["deleteConfirm"] = t("bots.delete_confirm", ["name": definition.name])
        c["copyName"] = String(definition.name.prefix(BotDefinition.nameLength.upperBound - 7)) + " (live)"
        c["notice"] = m.notice
        c["error"] = m.error
        if case .grid = definition.plan { c["grid"] = gridContext(m) }
        if m.bot.isHosted { c["hosted"] = hostedContext(m) }
        if let hook = m.hook { c["signals"] = hookContext(hook, definition: definition, zone: m.zone) }
        // A live bot's positions, orders and fills are rows of the account (a grid's and a DCA
        // bot's too); a paper grid or DCA bot has none: its status above says it all.
        c["showRows"] = !(m.bot.isHosted && definition.mode == .paper)
        c["positions"] = TradingPage.positionRows(m.positions, format: m.format)
        c["orders"] = TradingPage.orderRows(m.orders, format: m.format, zone: m.zone)
        c["fills"] = TradingPage.fillRows(m.fills, format: m.format, zone: m.zone)
        return Layout.page(
            title: definition.name, active: "/", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(Date(), m.zone)]),
            content: Views.render("bot", c))
    }

    /// Each parameter with its value and what it does.
    static func parameterRows(_ definition: BotDefinition) -> [[String: Any]] {
        switch definition.plan {
        case .signals(let settings):
            var rows: [[String: Any]] = settings.strategy.params.sorted { $0.key < $1.key }.map {
                ["label": $0.key, "value": number($0.value), "hint": ""]
            }
            rows.append(["label": t("field.interval"), "value": settings.interval, "hint": ""])
            return rows
        case .grid(let grid):
            return rows(BotParameters.grid(grid).texts, strategy: "grid")
        case .dca(let dca):
            return rows(BotParameters.dca(dca).texts, strategy: "dca")
        case .signal(let signal):
            return [["label": t("col.symbol"), "value": signal.symbol, "hint": t("bots.param_hint.signal")]]
        }
    }

    /// A strategy parameter as typed: whole numbers without a fraction.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func rows(_ texts: [String: String], strategy: String) -> [[String: Any]] {
        BotParameters.keys(of: strategy).compactMap { key in
            // A choice (a grid's spacing, a deal's start) in the reader's language.
            texts[key].map { value in
                let shown = BotForm.choices[key]?.contains(value) == true ? t("bots.\(key).\(value)") : value
                return ["label": t("bots.param.\(strategy).\(key)"), "value": shown, "hint": t("bots.param_hint.\(strategy).\(key)")]
            }
        }
    }

    static func gridContext(_ m: Model) -> [String: Any] {
        switch m.levels {
        case nil:
            return ["levelsMissing": t("bots.levels_unavailable", ["reason": t("common.no_answer")])]
        case .failure(let error):
            return ["levelsMissing": t("bots.levels_unavailable", ["reason": error.pageMessage])]
        case .success(let levels):
            let rows = levels.prices.enumerated().reversed().map { index, price -> [String: Any] in
                let role = levels.last.map { price < $0 ? t("bots.level_buy") : t("bots.level_sell") } ?? "—"
                return ["index": String(index), "price": levels.format.price(price), "role": role]
            }
            var c: [String: Any] = [
                "levels": ["rows": rows, "levelsHint": t("bots.levels_hint", ["n": String(levels.prices.count)])] as [String: Any],
                "chart": GridLevelsChart.context(levels: levels.prices, last: levels.last, format: levels.format, symbol: m.bot.record.definition.symbols[0]),
            ]
            if levels.last == nil { c["levelsMissing"] = t("bots.no_last_price") }
            return c
        }
    }

    /// A grid or DCA bot as the worker runs it: its controls, figures, resting orders, latest
    /// fills and deals, and a paper bot's virtual balances now.
    static func hostedContext(_ m: Model) -> [String: Any] {
        let bot = m.bot
        let format = m.format(bot.record.definition.symbols.first ?? "")
        let active = bot.record.wanted || ["running", "starting", "stopping"].contains(bot.state)
        var c: [String: Any] = [
            "canStart": !active, "canStop": active,
            "emergencyConfirm": t("bots.emergency_confirm", ["name": bot.record.definition.name]),
        ]
        guard let status = bot.hosted else {
            c["notReported"] = t("bots.not_reported_yet")
            return c
        }
        var figures: [[String: Any]] = []
        func add(_ key: String, _ value: String?) {
            figures.append(["label": t("bots.run.\(key)"), "value": value ?? "—", "missing": value == nil])
        }
        add("price", status.price.map(format.price))
        if status.gridProfit != nil {
            add("cycles", String(status.cycles))
            add("grid_profit", status.gridProfit.map { USDTFormat.signed($0) })
            if let moves = status.rangeMoves, moves > 0, let levels = status.levels, let lower = levels.first, let upper = levels.last {
                add("range_moves", t("bots.run.range_now", ["n": String(moves), "lower": format.price(lower), "upper": format.price(upper)]))
            }
        }
        add("realised", USDTFormat.signed(status.realisedPnL))
        add("today", USDTFormat.signed(status.todayPnL))
        add("unrealised", status.unrealisedPnL.map { USDTFormat.signed($0) })
        add("held", format.quantity(status.held))
        add("used", USDTFormat.value(status.allocationUsed))
        c["figures"] = figures
        c["reportedAt"] = DisplayTime.text(Date(timeIntervalSince1970: TimeInterval(status.updatedAt) / 1000), m.zone)
        c["openOrders"] = status.openOrders.sorted { $0.price > $1.price }.map { order -> [String: Any] in
            ["side": order.side == "BUY" ? t("order.side.buy") : t("order.side.sell"), "price": format.price(order.price), "quantity": format.quantity(order.quantity),
             "what": order.level.map { t("bots.level_n", ["n": String($0)]) } ?? order.role ?? ""]
        }
        c["fills"] = status.fills.reversed().map { fill -> [String: Any] in
            ["time": DisplayTime.text(Date(timeIntervalSince1970: TimeInterval(fill.time) / 1000), m.zone),
             "side": fill.side == "BUY" ? t("order.side.buy") : t("order.side.sell"), "price": format.price(fill.price), "quantity": format.quantity(fill.quantity),
             "fee": USDTFormat.value(fill.feeQuote), "what": fill.level.map { t("bots.level_n", ["n": String($0)]) } ?? fill.role ?? ""]
        }
        c["deals"] = status.deals.map { deal -> [String: Any] in
            ["number": String(deal.number), "phase": deal.closeReason.map { t("bots.deal.closed") + " (\($0))" } ?? t("bots.deal.open"),
             "entry": deal.entry.map(format.price) ?? "—", "average": deal.average.map(format.price) ?? "—",
             "safety": "\(deal.safetyFilled) / \(deal.safetyOrders)", "takeProfit": deal.takeProfit.map(format.price) ?? "—",
             "pnl": deal.pnl.map { USDTFormat.signed($0) } ?? "—"]
        }
        c["hasDeals"] = bot.record.definition.strategyName == "dca"
        // USDT to the cent; the symbol's base asset to its step (what is left after fees keeps
        // its digits, ``SymbolFormat/balance``).
        c["balancesNow"] = status.balances.sorted { $0.key < $1.key }.map { asset, amount -> [String: Any] in
            ["asset": asset, "amount": asset == "USDT" ? USDTFormat.value(amount) : format.balance(amount)]
        }
        c["hasFigures"] = true
        c["hasBalancesNow"] = !status.balances.isEmpty
        c["hasOrders"] = !status.openOrders.isEmpty
        c["hasFills"] = !status.fills.isEmpty
        c["hasDealRows"] = !status.deals.isEmpty
        return c
    }
}
