import Common
import Foundation

/// `/`: the signed-in user's portfolio in USDT, from the exchange through the worker, and the
/// bot's process; whatever is not known is shown as unavailable, with the reason.
enum HomePage {
    struct Model {
        var viewer: Layout.Viewer
        var key: StoredExchangeKey?
        var worker: ProcessStatus?
        var portfolio: PortfolioView?
        var readError: String?
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        var content = "<h1>Portfolio</h1>"
        var freshness = "Read from central.sqlite at \(Timestamp.string(m.now))"
        if let readError = m.readError {
            content += "<p class=\"unavailable\">Unavailable: \(esc(readError)).</p>"
            return Layout.page(title: "Dashboard", active: "/", viewer: m.viewer, freshness: freshness, content: content)
        }
        if let view = m.portfolio {
            if let exchange = view.exchange, !exchange.reachable {
                let since = (exchange.since ?? exchange.updatedAt).map { Timestamp.string($0) } ?? "unknown"
                content += "<p class=\"unavailable\" id=\"exchange-state\">Exchange unreachable since \(esc(since)): \(esc(exchange.reason ?? "no answer")). Retrying.</p>"
            }
            switch view.availability {
            case .unavailable(let reason):
                content += "<p class=\"unavailable\" id=\"total\">Total value: unavailable — \(esc(PortfolioView.explain(reason))).</p>"
                if reason == "no_key" {
                    content += "<p><a href=\"/settings#exchange-key\">Add your exchange API key</a> to see your portfolio and start the bot.</p>"
                }
            case .available(let valuation):
                freshness = "Balances from the exchange at \(Timestamp.string(valuation.balancesAt)), prices at \(Timestamp.string(valuation.pricesAt))"
                if let stale = view.staleSince { freshness += " — may be out of date since \(Timestamp.string(stale))" }
                content += "<p id=\"total\" class=\"total\">Total value: <strong>\(esc(DecimalText.format(valuation.totalUSDT, places: 2))) USDT</strong>"
                if !valuation.unpriced.isEmpty {
                    content += " <span class=\"hint\">(not counted: \(esc(valuation.unpriced.joined(separator: ", "))), which have no price in USDT)</span>"
                }
                content += "</p>"
                var rows = ""
                for line in valuation.lines {
                    let price = line.priceUSDT.map { DecimalText.format($0) } ?? "<span class=\"unavailable\">no price route</span>"
                    let value = line.valueUSDT.map { DecimalText.format($0, places: 2) } ?? "<span class=\"unavailable\">unavailable</span>"
                    rows += "<tr><td>\(esc(line.asset))</td><td>\(DecimalText.format(line.free))</td><td>\(DecimalText.format(line.locked))</td>"
                    rows += "<td>\(price)</td><td>\(value)</td></tr>\n"
                }
                content += """
                    <table id="balances"><thead><tr><th>Asset</th><th>Free</th><th>Locked</th><th>Price (USDT)</th><th>Value (USDT)</th></tr></thead>
                    <tbody>\(rows.isEmpty ? "<tr><td colspan=\"5\">The account holds nothing.</td></tr>" : rows)</tbody></table>
                    """
            }
        }
        content += "<h2>Bot</h2>"
        if m.key == nil {
            content += "<p class=\"unavailable\" id=\"bot-state\">Bot: not running — no API key.</p>"
        } else if let worker = m.worker {
            var line = "Bot process: \(esc(worker.state.rawValue))"
            if let pid = worker.pid { line += " (pid \(pid))" }
            if let beat = worker.lastHeartbeatAt { line += ", last heartbeat \(esc(Timestamp.string(beat)))" }
            if worker.restarts > 0 { line += ", \(worker.restarts) restarts" }
            if let message = worker.message { line += " — \(esc(message))" }
            content += "<p id=\"bot-state\" class=\"state-\(esc(worker.state.rawValue))\">\(line)</p>"
        } else {
            content += "<p id=\"bot-state\" class=\"unavailable\">Bot process: not reported by the supervisor yet.</p>"
        }
        if let key = m.key {
            content += "<p>Exchange key <code>\(esc(key.maskedKey))</code> — <a href=\"/settings#exchange-key\">manage</a></p>"
        }
        return Layout.page(title: "Dashboard", active: "/", viewer: m.viewer, freshness: freshness, content: content)
    }
}
