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
            <h1>Backtest</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            <form method="post" action="/backtest" class="card"><input type="hidden" name="csrf_token" value="\(esc(viewer.csrfToken))">
            <p class="hint">Candles come from the exchange's public klines. The same strategy code as the live bot: signals on closed candles, orders filled at the next candle's open.</p>
            <label for="symbol">Symbol</label><input type="text" id="symbol" name="symbol" value="\(value("symbol", "BTCUSDT"))">
            <label for="interval">Interval</label><select id="interval" name="interval">\(intervals)</select>
            <label for="start">From (UTC date or time)</label><input type="text" id="start" name="start" value="\(value("start", String(weekAgo)))">
            <label for="end">To</label><input type="text" id="end" name="end" value="\(value("end", now))">
            <label for="strategy">Strategy</label><select id="strategy" name="strategy"><option value="sma_cross">sma_cross</option><option value="ml"\(form["strategy"] == "ml" ? " selected" : "")>ml</option></select>
            <label for="fast">Fast SMA</label><input type="text" id="fast" name="fast" value="\(value("fast", "9"))">
            <label for="slow">Slow SMA</label><input type="text" id="slow" name="slow" value="\(value("slow", "21"))">
            <label for="fee">Fee (fraction)</label><input type="text" id="fee" name="fee" value="\(value("fee", "0.001"))">
            <label for="cash">Starting cash (USDT)</label><input type="text" id="cash" name="cash" value="\(value("cash", "10000"))">
            <button type="submit">Run</button></form>
            """
        if let (request, result, hold) = result {
            let m = result.metrics
            func pct(_ v: Double?) -> String { v.map { String(format: "%.2f %%", $0 * 100) } ?? "—" }
            func num(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "— (undefined)" }
            content += """
                <h2>\(esc(request.symbol)) \(esc(request.interval)), \(result.equity.count) candles, \(esc(request.strategy.name))</h2>
                <table id="metrics"><tbody>
                <tr><th>Total return</th><td>\(pct(m.totalReturn))</td><th>Buy and hold</th><td>\(pct(m.buyAndHoldReturn))</td></tr>
                <tr><th>Maximum drawdown</th><td>\(pct(m.maxDrawdown))</td><th>Trades</th><td>\(m.trades)</td></tr>
                <tr><th>Sharpe</th><td>\(num(m.sharpe))</td><th>Sortino</th><td>\(num(m.sortino))</td></tr>
                <tr><th>Win rate</th><td>\(pct(m.winRate))</td><th>Profit factor</th><td>\(num(m.profitFactor))</td></tr>
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
                <h2>Trades</h2><table id="trades"><thead><tr><th>Entry</th><th>Exit</th><th>Entry price</th><th>Exit price</th><th>Quantity</th><th>PnL (USDT)</th></tr></thead>
                <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">No trade in this period.</td></tr>" : rows)</tbody></table>
                """
        }
        return Layout.page(title: "Backtest", active: "/backtest", viewer: viewer, freshness: nil, content: content)
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
            <figure><svg id="equity" viewBox="0 0 800 200" width="800" height="200" role="img" aria-label="Equity from \(String(format: "%.2f", equity.first!)) to \(String(format: "%.2f", equity.last!)) USDT">
            <rect width="800" height="200" fill="#fff" stroke="#e3e6eb"/>\(hold)<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="\(line(equity))"/></svg>
            <figcaption>Equity (blue) against buy and hold (grey, dashed), \(String(format: "%.2f", low)) to \(String(format: "%.2f", high)) USDT</figcaption></figure>
            """
    }
}
