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

        var title: String { ["day": "Day", "week": "Week", "month": "Month", "all": "All"][rawValue]! }

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
        var content = "<h1>Portfolio</h1>"
        var freshness = "Read from central.sqlite at \(DisplayTime.text(m.now, m.timeZone))"
        var freshnessAt: Date? = m.now
        let live = ["portfolio", "bot", "heartbeat", "fill"]
        if let readError = m.readError {
            content += "<p class=\"unavailable\">Unavailable: \(esc(readError)).</p>"
            return Layout.page(title: "Dashboard", active: "/", viewer: m.viewer, freshness: freshness, content: content)
        }
        var summary = ""
        if let view = m.portfolio {
            if let exchange = view.exchange, !exchange.reachable {
                let since = (exchange.since ?? exchange.updatedAt).map { DisplayTime.text($0, m.timeZone) } ?? "unknown"
                summary += "<p class=\"unavailable\" id=\"exchange-state\">Exchange unreachable since \(esc(since)): \(esc(exchange.reason ?? "no answer")). Retrying; the figures below are the last known.</p>"
            }
            switch view.availability {
            case .unavailable(let reason):
                summary += "<p class=\"unavailable\" id=\"total\">Total value: unavailable — \(esc(PortfolioView.explain(reason))).</p>"
                if reason == "no_key" {
                    summary += "<p><a href=\"/settings#exchange-key\">Add your exchange API key</a> to see your portfolio and start the bot.</p>"
                }
            case .available(let valuation):
                freshness = "Balances from the exchange at \(DisplayTime.text(valuation.balancesAt, m.timeZone)), prices at \(DisplayTime.text(valuation.pricesAt, m.timeZone))"
                freshnessAt = valuation.balancesAt
                if let stale = view.staleSince { freshness += " — stale: may be out of date since \(DisplayTime.text(stale, m.timeZone))" }
                summary += "<p id=\"total\" class=\"total\">Total value: <strong>\(esc(DecimalText.format(valuation.totalUSDT, places: 2))) USDT</strong>"
                if !valuation.unpriced.isEmpty {
                    summary += " <span class=\"hint\">(not counted: \(esc(valuation.unpriced.joined(separator: ", "))), which have no price in USDT)</span>"
                }
                summary += "</p>"
                summary += todayLine(m.bot)
                var rows = ""
                for line in valuation.lines {
                    let price = line.priceUSDT.map { DecimalText.format($0) } ?? "<span class=\"unavailable\">no price route</span>"
                    let value = line.valueUSDT.map { DecimalText.format($0, places: 2) } ?? "<span class=\"unavailable\">unavailable</span>"
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
                    <div class="scroll"><table id="balances"><caption>Balances</caption><thead><tr><th scope="col">Asset</th><th scope="col">Free</th><th scope="col">Locked</th>\
                    <th scope="col">Price (USDT)</th><th scope="col">Value (USDT)</th><th scope="col">Share</th></tr></thead>
                    <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">The account holds nothing.</td></tr>" : rows)</tbody></table></div>
                    """
            }
        }
        content += "<section id=\"summary\" data-live-region>\(summary)</section>"
        content += equitySection(m)
        content += "<h2>Bot</h2><div id=\"bot\" data-live-region>\(botLine(m))</div>"
        if let key = m.key {
            content += "<p>Exchange key <code>\(esc(key.maskedKey))</code> — <a href=\"/settings#exchange-key\">manage</a></p>"
        }
        return Layout.page(
            title: "Dashboard", active: "/", viewer: m.viewer, freshness: freshness, content: content, live: live, scripts: [Charts.chartJS],
            freshnessAt: freshnessAt
        )
    }

    static func todayLine(_ bot: BotView?) -> String {
        guard let bot, bot.state != "no_key" else { return "" }
        if let today = bot.todayPnL?.value {
            return "<p>Today's PnL: <strong id=\"today-pnl\">\(Layout.escape(DecimalText.format(today, places: 2))) USDT</strong></p>"
        }
        return "<p class=\"unavailable\" id=\"today-pnl\">Today's PnL: unavailable — the bot has not reported it yet.</p>"
    }

    static func equitySection(_ m: Model) -> String {
        var links = ""
        for range in EquityRange.allCases {
            let current = range == m.range ? " aria-current=\"true\"" : ""
            links += "<a href=\"/?range=\(range.rawValue)#equity\"\(current)>\(range.title)</a> "
        }
        var section = "<section id=\"equity\"><h2>Equity</h2><nav class=\"ranges\" aria-label=\"Equity period\">\(links)</nav>"
        if m.equity.count < 2 {
            let why = m.key == nil ? "no API key is stored" : "the bot samples the total once a minute; there are not two samples in this period yet"
            section += "<p class=\"unavailable\" id=\"equity-chart\" data-live-region>Equity chart: no data — \(Layout.escape(why)).</p>"
        } else {
            let values = m.equity.map { NSDecimalNumber(decimal: $0.totalUSDT).doubleValue }
            let first = DecimalText.format(m.equity.first!.totalUSDT, places: 2)
            let last = DecimalText.format(m.equity.last!.totalUSDT, places: 2)
            let caption = "Total in USDT from \(DisplayTime.text(m.equity.first!.time, m.timeZone)) (\(first)) to \(DisplayTime.text(m.equity.last!.time, m.timeZone)) (\(last))"
            section += Charts.line(
                id: "equity-chart", caption: caption, labels: m.equity.map { DisplayTime.short($0.time, m.timeZone, range: m.range == .day ? .time : .dateTime) },
                values: values, seriesLabel: "Total (USDT)"
            )
        }
        return section + "</section>"
    }

    static func botLine(_ m: Model) -> String {
        let esc = Layout.escape
        guard let bot = m.bot, m.key != nil else {
            return "<p class=\"unavailable\" id=\"bot-state\">Bot: not running — no API key.</p>"
        }
        var line = "Bot: <strong>\(esc(bot.state.replacingOccurrences(of: "_", with: " ")))</strong>"
        if let reason = bot.stateReason { line += " — \(esc(reason))" }
        if let worker = bot.worker {
            if let beat = worker.lastHeartbeatAt { line += "; last heartbeat \(esc(DisplayTime.text(beat, m.timeZone)))" }
            if worker.restarts > 0 { line += "; \(worker.restarts) restarts" }
        }
        let open = bot.positions.filter(\.isOpen).count
        line += "; \(open == 0 ? "no open position" : open == 1 ? "1 open position" : "\(open) open positions")"
        return "<p id=\"bot-state\" class=\"state-\(esc(bot.state))\">\(line). <a href=\"/trading\">Trading</a></p>"
    }
}

/// Times as the reader should see them: in their time zone, with its abbreviation.
enum DisplayTime {
    enum Style { case time, dateTime }

    static func text(_ date: Date, _ zone: TimeZone) -> String {
        format(date, zone, "yyyy-MM-dd HH:mm:ss") + " " + (zone.abbreviation(for: date) ?? zone.identifier)
    }

    static func short(_ date: Date, _ zone: TimeZone, range style: Style) -> String {
        format(date, zone, style == .time ? "HH:mm" : "MM-dd HH:mm")
    }

    static func format(_ date: Date, _ zone: TimeZone, _ pattern: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return pattern.replacingOccurrences(of: "yyyy", with: String(format: "%04d", c.year ?? 0))
            .replacingOccurrences(of: "MM", with: two(c.month)).replacingOccurrences(of: "dd", with: two(c.day))
            .replacingOccurrences(of: "HH", with: two(c.hour)).replacingOccurrences(of: "mm", with: two(c.minute))
            .replacingOccurrences(of: "ss", with: two(c.second))
    }
}
