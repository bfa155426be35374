import Common
import Foundation

/// `/reports`: realised PnL, fees and win rate per period, from the bot's fills.
enum ReportsPage {
    static func render(viewer: Layout.Viewer, period: PnLReport.Period, rows: [PnLReport.Row], timeZone: TimeZone) -> String {
        let esc = Layout.escape
        let tabs = PnLReport.Period.allCases.map { p in
            "<a href=\"/reports?period=\(p.rawValue)\"\(p == period ? " aria-current=\"page\"" : "")>\(esc(t("reports.period.\(p.rawValue)")))</a>"
        }.joined(separator: " · ")
        var body = ""
        for row in rows.reversed() {
            body += "<tr><td>\(esc(DisplayTime.format(row.start, timeZone, "yyyy-MM-dd")))</td><td class=\"num\">\(esc(DecimalText.format(row.realizedPnL, places: 2)))</td>"
            body += "<td class=\"num\">\(esc(DecimalText.format(row.fees, places: 4)))</td><td class=\"num\">\(row.trades)</td>"
            body += "<td class=\"num\">\(row.winRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—")</td></tr>"
        }
        var summary: String
        if rows.isEmpty {
            // No fill: no figure to show, not a zero.
            summary = "<p class=\"unavailable\" id=\"realized-total\">\(esc(t("reports.no_total")))</p>"
        } else {
            let total = rows.reduce(Decimal(0)) { $0 + $1.realizedPnL }
            summary = "<p id=\"realized-total\">\(esc(t("reports.total"))) <strong>\(esc(DecimalText.format(total, places: 2))) USDT</strong> <span class=\"hint\">\(esc(t("reports.total_hint")))</span></p>"
        }
        let content = """
            <h1>\(esc(t("reports.title")))</h1><p>\(tabs) — <a href="/api/v1/reports.csv?period=\(period.rawValue)">\(esc(t("reports.csv")))</a></p>
            \(summary)
            <div class="scroll"><table id="report"><thead><tr><th scope="col">\(esc(t("col.period_start", ["zone": timeZone.identifier])))</th><th scope="col" class="num">\(esc(t("col.realized_usdt")))</th>\
            <th scope="col" class="num">\(esc(t("col.fees_usdt")))</th><th scope="col" class="num">\(esc(t("col.sales")))</th><th scope="col" class="num">\(esc(t("col.win_rate")))</th></tr></thead>
            <tbody>\(body.isEmpty ? "<tr><td colspan=\"5\">\(esc(t("reports.none")))</td></tr>" : body)</tbody></table></div>
            """
        let now = Date()
        return Layout.page(
            title: t("reports.title"), active: "/reports", viewer: viewer, freshness: t("fresh.from_fills", ["time": DisplayTime.text(now, timeZone)]),
            content: content, live: ["fill"], freshnessAt: now
        )
    }
}
