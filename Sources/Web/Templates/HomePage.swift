import Common
import Foundation

/// `/`: the signed-in user's portfolio in USDT, from the exchange through the worker, its
/// equity over time, today's PnL and the bot's state; whatever is not known is shown as
/// unavailable, with the reason.
enum HomePage {
    struct Model {
        var viewer: Layout.Viewer
        var key: StoredExchangeKey?
        var bot: BotView?
        var portfolio: PortfolioView?
        var equity: [(time: Date, totalUSDT: Decimal)] = []
        var range = EquityRange.day
        var timeZone = TimeZone.gmt
        var readError: String?
        var now: Date
    }

    /// The equity chart's periods.
    enum EquityRange: String, CaseIterable {
        case day, week, month, all

        var title: String { t("equity.range.\(rawValue)") }

        func since(_ now: Date) -> Date? {
            switch self {
            case .day: now.addingTimeInterval(-86_400)
            case .week: now.addingTimeInterval(-7 * 86_400)
            case .month: now.addingTimeInterval(-30 * 86_400)
            case .all: nil
            }
        }
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        var content = "<h1>\(esc(t("home.title")))</h1>"
        var freshness = t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)])
        var freshnessAt: Date? = m.now
        let live = ["portfolio", "bot", "heartbeat", "fill"]
        if let readError = m.readError {
            content += "<p class=\"unavailable\">\(esc(t("common.unavailable_because", ["reason": readError])))</p>"
            return Layout.page(title: t("home.title"), active: "/", viewer: m.viewer, freshness: freshness, content: content)
        }
        var summary = ""
        if let view = m.portfolio {
            if let exchange = view.exchange, !exchange.reachable {
                let since = (exchange.since ?? exchange.updatedAt).map { DisplayTime.text($0, m.timeZone) } ?? t("common.unknown")
                summary += "<p class=\"unavailable\" id=\"exchange-state\">\(esc(t("home.exchange_unreachable", ["since": since, "reason": exchange.reason ?? t("common.no_answer")])))</p>"
            }
            switch view.availability {
            case .unavailable(let reason):
                summary += "<p class=\"unavailable\" id=\"total\">\(esc(t("home.total_unavailable", ["reason": t("reason.\(reason)")])))</p>"
                if reason == "no_key" {
                    summary += "<p><a href=\"/settings#exchange-key\">\(esc(t("home.add_key")))</a></p>"
                }
            case .available(let valuation):
                freshness = t("fresh.balances", ["balances": DisplayTime.text(valuation.balancesAt, m.timeZone), "prices": DisplayTime.text(valuation.pricesAt, m.timeZone)])
                freshnessAt = valuation.balancesAt
                if let stale = view.staleSince { freshness += " — " + t("fresh.stale_since", ["time": DisplayTime.text(stale, m.timeZone)]) }
                summary += "<p id=\"total\" class=\"total\">\(esc(t("home.total"))) <strong>\(esc(DecimalText.format(valuation.totalUSDT, places: 2))) USDT</strong>"
                if !valuation.unpriced.isEmpty {
                    summary += " <span class=\"hint\">\(esc(t("home.unpriced", ["assets": valuation.unpriced.joined(separator: ", ")])))</span>"
                }
                summary += "</p>"
                summary += todayLine(m.bot)
                var rows = ""
                for line in valuation.lines {
                    let price = line.priceUSDT.map { DecimalText.format($0) } ?? "<span class=\"unavailable\">\(esc(t("reason.no_price_route")))</span>"
                    let value = line.valueUSDT.map { DecimalText.format($0, places: 2) } ?? "<span class=\"unavailable\">\(esc(t("common.unavailable")))</span>"
                    let share: String
                    if let v = line.valueUSDT, valuation.totalUSDT > 0 {
                        share = esc(DecimalText.format(v / valuation.totalUSDT * 100, places: 1)) + " %"
                    } else {
                        share = "<span class=\"unavailable\">—</span>"
                    }
                    rows += "<tr><td>\(esc(line.asset))</td><td class=\"num\">\(DecimalText.format(line.free))</td><td class=\"num\">\(DecimalText.format(line.locked))</td>"
                    rows += "<td class=\"num\">\(price)</td><td class=\"num\">\(value)</td><td class=\"num\">\(share)</td></tr>\n"
                }
                summary += """
                    <div class="scroll"><table id="balances"><caption>\(esc(t("home.balances")))</caption><thead><tr><th scope="col">\(esc(t("col.asset")))</th><th scope="col" class="num">\(esc(t("col.free")))</th><th scope="col" class="num">\(esc(t("col.locked")))</th>\
                    <th scope="col" class="num">\(esc(t("col.price_usdt")))</th><th scope="col" class="num">\(esc(t("col.value_usdt")))</th><th scope="col" class="num">\(esc(t("col.share")))</th></tr></thead>
                    <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">\(esc(t("home.holds_nothing")))</td></tr>" : rows)</tbody></table></div>
                    """
            }
        }
        content += "<section id=\"summary\" data-live-region>\(summary)</section>"
        content += equitySection(m)
        content += "<h2>\(esc(t("home.bot")))</h2><div id=\"bot\" data-live-region>\(botLine(m))</div>"
        if let key = m.key {
            content += "<p>\(esc(t("home.exchange_key"))) <code>\(esc(key.maskedKey))</code> — <a href=\"/settings#exchange-key\">\(esc(t("home.manage_key")))</a></p>"
        }
        return Layout.page(
            title: t("home.title"), active: "/", viewer: m.viewer, freshness: freshness, content: content, live: live, scripts: [Charts.chartJS],
            freshnessAt: freshnessAt
        )
    }

    static func todayLine(_ bot: BotView?) -> String {
        guard let bot, bot.state != "no_key" else { return "" }
        if let today = bot.todayPnL?.value {
            return "<p>\(Layout.escape(t("pnl.today"))) <strong id=\"today-pnl\">\(Layout.escape(DecimalText.format(today, places: 2))) USDT</strong></p>"
        }
        return "<p class=\"unavailable\" id=\"today-pnl\">\(Layout.escape(t("pnl.today_unavailable")))</p>"
    }

    static func equitySection(_ m: Model) -> String {
        var links = ""
        for range in EquityRange.allCases {
            let current = range == m.range ? " aria-current=\"true\"" : ""
            links += "<a href=\"/?range=\(range.rawValue)#equity\"\(current)>\(range.title)</a> "
        }
        var section = "<section id=\"equity\"><h2>\(Layout.escape(t("equity.title")))</h2><nav class=\"ranges\" aria-label=\"\(Layout.escape(t("equity.period")))\">\(links)</nav>"
        if m.equity.count < 2 {
            let why = m.key == nil ? t("reason.no_key") : t("equity.too_few")
            section += "<p class=\"unavailable\" id=\"equity-chart\" data-live-region>\(Layout.escape(t("equity.no_data", ["reason": why])))</p>"
        } else {
            let values = m.equity.map { NSDecimalNumber(decimal: $0.totalUSDT).doubleValue }
            let first = DecimalText.format(m.equity.first!.totalUSDT, places: 2)
            let last = DecimalText.format(m.equity.last!.totalUSDT, places: 2)
            let caption = t("equity.caption", ["from": DisplayTime.text(m.equity.first!.time, m.timeZone), "first": first, "to": DisplayTime.text(m.equity.last!.time, m.timeZone), "last": last])
            section += Charts.line(
                id: "equity-chart", caption: caption, labels: m.equity.map { DisplayTime.short($0.time, m.timeZone, range: m.range == .day ? .time : .dateTime) },
                values: values, seriesLabel: t("equity.series")
            )
        }
        return section + "</section>"
    }

    static func botLine(_ m: Model) -> String {
        let esc = Layout.escape
        guard let bot = m.bot, m.key != nil else {
            return "<p class=\"unavailable\" id=\"bot-state\">\(esc(t("bot.no_key_line")))</p>"
        }
        var line = "\(esc(t("bot.label"))) <strong>\(esc(t("state.\(bot.state)")))</strong>"
        if let reason = bot.localizedReason { line += " — \(esc(reason))" }
        if let worker = bot.worker {
            if let beat = worker.lastHeartbeatAt { line += "; " + esc(t("bot.last_heartbeat", ["time": DisplayTime.text(beat, m.timeZone)])) }
            if worker.restarts > 0 { line += "; " + esc(t("bot.restarts", ["n": String(worker.restarts)])) }
        }
        let open = bot.positions.filter(\.isOpen).count
        line += "; " + esc(open == 0 ? t("bot.no_position") : t("bot.open_positions", ["n": String(open)]))
        return "<p id=\"bot-state\" class=\"state-\(esc(bot.state))\">\(line). <a href=\"/trading\">\(esc(t("nav.trading")))</a></p>"
    }
}
