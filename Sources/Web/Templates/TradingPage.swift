import Common
import Foundation

/// `/trading`: the bot's state and controls, its settings, positions, orders, fills and the
/// events it reported (refused entries, risk exits, errors).
enum TradingPage {
    struct Model {
        var viewer: Layout.Viewer
        var bot: BotView
        var settings: BotSettings
        var settingsAreDefault: Bool
        var orders: [OrderRecord]
        var fills: [BotFill]
        var events: [WorkerEvent]
        /// The newest `settings_changed` command: when the bot applied the saved settings.
        var settingsCommand: StoredCommand? = nil
        var error: String?
        var notice: String?
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        let csrf = "<input type=\"hidden\" name=\"csrf_token\" value=\"\(esc(m.viewer.csrfToken))\">"
        var c = "<h1>Trading</h1>"
        if let error = m.error { c += "<p class=\"error\" role=\"alert\">\(esc(error))</p>" }
        if let notice = m.notice { c += "<p class=\"notice\" role=\"status\">\(esc(notice))</p>" }
        c += "<section class=\"card\" id=\"bot\" data-live-region><h2>Bot</h2><p id=\"bot-state\" class=\"state-\(esc(m.bot.state))\">State: <strong>\(esc(m.bot.state.replacingOccurrences(of: "_", with: " ")))</strong>"
        if let reason = m.bot.stateReason { c += " — \(esc(reason))" }
        c += "</p>"
        if m.bot.state != "no_key" {
            if let today = m.bot.todayPnL?.value {
                c += "<p>Today's PnL: <strong id=\"today-pnl\">\(esc(DecimalText.format(today, places: 2))) USDT</strong> <span class=\"hint\">(realised today plus open positions' unrealised)</span></p>"
            } else {
                c += "<p class=\"unavailable\">Today's PnL: unavailable — the bot has not reported it yet.</p>"
            }
            c += """
                <form method="post" action="/trading/start" class="inline">\(csrf)<button type="submit">Start</button></form>
                <form method="post" action="/trading/stop" class="inline">\(csrf)<button type="submit">Stop (keep positions)</button></form>
                <form method="post" action="/trading/stop" class="inline">\(csrf)<input type="hidden" name="close_positions" value="1"><button type="submit">Stop and sell positions</button></form>
                <form method="post" action="/trading/emergency-stop" class="inline">\(csrf)<button type="submit" class="danger" data-confirm="Emergency stop: cancel every open order\(m.settings.emergencyClosePositions ? ", sell the positions" : "") and keep the bot stopped?">Emergency stop</button></form>
                <p class="hint">Emergency stop cancels every open order of the account on every symbol\(m.settings.emergencyClosePositions ? ", sells the positions into USDT" : "") and keeps the bot stopped until you start it again.</p>
                """
        } else {
            c += "<p><a href=\"/settings#exchange-key\">Add your exchange API key</a> to run the bot.</p>"
        }
        c += "</section>"

        // Positions
        let open = m.bot.positions.filter(\.isOpen)
        var rows = ""
        for p in open {
            func d(_ v: Decimal?, _ places: Int = 8) -> String { v.map { esc(DecimalText.format($0, places: places)) } ?? "<span class=\"unavailable\">unavailable</span>" }
            rows += "<tr><td>\(esc(p.symbol))</td><td>\(d(p.qty))</td><td>\(d(p.avgEntryPrice, 2))</td><td>\(d(p.currentPrice, 2))</td>"
            rows += "<td>\(d(p.unrealizedPnLUSDT, 2))</td><td>\(d(p.realizedPnLUSDT, 2))</td><td>\(d(p.stopLoss, 2))</td><td>\(d(p.takeProfit, 2))</td></tr>"
        }
        c += """
            <h2>Open positions</h2>
            <div class="scroll" id="positions-region" data-live-region><table id="positions"><thead><tr><th>Symbol</th><th>Quantity</th><th>Entry (avg, fees in)</th><th>Price</th><th>Unrealised PnL</th><th>Realised PnL</th><th>Stop-loss</th><th>Take-profit</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"8\">The bot holds no position.</td></tr>" : rows)</tbody></table></div>
            """

        // Orders
        rows = ""
        for o in m.orders {
            let cancel = o.isOpen && o.orderID != nil
                ? "<form method=\"post\" action=\"/trading/orders/\(o.orderID!)/cancel\">\(csrf)<button type=\"submit\">Cancel</button></form>" : ""
            rows += "<tr><td>\(esc(Timestamp.string(o.createdAt)))</td><td>\(esc(o.symbol))</td><td>\(esc(o.side))</td><td>\(esc(o.type))</td><td>\(esc(o.status))</td>"
            rows += "<td>\(o.price.map { esc(DecimalText.format($0, places: 2)) } ?? "—")</td><td>\(esc(DecimalText.format(o.executedQty)))/\(esc(DecimalText.format(o.origQty)))</td>"
            rows += "<td>\(esc(o.reason ?? ""))</td><td>\(cancel)</td></tr>"
        }
        c += """
            <h2>Orders <a class="hint" href="/monitoring">all orders and fills</a></h2>
            <div class="scroll" id="orders-region" data-live-region><table id="orders"><thead><tr><th>Created</th><th>Symbol</th><th>Side</th><th>Type</th><th>Status</th><th>Avg price</th><th>Filled</th><th>Why</th><th></th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"9\">No orders yet.</td></tr>" : rows)</tbody></table></div>
            """

        // Fills
        rows = ""
        for f in m.fills {
            rows += "<tr><td>\(esc(Timestamp.string(f.time)))</td><td>\(esc(f.symbol))</td><td>\(esc(f.side))</td><td>\(esc(DecimalText.format(f.price, places: 2)))</td>"
            rows += "<td>\(esc(DecimalText.format(f.qty)))</td><td>\(esc(DecimalText.format(f.commission))) \(esc(f.commissionAsset))</td></tr>"
        }
        c += """
            <h2>Fills</h2>
            <div class="scroll" id="fills-region" data-live-region><table id="fills"><thead><tr><th>Time</th><th>Symbol</th><th>Side</th><th>Price</th><th>Quantity</th><th>Commission</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">No fills yet.</td></tr>" : rows)</tbody></table></div>
            """

        // Events
        rows = m.events.map { e in
            "<tr><td>\(esc(Timestamp.string(e.time)))</td><td>\(esc(e.level))</td><td>\(esc(e.kind))</td><td>\(esc(e.message))</td></tr>"
        }.joined()
        c += """
            <h2>What the bot reported</h2>
            <div class="scroll" id="events-region" data-live-region><table id="events"><thead><tr><th>Time</th><th>Level</th><th>Kind</th><th>Message</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"4\">Nothing reported yet.</td></tr>" : rows)</tbody></table></div>
            """
        c += settingsForm(m.settings, isDefault: m.settingsAreDefault, command: m.settingsCommand, csrf: csrf, returnTo: "/trading")
        return Layout.page(
            title: "Trading", active: "/trading", viewer: m.viewer, freshness: "Read from central.sqlite at \(Timestamp.string(m.now))", content: c,
            live: ["fill", "order", "bot", "heartbeat", "command"], freshnessAt: m.now
        )
    }

    /// Whether the bot has the saved settings: applied (when), waiting for it, or read at its start.
    static func appliedLine(isDefault: Bool, command: StoredCommand?) -> String {
        let esc = Layout.escape
        var text: String
        if isDefault {
            text = "These are the defaults; nothing is saved yet."
        } else if let command {
            let saved = command.createdAt.map { "Saved at \(Timestamp.string($0))" } ?? "Saved"
            if let applied = command.acknowledgedAt {
                text = "\(saved); applied by the bot at \(Timestamp.string(applied))"
                if let result = command.result, result != "ok" { text += " (\(result))" }
                text += "."
            } else if command.deliveredAt != nil {
                text = "\(saved); sent to the bot, waiting for it to apply them."
            } else {
                text = "\(saved); the bot is not running and applies them when it starts."
            }
        } else {
            text = "Saved; the bot reads them when it starts."
        }
        return "<p class=\"hint\" id=\"settings-applied\" data-live-region role=\"status\">\(esc(text))</p>"
    }

    static func settingsForm(_ s: BotSettings, isDefault: Bool, command: StoredCommand?, csrf: String, returnTo: String) -> String {
        let esc = Layout.escape
        func number(_ name: String, _ label: String, _ value: String, _ hint: String = "") -> String {
            "<label for=\"\(name)\">\(esc(label))</label><input type=\"text\" id=\"\(name)\" name=\"\(name)\" value=\"\(esc(value))\" inputmode=\"decimal\">\(hint.isEmpty ? "" : "<p class=\"hint\">\(esc(hint))</p>")"
        }
        func plain(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
        let intervals = BotSettings.intervals.map { "<option\($0 == s.interval ? " selected" : "")>\($0)</option>" }.joined()
        return """
            <form method="post" action="/trading/settings" class="card" id="settings">\(csrf)
            <input type="hidden" name="return_to" value="\(esc(returnTo))">
            <h2>Bot settings</h2>
            \(appliedLine(isDefault: isDefault, command: command))
            \(number("symbols", "Symbols (…USDT pairs the exchange lists, comma separated)", s.symbols.joined(separator: ", ")))
            <label for="interval">Candle interval</label><select id="interval" name="interval">\(intervals)</select>
            <label for="strategy">Strategy</label>
            <select id="strategy" name="strategy"><option value="sma_cross"\(s.strategy.name == "sma_cross" ? " selected" : "")>sma_cross</option><option value="ml"\(s.strategy.name == "ml" ? " selected" : "")>ml</option></select>
            <p class="hint">sma_cross: buy when the fast SMA crosses above the slow one, sell when it crosses below. ml: a random forest and a linear regression trained walk-forward on the closed candles; it acts when both agree and the expected return beats the fees (see Signals).</p>
            \(number("fast", "Fast SMA (candles)", plain(s.strategy.params["fast"] ?? 9)))
            \(number("slow", "Slow SMA (candles)", plain(s.strategy.params["slow"] ?? 21)))
            \(number("max_position_pct", "Largest position (% of equity)", plain(s.risk.maxPositionPct)))
            \(number("max_position_usdt", "Largest position (USDT)", DecimalText.format(s.risk.maxPositionUsdt, places: 2)))
            \(number("max_open_positions", "Open positions at most", String(s.risk.maxOpenPositions)))
            \(number("stop_loss_pct", "Stop-loss (% below entry, 0 = off)", plain(s.risk.stopLossPct)))
            \(number("take_profit_pct", "Take-profit (% above entry, 0 = off)", plain(s.risk.takeProfitPct)))
            \(number("trailing_stop_pct", "Trailing stop (% below the peak, 0 = off)", plain(s.risk.trailingStopPct)))
            \(number("daily_loss_limit_usdt", "Daily loss limit (USDT, 0 = off)", DecimalText.format(s.risk.dailyLossLimitUsdt, places: 2), "Reached: no new entries until the next day."))
            \(number("max_drawdown_pct", "Maximum drawdown (% below the equity peak, 0 = off)", plain(s.risk.maxDrawdownPct), "Reached: emergency stop."))
            \(number("cooldown_minutes", "Cooldown after a stop-loss (minutes)", String(s.risk.cooldownMinutes)))
            <label><input type="checkbox" name="emergency_close_positions" value="1"\(s.emergencyClosePositions ? " checked" : "")> Emergency stop also sells the positions into USDT</label>
            <label for="unknown_orders">Open orders the bot did not place</label>
            <select id="unknown_orders" name="unknown_orders"><option value="adopt"\(s.unknownOrders == "adopt" ? " selected" : "")>adopt (show them)</option><option value="cancel"\(s.unknownOrders == "cancel" ? " selected" : "")>cancel them</option></select>
            \(number("timezone", "Time zone (IANA name such as Asia/Seoul: days of today's PnL, reports and times shown)", s.timezone))
            <button type="submit">Save and apply</button>
            </form>
            """
    }
}
