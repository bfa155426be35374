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
        var timeZone = TimeZone.gmt
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        let zone = m.timeZone
        let csrf = "<input type=\"hidden\" name=\"csrf_token\" value=\"\(esc(m.viewer.csrfToken))\">"
        var c = "<h1>\(esc(t("trading.title")))</h1>"
        if let error = m.error { c += "<p class=\"error\" role=\"alert\">\(esc(error))</p>" }
        if let notice = m.notice { c += "<p class=\"notice\" role=\"status\">\(esc(notice))</p>" }
        c += "<section class=\"card\" id=\"bot\" data-live-region><h2>\(esc(t("home.bot")))</h2>"
        c += "<p id=\"bot-state\" class=\"state-\(esc(m.bot.state))\">\(esc(t("trading.state"))) <strong>\(esc(t("state.\(m.bot.state)")))</strong>"
        if let reason = m.bot.localizedReason { c += " — \(esc(reason))" }
        c += "</p>"
        if m.bot.state != "no_key" {
            if let today = m.bot.todayPnL?.value {
                c += "<p>\(esc(t("pnl.today"))) <strong id=\"today-pnl\">\(esc(DecimalText.format(today, places: 2))) USDT</strong> <span class=\"hint\">\(esc(t("trading.today_hint")))</span></p>"
            } else {
                c += "<p class=\"unavailable\" id=\"today-pnl\">\(esc(t("pnl.today_unavailable")))</p>"
            }
            let active = ["running", "starting"].contains(m.bot.state)
            let close = m.settings.emergencyClosePositions
            if !active {
                c += "<form method=\"post\" action=\"/trading/start\" class=\"inline\">\(csrf)<button type=\"submit\">\(esc(t("trading.start")))</button></form>"
            }
            if m.bot.state != "stopped" && m.bot.state != "emergency_stopped" {
                c += """
                    <form method="post" action="/trading/stop" class="inline">\(csrf)<button type="submit">\(esc(t("trading.stop")))</button></form>
                    <form method="post" action="/trading/stop" class="inline">\(csrf)<input type="hidden" name="close_positions" value="1"><button type="submit">\(esc(t("trading.stop_close")))</button></form>
                    """
            }
            c += """
                <form method="post" action="/trading/emergency-stop" class="inline">\(csrf)<button type="submit" class="danger" \
                data-confirm="\(esc(t(close ? "trading.emergency_confirm_close" : "trading.emergency_confirm")))">\(esc(t("trading.emergency")))</button></form>
                <p class="hint">\(esc(t(close ? "trading.emergency_hint_close" : "trading.emergency_hint")))</p>
                """
        } else {
            c += "<p><a href=\"/settings#exchange-key\">\(esc(t("trading.add_key")))</a></p>"
        }
        c += "</section>"

        // Positions
        var rows = ""
        for p in m.bot.positions.filter(\.isOpen) {
            func d(_ v: Decimal?, _ places: Int = 8, none: String = "common.unavailable") -> String {
                v.map { esc(DecimalText.format($0, places: places)) } ?? "<span class=\"unavailable\">\(esc(t(none)))</span>"
            }
            rows += "<tr><td>\(esc(p.symbol))</td><td class=\"num\">\(d(p.qty))</td><td class=\"num\">\(d(p.avgEntryPrice, 2))</td><td class=\"num\">\(d(p.currentPrice, 2))</td>"
            rows += "<td class=\"num\">\(d(p.unrealizedPnLUSDT, 2))</td><td class=\"num\">\(d(p.realizedPnLUSDT, 2))</td>"
            rows += "<td class=\"num\">\(d(p.stopLoss, 2, none: "common.off"))</td><td class=\"num\">\(d(p.takeProfit, 2, none: "common.off"))</td></tr>"
        }
        c += """
            <h2>\(esc(t("trading.positions")))</h2>
            <div class="scroll" id="positions-region" data-live-region><table id="positions"><thead><tr><th scope="col">\(esc(t("col.symbol")))</th>\
            <th scope="col" class="num">\(esc(t("col.quantity")))</th><th scope="col" class="num">\(esc(t("col.entry")))</th><th scope="col" class="num">\(esc(t("col.price")))</th>\
            <th scope="col" class="num">\(esc(t("col.unrealized")))</th><th scope="col" class="num">\(esc(t("col.realized")))</th>\
            <th scope="col" class="num">\(esc(t("col.stop_loss")))</th><th scope="col" class="num">\(esc(t("col.take_profit")))</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"8\">\(esc(t("trading.no_position")))</td></tr>" : rows)</tbody></table></div>
            """

        // Orders
        rows = ""
        for o in m.orders {
            let cancel = o.isOpen && o.orderID != nil
                ? "<form method=\"post\" action=\"/trading/orders/\(o.orderID!)/cancel\">\(csrf)<button type=\"submit\">\(esc(t("trading.cancel")))</button></form>" : ""
            rows += "<tr><td>\(esc(DisplayTime.text(o.createdAt, zone)))</td><td>\(esc(o.symbol))</td><td>\(esc(o.side))</td><td>\(esc(o.type))</td><td>\(esc(o.status))</td>"
            rows += "<td class=\"num\">\(o.price.map { esc(DecimalText.format($0, places: 2)) } ?? "—")</td>"
            rows += "<td class=\"num\">\(esc(DecimalText.format(o.executedQty))) / \(esc(DecimalText.format(o.origQty)))</td><td>\(esc(o.reason ?? ""))</td><td>\(cancel)</td></tr>"
        }
        c += """
            <h2>\(esc(t("trading.orders"))) <a class="hint" href="/monitoring?show=orders">\(esc(t("trading.all_orders")))</a></h2>
            <div class="scroll" id="orders-region" data-live-region><table id="orders"><thead><tr><th scope="col">\(esc(t("col.created")))</th><th scope="col">\(esc(t("col.symbol")))</th>\
            <th scope="col">\(esc(t("col.side")))</th><th scope="col">\(esc(t("col.type")))</th><th scope="col">\(esc(t("col.status")))</th><th scope="col" class="num">\(esc(t("col.avg_price")))</th>\
            <th scope="col" class="num">\(esc(t("col.filled")))</th><th scope="col">\(esc(t("col.why")))</th><th scope="col"><span class="skip">\(esc(t("trading.cancel")))</span></th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"9\">\(esc(t("trading.no_orders")))</td></tr>" : rows)</tbody></table></div>
            """

        // Fills
        rows = ""
        for f in m.fills {
            rows += "<tr><td>\(esc(DisplayTime.text(f.time, zone)))</td><td>\(esc(f.symbol))</td><td>\(esc(f.side))</td><td class=\"num\">\(esc(DecimalText.format(f.price, places: 2)))</td>"
            rows += "<td class=\"num\">\(esc(DecimalText.format(f.qty)))</td><td class=\"num\">\(esc(DecimalText.format(f.commission))) \(esc(f.commissionAsset))</td></tr>"
        }
        c += """
            <h2>\(esc(t("trading.fills"))) <a class="hint" href="/monitoring?show=fills">\(esc(t("trading.all_fills")))</a></h2>
            <div class="scroll" id="fills-region" data-live-region><table id="fills"><thead><tr><th scope="col">\(esc(t("col.time")))</th><th scope="col">\(esc(t("col.symbol")))</th>\
            <th scope="col">\(esc(t("col.side")))</th><th scope="col" class="num">\(esc(t("col.price")))</th><th scope="col" class="num">\(esc(t("col.quantity")))</th>\
            <th scope="col" class="num">\(esc(t("col.commission")))</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">\(esc(t("trading.no_fills")))</td></tr>" : rows)</tbody></table></div>
            """

        // Events
        rows = m.events.map { e in
            "<tr><td>\(esc(DisplayTime.text(e.time, zone)))</td><td>\(esc(e.level))</td><td>\(esc(e.kind))</td><td>\(esc(e.message))</td></tr>"
        }.joined()
        c += """
            <h2>\(esc(t("trading.events")))</h2>
            <div class="scroll" id="events-region" data-live-region><table id="events"><thead><tr><th scope="col">\(esc(t("col.time")))</th><th scope="col">\(esc(t("col.level")))</th>\
            <th scope="col">\(esc(t("col.kind")))</th><th scope="col">\(esc(t("col.message")))</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"4\">\(esc(t("trading.no_events")))</td></tr>" : rows)</tbody></table></div>
            """
        c += settingsForm(m.settings, isDefault: m.settingsAreDefault, command: m.settingsCommand, csrf: csrf, returnTo: "/trading", timeZone: zone)
        return Layout.page(
            title: t("trading.title"), active: "/trading", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, zone)]), content: c,
            live: ["fill", "order", "bot", "heartbeat", "command"], freshnessAt: m.now
        )
    }

    /// Whether the bot has the saved settings: applied (when), waiting for it, or read at its start.
    static func appliedLine(isDefault: Bool, command: StoredCommand?, timeZone: TimeZone) -> String {
        var text: String
        if isDefault {
            text = t("settings.defaults")
        } else if let command {
            let saved = command.createdAt.map { t("settings.saved_at", ["time": DisplayTime.text($0, timeZone)]) } ?? t("settings.saved")
            if let applied = command.acknowledgedAt {
                text = saved + " " + t("settings.applied_at", ["time": DisplayTime.text(applied, timeZone)])
                if let result = command.result, result != "ok" { text += " (\(result))" }
            } else if command.deliveredAt != nil {
                text = saved + " " + t("settings.waiting")
            } else {
                text = saved + " " + t("settings.not_running")
            }
        } else {
            text = t("settings.saved") + " " + t("settings.read_at_start")
        }
        return "<p class=\"hint\" id=\"settings-applied\" data-live-region role=\"status\">\(Layout.escape(text))</p>"
    }

    static func settingsForm(_ s: BotSettings, isDefault: Bool, command: StoredCommand?, csrf: String, returnTo: String, timeZone: TimeZone) -> String {
        let esc = Layout.escape
        func field(_ name: String, _ value: String, numeric: Bool = true, hint: String? = nil) -> String {
            let hintID = hint == nil ? "" : " aria-describedby=\"\(name)-hint\""
            return "<label for=\"\(name)\">\(esc(t("field.\(name)")))</label><input type=\"text\" id=\"\(name)\" name=\"\(name)\" value=\"\(esc(value))\""
                + (numeric ? " inputmode=\"decimal\"" : " autocapitalize=\"off\" spellcheck=\"false\"") + "\(hintID)>"
                + (hint.map { "<p class=\"hint\" id=\"\(name)-hint\">\(esc($0))</p>" } ?? "")
        }
        func plain(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
        let intervals = BotSettings.intervals.map { "<option\($0 == s.interval ? " selected" : "")>\($0)</option>" }.joined()
        func option(_ value: String, _ key: String, _ current: String) -> String {
            "<option value=\"\(value)\"\(value == current ? " selected" : "")>\(esc(t(key)))</option>"
        }
        return """
            <form method="post" action="/trading/settings" class="card" id="settings">\(csrf)
            <input type="hidden" name="return_to" value="\(esc(returnTo))">
            <h2>\(esc(t("settings.bot_title")))</h2>
            \(appliedLine(isDefault: isDefault, command: command, timeZone: timeZone))
            \(field("symbols", s.symbols.joined(separator: ", "), numeric: false))
            <label for="interval">\(esc(t("field.interval")))</label><select id="interval" name="interval">\(intervals)</select>
            <label for="strategy">\(esc(t("field.strategy")))</label>
            <select id="strategy" name="strategy" aria-describedby="strategy-hint">\(option("sma_cross", "strategy.sma_cross", s.strategy.name))\(option("ml", "strategy.ml", s.strategy.name))</select>
            <p class="hint" id="strategy-hint">\(esc(t("strategy.hint")))</p>
            \(field("fast", plain(s.strategy.params["fast"] ?? 9)))
            \(field("slow", plain(s.strategy.params["slow"] ?? 21)))
            \(field("max_position_pct", plain(s.risk.maxPositionPct)))
            \(field("max_position_usdt", DecimalText.format(s.risk.maxPositionUsdt, places: 2)))
            \(field("max_open_positions", String(s.risk.maxOpenPositions)))
            \(field("stop_loss_pct", plain(s.risk.stopLossPct)))
            \(field("take_profit_pct", plain(s.risk.takeProfitPct)))
            \(field("trailing_stop_pct", plain(s.risk.trailingStopPct)))
            \(field("daily_loss_limit_usdt", DecimalText.format(s.risk.dailyLossLimitUsdt, places: 2), hint: t("field.daily_loss_limit_usdt.hint")))
            \(field("max_drawdown_pct", plain(s.risk.maxDrawdownPct), hint: t("field.max_drawdown_pct.hint")))
            \(field("cooldown_minutes", String(s.risk.cooldownMinutes)))
            <label><input type="checkbox" name="emergency_close_positions" value="1"\(s.emergencyClosePositions ? " checked" : "")> \(esc(t("field.emergency_close_positions")))</label>
            <label for="unknown_orders">\(esc(t("field.unknown_orders")))</label>
            <select id="unknown_orders" name="unknown_orders">\(option("adopt", "unknown_orders.adopt", s.unknownOrders))\(option("cancel", "unknown_orders.cancel", s.unknownOrders))</select>
            \(field("timezone", s.timezone, numeric: false))
            <button type="submit">\(esc(t("settings.save")))</button>
            </form>
            """
    }
}
