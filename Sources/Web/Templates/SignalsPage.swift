import Common
import Foundation

/// `/signals`: what the strategy said on each closed candle, with the model's out-of-sample
/// record, its feature importances and when it was last trained.
enum SignalsPage {
    static func render(viewer: Layout.Viewer, signals: [SignalRecord], strategy: String, now: Date) -> String {
        let esc = Layout.escape
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "<span class=\"unavailable\">not known yet</span>" }
        var content = "<h1>Signals</h1><p>Strategy: <strong>\(esc(strategy))</strong>.</p>"
        if let latest = signals.first(where: { !$0.importances.isEmpty }) {
            content += "<section class=\"card\"><h2>The model</h2><p>Last trained \(latest.trainedAt.map { esc(Timestamp.string($0)) } ?? "not yet");"
            content += " out-of-sample accuracy \(percent(latest.modelAccuracy)), precision \(percent(latest.modelPrecision)).</p>"
            content += "<table id=\"importances\"><thead><tr><th>Feature</th><th>Importance</th></tr></thead><tbody>"
            for (name, value) in latest.importances.sorted(by: { $0.value > $1.value }) {
                content += "<tr><td>\(esc(name))</td><td>\(String(format: "%.1f %%", value * 100))</td></tr>"
            }
            content += "</tbody></table></section>"
        }
        var rows = ""
        for s in signals {
            rows += "<tr><td>\(esc(Timestamp.string(s.time)))</td><td>\(esc(s.symbol))</td><td>\(esc(s.action))</td><td>\(percent(s.confidence))</td>"
            rows += "<td>\(s.expectedReturn.map { String(format: "%.3f %%", $0 * 100) } ?? "—")</td><td>\(percent(s.modelAccuracy))</td></tr>"
        }
        content += """
            <table id="signals"><thead><tr><th>Candle closed</th><th>Symbol</th><th>Action</th><th>Confidence</th><th>Expected return</th><th>Model accuracy</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">No signal yet: the bot reports one when its strategy acts (and, for ml, its view once a minute).</td></tr>" : rows)</tbody></table>
            """
        return Layout.page(title: "Signals", active: "/signals", viewer: viewer, freshness: "Read from central.sqlite at \(Timestamp.string(now))", content: content)
    }
}
