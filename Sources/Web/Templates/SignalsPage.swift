import Common
import Foundation

/// `/signals`: per symbol the latest signal with its confidence and expected return, a candle
/// chart from the exchange with the signals marked; the model's out-of-sample record, its
/// feature importances and when it was last trained; every recent signal.
enum SignalsPage {
    /// One symbol's candles as the exchange gave them, or why there are none.
    struct SymbolChart {
        let symbol: String
        let candles: [Kline]
        let error: String?
    }

    struct Model {
        var viewer: Layout.Viewer
        var signals: [SignalRecord]
        var strategy: String
        var interval: String
        var charts: [SymbolChart]
        var timeZone: TimeZone
        var now: Date
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f %%", $0 * 100) } ?? "<span class=\"unavailable\">not known yet</span>"
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        var content = "<h1>Signals</h1><p>Strategy: <strong>\(esc(m.strategy))</strong>, candles of \(esc(m.interval)).</p>"
        var live = ""
        for chart in m.charts {
            live += "<section class=\"card wide\" id=\"symbol-\(esc(chart.symbol))\"><h2>\(esc(chart.symbol))</h2>"
            if let latest = m.signals.first(where: { $0.symbol == chart.symbol }) {
                live += "<p>Latest signal (\(esc(DisplayTime.text(latest.time, m.timeZone)))): <strong>\(esc(latest.action))</strong>"
                live += "; confidence \(percent(latest.confidence)); expected return \(latest.expectedReturn.map { String(format: "%.3f %%", $0 * 100) } ?? "<span class=\"unavailable\">none (this strategy does not estimate it)</span>")"
                live += "; model accuracy \(percent(latest.modelAccuracy)).</p>"
            } else {
                live += "<p class=\"unavailable\">No signal for \(esc(chart.symbol)) yet.</p>"
            }
            if let error = chart.error {
                live += "<p class=\"unavailable\">Candle chart unavailable: \(esc(error)).</p>"
            } else if chart.candles.count < 2 {
                live += "<p class=\"unavailable\">Candle chart: the exchange returned no candles.</p>"
            } else {
                var buys: [Int] = []
                var sells: [Int] = []
                for s in m.signals where s.symbol == chart.symbol {
                    let ms = Int64(s.time.timeIntervalSince1970 * 1000)
                    guard let index = chart.candles.lastIndex(where: { $0.openTime <= ms && ms <= $0.closeTime + 1 }) else { continue }
                    if s.action == "buy" { buys.append(index) } else if s.action == "sell" { sells.append(index) }
                }
                let candles = chart.candles.map { k in
                    Charts.Candle(
                        label: DisplayTime.format(Date(timeIntervalSince1970: Double(k.openTime) / 1000), m.timeZone, "HH:mm:ss"),
                        open: NSDecimalNumber(decimal: k.open).doubleValue, high: NSDecimalNumber(decimal: k.high).doubleValue,
                        low: NSDecimalNumber(decimal: k.low).doubleValue, close: NSDecimalNumber(decimal: k.close).doubleValue
                    )
                }
                let caption = "\(chart.symbol): the last \(candles.count) candles of \(m.interval) from the exchange; ▲ buy, ▼ sell signals (\(buys.count) and \(sells.count) here)"
                live += Charts.candles(id: "candles-\(chart.symbol)", caption: caption, candles: candles, buys: buys, sells: sells)
            }
            live += "</section>"
        }
        content += "<div id=\"symbols\" data-live-region>\(live)</div>"
        var model = ""
        if let latest = m.signals.first(where: { !$0.importances.isEmpty }) {
            model += "<section class=\"card\"><h2>The model</h2><p>Last trained \(latest.trainedAt.map { esc(DisplayTime.text($0, m.timeZone)) } ?? "not yet");"
            model += " out-of-sample accuracy \(percent(latest.modelAccuracy)), precision \(percent(latest.modelPrecision)).</p>"
            model += "<table id=\"importances\"><caption>Feature importances</caption><thead><tr><th scope=\"col\">Feature</th><th scope=\"col\" class=\"num\">Importance</th></tr></thead><tbody>"
            for (name, value) in latest.importances.sorted(by: { $0.value > $1.value }) {
                model += "<tr><td>\(esc(name))</td><td class=\"num\">\(String(format: "%.1f %%", value * 100))</td></tr>"
            }
            model += "</tbody></table></section>"
        }
        content += "<div id=\"model\" data-live-region>\(model)</div>"
        var rows = ""
        for s in m.signals {
            rows += "<tr><td>\(esc(DisplayTime.text(s.time, m.timeZone)))</td><td>\(esc(s.symbol))</td><td>\(esc(s.action))</td><td class=\"num\">\(percent(s.confidence))</td>"
            rows += "<td class=\"num\">\(s.expectedReturn.map { String(format: "%.3f %%", $0 * 100) } ?? "—")</td><td class=\"num\">\(percent(s.modelAccuracy))</td></tr>"
        }
        content += """
            <h2>Recent signals</h2>
            <div class="scroll" id="signals-region" data-live-region><table id="signals"><thead><tr><th scope="col">Candle closed</th><th scope="col">Symbol</th><th scope="col">Action</th>\
            <th scope="col" class="num">Confidence</th><th scope="col" class="num">Expected return</th><th scope="col" class="num">Model accuracy</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">No signal yet: the bot reports one when its strategy acts (and, for ml, its view once a minute).</td></tr>" : rows)</tbody></table></div>
            """
        return Layout.page(
            title: "Signals", active: "/signals", viewer: m.viewer, freshness: "Read from central.sqlite at \(DisplayTime.text(m.now, m.timeZone))",
            content: content, live: ["signal"], scripts: [Charts.chartJS], freshnessAt: m.now
        )
    }
}
