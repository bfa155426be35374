import Common
import Foundation

/// `/backtest` (`backtest.mustache`): a form, and the result: metrics, the equity curve against
/// buy-and-hold (an SVG drawn on the server, so it shows without JavaScript), and the trades.
enum BacktestPage {
    static func render(viewer: Layout.Viewer, form: [String: String], result: (BacktestController.Request, Backtest.Result, [Double])?, error: String?) -> String {
        let now = String(Timestamp.string(Date()).prefix(19)) + "Z"
        let weekAgo = String(Timestamp.string(Date().addingTimeInterval(-7 * 86_400)).prefix(10))
        let defaults = ["symbol": "BTCUSDT", "start": weekAgo, "end": now, "fast": "9", "slow": "21", "fee": "0.001", "cash": "10000"]
        var c: [String: Any] = [
            "csrf": viewer.csrfToken, "form": defaults.merging(form.filter { defaults[$0.key] != nil }) { $1 }, "ml": form["strategy"] == "ml",
            "intervals": BotSettings.intervals.map { ["name": $0, "selected": $0 == (form["interval"] ?? "1h")] as [String: Any] },
        ]
        if let error { c["error"] = error }
        if let (request, result, hold) = result {
            let m = result.metrics
            func pct(_ v: Double?) -> String { v.map { String(format: "%.2f %%", $0 * 100) } ?? "—" }
            func num(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "— (\(t("backtest.undefined")))" }
            func time(_ ms: Int64) -> String { Timestamp.string(Date(timeIntervalSince1970: TimeInterval(ms) / 1000)) }
            var r: [String: Any] = [
                "heading": t("backtest.heading", ["symbol": request.symbol, "interval": request.interval, "n": String(result.equity.count), "strategy": request.strategy.name]),
                "totalReturn": pct(m.totalReturn), "buyAndHold": pct(m.buyAndHoldReturn), "maxDrawdown": pct(m.maxDrawdown), "trades": String(m.trades),
                "sharpe": num(m.sharpe), "sortino": num(m.sortino), "winRate": pct(m.winRate), "profitFactor": num(m.profitFactor),
                "rows": result.trades.suffix(200).map { trade -> [String: Any] in
                    [
                        "entry": time(trade.entryTime), "exit": time(trade.exitTime), "entryPrice": String(format: "%.2f", trade.entryPrice),
                        "exitPrice": String(format: "%.2f", trade.exitPrice), "qty": String(format: "%.6f", trade.qty), "pnl": String(format: "%.2f", trade.pnl),
                    ]
                },
            ]
            if let equity = chart(result.equity, buyAndHold: hold) { r["equity"] = equity }
            c["result"] = r
        }
        return Layout.page(title: t("backtest.title"), active: "/backtest", viewer: viewer, freshness: nil, content: Views.render("backtest", c))
    }

    /// The equity curve's SVG polylines (at most 1000 points each) and their labels.
    static func chart(_ equity: [Double], buyAndHold: [Double]?) -> [String: Any]? {
        let other = buyAndHold ?? []
        guard equity.count > 1, let low = (equity + other).min(), let high = (equity + other).max() else { return nil }
        let span = max(high - low, 1e-9)
        func line(_ series: [Double]) -> String {
            let step = max(1, series.count / 1000)
            let last = Double(series.count - 1)
            return stride(from: 0, to: series.count, by: step).map { i in
                String(format: "%.1f,%.1f", Double(i) / last * 800, 195 - (series[i] - low) / span * 190)
            }.joined(separator: " ")
        }
        var chart: [String: Any] = [
            "points": line(equity),
            "label": t("backtest.chart_label", ["from": String(format: "%.2f", equity.first!), "to": String(format: "%.2f", equity.last!)]),
            "caption": t("backtest.chart_caption", ["low": String(format: "%.2f", low), "high": String(format: "%.2f", high)]),
        ]
        if other.count == equity.count { chart["hold"] = line(other) }
        return chart
    }
}
