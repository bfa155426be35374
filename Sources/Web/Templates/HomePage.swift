import Common
import Foundation

/// `/` (`home.mustache`): "how am I doing" at a glance. The total in USDT and its change today,
/// the PnL the bot's fills realised today, this week and in all, the equity chart, the bot and
/// its state, the last fills and the balances; whatever is not known is shown as unavailable,
/// with the reason.
enum HomePage {
    struct Model {
        var viewer: Layout.Viewer
        var data = OverviewData()
        /// Formats by symbol: the fills' symbols and each balance's `<ASSET>USDT`.
        var formats: [String: SymbolFormat] = [:]
        var range = EquityRange.day
        var readError: String?
        /// What a redirect to the page asks it to confirm (a bot deleted).
        var notice: String?
        var now: Date

        var key: StoredExchangeKey? { data.key }
        var timeZone: TimeZone { data.timeZone }
        func format(_ symbol: String) -> SymbolFormat { formats[symbol] ?? .unknown }
    }

    /// The symbols whose formats the page needs.
    static func symbols(_ data: OverviewData) -> Set<String> {
        var symbols = Set(data.lastFills.map(\.symbol))
        if case .available(let valuation)? = data.portfolio?.availability {
            for line in valuation.lines where line.asset != PortfolioValuation.quote { symbols.insert(line.asset + PortfolioValuation.quote) }
        }
        return symbols
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
        var freshness = t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)])
        var freshnessAt: Date? = m.now
        var c: [String: Any] = [:]
        c["notice"] = m.notice
        if let readError = m.readError {
            c["readError"] = t("common.unavailable_because", ["reason": readError])
            return Layout.page(title: t("home.title"), active: "/", viewer: m.viewer, freshness: freshness, content: Views.render("home", c))
        }
        if let view = m.data.portfolio {
            if let exchange = view.exchange, !exchange.reachable {
                let since = DisplayTime.text(exchange.since ?? exchange.updatedAt, m.timeZone)
                c["exchangeDown"] = t("home.exchange_unreachable", ["since": since, "reason": exchange.reason ?? t("common.no_answer")])
            }
            switch view.availability {
            case .unavailable(let reason):
                c["totalUnavailable"] = t("home.total_unavailable", ["reason": t("reason.\(reason)")])
                c["noKey"] = reason == "no_key"
            case .available(let valuation):
                freshness = t(
                    "fresh.balances",
                    ["balances": DisplayTime.text(valuation.balancesAt, m.timeZone), "prices": DisplayTime.text(valuation.pricesAt, m.timeZone)])
                freshnessAt = valuation.balancesAt
                if let stale = view.staleSince { freshness += " — " + t("fresh.stale_since", ["time": DisplayTime.text(stale, m.timeZone)]) }
                c["valuation"] = valuationContext(valuation, m)
            }
        }
        if m.key != nil { c["pnl"] = pnlContext(m.data.realised) }
        c["ranges"] = EquityRange.allCases.map { ["code": $0.rawValue, "title": $0.title, "current": $0 == m.range] as [String: Any] }
        if m.data.equity.count < 2 {
            c["noEquity"] = t("equity.no_data", ["reason": m.key == nil ? t("reason.no_key") : t("equity.too_few")])
        } else {
            c["chart"] = equityChart(m)
        }
        if let bot = m.data.bot, m.key != nil {
            var line = botLine(bot, zone: m.timeZone)
            if bot.state != "no_key" {
                if let today = bot.todayPnL?.value { line["today"] = USDTFormat.signedContext(today) } else { line["todayMissing"] = true }
            }
            c["bot"] = line
        }
        if m.key != nil {
            c["fills"] = m.data.lastFills.map { f -> [String: Any] in
                let format = m.format(f.symbol)
                return [
                    // Short (the zone is the freshness line's); the full time on hover.
                    "time": DisplayTime.format(f.time, m.timeZone, "MM-dd HH:mm:ss"), "fullTime": DisplayTime.text(f.time, m.timeZone), "symbol": f.symbol,
                    "side": f.side, "sideClass": f.side.lowercased(),
                    "price": format.price(f.price), "qty": format.quantity(f.qty), "value": USDTFormat.value(f.quoteQty),
                ]
            }
        }
        if let key = m.key { c["key"] = key.maskedKey }
        c["bots"] = (m.data.bots?.bots ?? []).map(BotsPage.card)
        return Layout.page(
            title: t("home.title"), active: "/", viewer: m.viewer, freshness: freshness, content: Views.render("home", c),
            live: ["portfolio", "bot", "fill"], scripts: [Charts.chartJS], freshnessAt: freshnessAt
        )
    }

    static func valuationContext(_ valuation: PortfolioValuation, _ m: Model) -> [String: Any] {
        var v: [String: Any] = ["total": USDTFormat.value(valuation.totalUSDT)]
        if !valuation.unpriced.isEmpty { v["unpriced"] = t("home.unpriced", ["assets": valuation.unpriced.joined(separator: ", ")]) }
        if let start = m.data.dayStart {
            let change = valuation.totalUSDT - start.totalUSDT
            var line = USDTFormat.signedContext(change)
            if start.totalUSDT > 0 { line["percent"] = USDTFormat.signed(change / start.totalUSDT * 100) + " %" }
            line["since"] = t("home.change_since", ["time": DisplayTime.text(start.time, m.timeZone), "total": USDTFormat.value(start.totalUSDT)])
            v["change"] = line
        } else {
            v["changeMissing"] = t("home.change_unavailable")
        }
        v["lines"] = valuation.lines.map { line -> [String: Any] in
            let format =
                line.asset == PortfolioValuation.quote ? SymbolFormat(priceDecimals: 2, quantityDecimals: 2) : m.format(line.asset + PortfolioValuation.quote)
            var row: [String: Any] = ["asset": line.asset, "free": format.balance(line.free), "locked": format.balance(line.locked)]
            if let price = line.priceUSDT { row["price"] = line.asset == PortfolioValuation.quote ? NumberText.trimmed(price) : format.price(price) }
            if let value = line.valueUSDT {
                row["value"] = USDTFormat.value(value)
                if valuation.totalUSDT > 0 { row["share"] = NumberText.fixed(value / valuation.totalUSDT * 100, places: 1) + " %" }
            }
            return row
        }
        return v
    }

    /// Today, this week and in all: the PnL realised by the fills, as `/reports` counts it.
    static func pnlContext(_ realised: OverviewData.RealisedPnL?) -> [String: Any] {
        guard let realised else { return ["missing": t("home.pnl_none")] }
        return [
            "items": [("today", realised.today), ("week", realised.week), ("all", realised.all)].map { name, value -> [String: Any] in
                var item = USDTFormat.signedContext(value)
                item["id"] = "pnl-\(name)"
                item["label"] = t("home.pnl_\(name)")
                return item
            }
        ]
    }

    static func equityChart(_ m: Model) -> [String: Any] {
        let first = m.data.equity.first!
        let last = m.data.equity.last!
        let caption = t(
            "equity.caption",
            [
                "from": DisplayTime.text(first.time, m.timeZone), "first": USDTFormat.value(first.totalUSDT),
                "to": DisplayTime.text(last.time, m.timeZone), "last": USDTFormat.value(last.totalUSDT),
            ])
        return Charts.line(
            id: "equity-chart", caption: caption,
            labels: m.data.equity.map { DisplayTime.short($0.time, m.timeZone, range: m.range == .day ? .time : .dateTime) },
            values: m.data.equity.map { NSDecimalNumber(decimal: $0.totalUSDT).doubleValue }, seriesLabel: t("equity.series")
        )
    }

    static func botLine(_ bot: BotView, zone: TimeZone) -> [String: Any] {
        var details = ""
        if let reason = bot.localizedReason { details += " — " + reason }
        if let worker = bot.worker {
            if let beat = worker.lastHeartbeatAt { details += "; " + t("bot.last_heartbeat", ["time": DisplayTime.text(beat, zone)]) }
            if worker.restarts > 0 { details += "; " + t("bot.restarts", ["n": String(worker.restarts)]) }
        }
        let open = bot.positions.filter(\.isOpen).count
        details += "; " + (open == 0 ? t("bot.no_position") : t("bot.open_positions", ["n": String(open)]))
        return ["state": bot.state, "stateText": t("state.\(bot.state)"), "details": details]
    }
}
