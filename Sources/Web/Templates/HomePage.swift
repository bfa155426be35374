import Common
import Foundation

/// `/` (`home.mustache`): the signed-in user's portfolio in USDT, from the exchange through the
/// worker, its equity over time, today's PnL and the bot's state; whatever is not known is shown
/// as unavailable, with the reason.
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
        var freshness = t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)])
        var freshnessAt: Date? = m.now
        var c: [String: Any] = [:]
        if let readError = m.readError {
            c["readError"] = t("common.unavailable_because", ["reason": readError])
            return Layout.page(title: t("home.title"), active: "/", viewer: m.viewer, freshness: freshness, content: Views.render("home", c))
        }
        if let view = m.portfolio {
            if let exchange = view.exchange, !exchange.reachable {
                let since = DisplayTime.text(exchange.since ?? exchange.updatedAt, m.timeZone)
                c["exchangeDown"] = t("home.exchange_unreachable", ["since": since, "reason": exchange.reason ?? t("common.no_answer")])
            }
            switch view.availability {
            case .unavailable(let reason):
                c["totalUnavailable"] = t("home.total_unavailable", ["reason": t("reason.\(reason)")])
                c["noKey"] = reason == "no_key"
            case .available(let valuation):
                freshness = t("fresh.balances", ["balances": DisplayTime.text(valuation.balancesAt, m.timeZone), "prices": DisplayTime.text(valuation.pricesAt, m.timeZone)])
                freshnessAt = valuation.balancesAt
                if let stale = view.staleSince { freshness += " — " + t("fresh.stale_since", ["time": DisplayTime.text(stale, m.timeZone)]) }
                var v: [String: Any] = ["total": DecimalText.format(valuation.totalUSDT, places: 2)]
                if !valuation.unpriced.isEmpty { v["unpriced"] = t("home.unpriced", ["assets": valuation.unpriced.joined(separator: ", ")]) }
                if let bot = m.bot, bot.state != "no_key" {
                    if let today = bot.todayPnL?.value { v["today"] = DecimalText.format(today, places: 2) } else { v["todayMissing"] = true }
                }
                v["lines"] = valuation.lines.map { line -> [String: Any] in
                    var row: [String: Any] = ["asset": line.asset, "free": DecimalText.format(line.free), "locked": DecimalText.format(line.locked)]
                    if let price = line.priceUSDT { row["price"] = DecimalText.format(price) }
                    if let value = line.valueUSDT {
                        row["value"] = DecimalText.format(value, places: 2)
                        if valuation.totalUSDT > 0 { row["share"] = DecimalText.format(value / valuation.totalUSDT * 100, places: 1) + " %" }
                    }
                    return row
                }
                c["valuation"] = v
            }
        }
        c["ranges"] = EquityRange.allCases.map { ["code": $0.rawValue, "title": $0.title, "current": $0 == m.range] as [String: Any] }
        if m.equity.count < 2 {
            c["noEquity"] = t("equity.no_data", ["reason": m.key == nil ? t("reason.no_key") : t("equity.too_few")])
        } else {
            let first = m.equity.first!
            let last = m.equity.last!
            let caption = t(
                "equity.caption",
                [
                    "from": DisplayTime.text(first.time, m.timeZone), "first": DecimalText.format(first.totalUSDT, places: 2),
                    "to": DisplayTime.text(last.time, m.timeZone), "last": DecimalText.format(last.totalUSDT, places: 2),
                ])
            c["chart"] = Charts.line(
                id: "equity-chart", caption: caption, labels: m.equity.map { DisplayTime.short($0.time, m.timeZone, range: m.range == .day ? .time : .dateTime) },
                values: m.equity.map { NSDecimalNumber(decimal: $0.totalUSDT).doubleValue }, seriesLabel: t("equity.series")
            )
        }
        if let bot = m.bot, m.key != nil { c["bot"] = botLine(bot, zone: m.timeZone) }
        if let key = m.key { c["key"] = key.maskedKey }
        return Layout.page(
            title: t("home.title"), active: "/", viewer: m.viewer, freshness: freshness, content: Views.render("home", c),
            live: ["portfolio", "bot", "fill"], scripts: [Charts.chartJS], freshnessAt: freshnessAt
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
