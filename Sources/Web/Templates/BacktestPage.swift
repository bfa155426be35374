import Common
import Foundation

/// `/backtest`: a form, and the result: metrics, the equity curve against buy-and-hold (an SVG
/// drawn here, so it shows without JavaScript), and the trades.
enum BacktestPage {
    static func render(viewer: Layout.Viewer, form: [String: String], result: (BacktestController.Request, Backtest.Result, [Double])?, error: String?) -> String {
        let esc = Layout.escape
        func value(_ key: String, _ fallback: String) -> String { esc(form[key] ?? fallback) }
        let intervals = BotSettings.intervals.map { "<option\($0 == (form["interval"] ?? "1h") ? " selected" : "")>\($0)</option>" }.joined()
        let now = String(Timestamp.string(Date()).prefix(19)) + "Z"
        let weekAgo = Timestamp.string(Date().addingTimeInterval(-7 * 86_400)).prefix(10)
        var content = """
            <h1>\(esc(t("backtest.title")))</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            <form method="post" action="/backtest" class="card"><input type="hidden" name="csrf_token" value="\(esc(viewer.csrfToken))">
            <p class="hint">\(esc(t("backtest.hint")))</p>
            <label for="symbol">\(esc(t("col.symbol")))</label><input type="text" id="symbol" name="symbol" value="\(value("symbol", "BTCUSDT"))">
            <label for="interval">\(esc(t("field.interval")))</label><select id="interval" name="interval">\(intervals)</select>
            <label for="start">\(esc(t("backtest.from")))</label><input type="text" id="start" name="start" value="\(value("start", String(weekAgo)))">
            <label for="end">\(esc(t("monitoring.to")))</label><input type="text" id="end" name="end" value="\(value("end", now))">
            <label for="strategy">\(esc(t("field.strategy")))</label><select id="strategy" name="strategy"><option value="sma_cross">sma_cross</option><option value="ml"\(form["strategy"] == "ml" ? " selected" : "")>ml</option></select>
            <label for="fast">\(esc(t("field.fast")))</label><input type="text" id="fast" name="fast" value="\(value("fast", "9"))">
            <label for="slow">\(esc(t("field.slow")))</label><input type="text" id="slow" name="slow" value="\(value("slow", "21"))">
            <label for="fee">\(esc(t("backtest.fee")))</label><input type="text" id="fee" name="fee" value="\(value("fee", "0.001"))">
            <label for="cash">\(esc(t("backtest.cash")))</label><input type="text" id="cash" name="cash" value="\(value("cash", "10000"))">
            <button type="submit">\(esc(t("backtest.run")))</button></form>
            """
        if let (request, result, hold) = result {
            let m = result.metrics
            func pct(_ v: Double?) -> String { v.map { String(format: "%.2f %%", $0 * 100) } ?? "—" }
            func num(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "— (\(esc(t("backtest.undefined"))))" }
            content += """
                <h2>\(esc(t("backtest.heading", ["symbol": request.symbol, "interval": request.interval, "n": String(result.equity.count), "strategy": request.strategy.name])))</h2>
                <table id="metrics"><tbody>
                <tr><th scope="row">\(esc(t("metric.total_return")))</th><td class="num">\(pct(m.totalReturn))</td><th scope="row">\(esc(t("metric.buy_and_hold")))</th><td class="num">\(pct(m.buyAndHoldReturn))</td></tr>
                <tr><th scope="row">\(esc(t("metric.max_drawdown")))</th><td class="num">\(pct(m.maxDrawdown))</td><th scope="row">\(esc(t("metric.trades")))</th><td class="num">\(m.trades)</td></tr>
                <tr><th scope="row">Sharpe</th><td class="num">\(num(m.sharpe))</td><th scope="row">Sortino</th><td class="num">\(num(m.sortino))</td></tr>
                <tr><th scope="row">\(esc(t("col.win_rate")))</th><td class="num">\(pct(m.winRate))</td><th scope="row">\(esc(t("metric.profit_factor")))</th><td class="num">\(num(m.profitFactor))</td></tr>
                </tbody></table>
                \(chart(result.equity, cash: request.cash, buyAndHold: hold))
                """
            var rows = ""
            for t in result.trades.suffix(200) {
                rows += "<tr><td>\(esc(Timestamp.string(Date(timeIntervalSince1970: TimeInterval(t.entryTime) / 1000))))</td>"
                rows += "<td>\(esc(Timestamp.string(Date(timeIntervalSince1970: TimeInterval(t.exitTime) / 1000))))</td>"
                rows += "<td>\(String(format: "%.2f", t.entryPrice))</td><td>\(String(format: "%.2f", t.exitPrice))</td><td>\(String(format: "%.6f", t.qty))</td><td>\(String(format: "%.2f", t.pnl))</td></tr>"
            }
            content += """
                <h2>\(esc(t("metric.trades")))</h2><div class="scroll"><table id="trades"><thead><tr><th scope="col">\(esc(t("col.entry_time")))</th><th scope="col">\(esc(t("col.exit_time")))</th><th scope="col" class="num">\(esc(t("col.entry_price")))</th><th scope="col" class="num">\(esc(t("col.exit_price")))</th><th scope="col" class="num">\(esc(t("col.quantity")))</th><th scope="col" class="num">\(esc(t("col.pnl_usdt")))</th></tr></thead>
                <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">\(esc(t("backtest.no_trade")))</td></tr>" : rows)</tbody></table></div>
                """
        }
        return Layout.page(title: t("backtest.title"), active: "/backtest", viewer: viewer, freshness: nil, content: content)
    }

    /// The equity curve as an SVG polyline (at most 1000 points).
    static func chart(_ equity: [Double], cash: Double, buyAndHold: [Double]?) -> String {
        let other = buyAndHold ?? []
        guard equity.count > 1, let low = (equity + other).min(), let high = (equity + other).max() else { return "" }
        let span = max(high - low, 1e-9)
        func line(_ series: [Double]) -> String {
            let step = max(1, series.count / 1000)
            let last = Double(series.count - 1)
            var coordinates: [String] = []
            for i in stride(from: 0, to: series.count, by: step) {
                let x: Double = Double(i) / last * 800
                let y: Double = 195 - (series[i] - low) / span * 190
                coordinates.append(String(format: "%.1f,%.1f", x, y))
            }
            return coordinates.joined(separator: " ")
        }
        let hold = other.count == equity.count ? "<polyline fill=\"none\" stroke=\"#9ca3af\" stroke-width=\"1\" stroke-dasharray=\"4 3\" points=\"\(line(other))\"/>" : ""
        return """
            <figure><svg id="equity" viewBox="0 0 800 200" width="800" height="200" role="img" aria-label="\(Layout.escape(t("backtest.chart_label", ["from": String(format: "%.2f", equity.first!), "to": String(format: "%.2f", equity.last!)])))">
            <rect width="800" height="200" fill="#fff" stroke="#e3e6eb"/>\(hold)<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="\(line(equity))"/></svg>
            <figcaption>\(Layout.escape(t("backtest.chart_caption", ["low": String(format: "%.2f", low), "high": String(format: "%.2f", high)])))</figcaption></figure>
            """
    }
}
