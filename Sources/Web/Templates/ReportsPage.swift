import Common
import Foundation

/// `/reports`: realised PnL, fees and win rate per period, from the bot's fills.
enum ReportsPage {
    static func render(viewer: Layout.Viewer, period: PnLReport.Period, rows: [PnLReport.Row]) -> String {
        let esc = Layout.escape
        let tabs = PnLReport.Period.allCases.map { p in
            "<a href=\"/reports?period=\(p.rawValue)\"\(p == period ? " aria-current=\"page\"" : "")>\(p.rawValue == "day" ? "Daily" : p.rawValue == "week" ? "Weekly" : "Monthly")</a>"
        }.joined(separator: " · ")
        var body = ""
        for row in rows.reversed() {
            body += "<tr><td>\(esc(Timestamp.string(row.start)))</td><td>\(esc(DecimalText.format(row.realizedPnL, places: 2)))</td>"
            body += "<td>\(esc(DecimalText.format(row.fees, places: 4)))</td><td>\(row.trades)</td><td>\(row.winRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—")</td></tr>"
        }
        let total = rows.reduce(Decimal(0)) { $0 + $1.realizedPnL }
        let content = """
            <h1>Reports</h1><p>\(tabs) — <a href="/api/v1/reports.csv?period=\(period.rawValue)">download CSV</a></p>
            <p>Realised PnL over all periods: <strong>\(esc(DecimalText.format(total, places: 2))) USDT</strong> <span class="hint">(sales against the average entry price, fees included)</span></p>
            <table id="report"><thead><tr><th>Period starting</th><th>Realised PnL (USDT)</th><th>Fees (USDT)</th><th>Sales</th><th>Win rate</th></tr></thead>
            <tbody>\(body.isEmpty ? "<tr><td colspan=\"5\">No fills yet: the report fills in as the bot trades.</td></tr>" : body)</tbody></table>
            """
        return Layout.page(title: "Reports", active: "/reports", viewer: viewer, freshness: "From the bot's fills in central.sqlite, \(Timestamp.string(Date()))", content: content)
    }
}
