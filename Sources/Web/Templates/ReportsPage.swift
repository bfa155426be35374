import Common
import Foundation

/// `/reports` (`reports.mustache`): realised PnL, fees and win rate per period, from the bot's
/// fills. Without fills there is no total, not a zero.
enum ReportsPage {
    static func render(viewer: Layout.Viewer, period: PnLReport.Period, rows: [PnLReport.Row], timeZone: TimeZone) -> String {
        var c: [String: Any] = [
            "period": period.rawValue, "periodStart": t("col.period_start", ["zone": timeZone.identifier]),
            "tabs": PnLReport.Period.allCases.enumerated().map { index, p -> [String: Any] in
                ["code": p.rawValue, "title": t("reports.period.\(p.rawValue)"), "current": p == period, "first": index == 0]
            },
            "rows": rows.reversed().map { row -> [String: Any] in
                [
                    "start": DisplayTime.format(row.start, timeZone, "yyyy-MM-dd"), "pnl": DecimalText.format(row.realizedPnL, places: 2),
                    "fees": DecimalText.format(row.fees, places: 4), "trades": String(row.trades), "winRate": row.winRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—",
                ]
            },
        ]
        if !rows.isEmpty { c["total"] = DecimalText.format(rows.reduce(Decimal(0)) { $0 + $1.realizedPnL }, places: 2) }
        let now = Date()
        return Layout.page(
            title: t("reports.title"), active: "/reports", viewer: viewer, freshness: t("fresh.from_fills", ["time": DisplayTime.text(now, timeZone)]),
            content: Views.render("reports", c), live: ["fill"], freshnessAt: now
        )
    }
}
