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
        value.map { String(format: "%.1f %%", $0 * 100) } ?? "<span class=\"unavailable\">\(Layout.escape(t("signals.not_known")))</span>"
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        var content = "<h1>\(esc(t("signals.title")))</h1><p>\(esc(t("signals.strategy", ["strategy": m.strategy, "interval": m.interval])))</p>"
        var live = ""
        for chart in m.charts {
            live += "<section class=\"card wide\" id=\"symbol-\(esc(chart.symbol))\"><h2>\(esc(chart.symbol))</h2>"
            if let latest = m.signals.first(where: { $0.symbol == chart.symbol }) {
                live += "<p>\(esc(t("signals.latest", ["time": DisplayTime.text(latest.time, m.timeZone)]))) <strong>\(esc(t("action.\(latest.action)")))</strong>"
                live += "; \(esc(t("signals.confidence"))) \(percent(latest.confidence)); \(esc(t("signals.expected_return"))) \(latest.expectedReturn.map { String(format: "%.3f %%", $0 * 100) } ?? "<span class=\"unavailable\">\(esc(t("signals.no_estimate")))</span>")"
                live += "; \(esc(t("signals.accuracy"))) \(percent(latest.modelAccuracy)).</p>"
            } else {
                live += "<p class=\"unavailable\">\(esc(t("signals.none_for", ["symbol": chart.symbol])))</p>"
            }
            if let error = chart.error {
                live += "<p class=\"unavailable\">\(esc(t("signals.chart_unavailable", ["reason": error])))</p>"
            } else if chart.candles.count < 2 {
                live += "<p class=\"unavailable\">\(esc(t("signals.no_candles")))</p>"
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
                let caption = t("signals.chart_caption", ["symbol": chart.symbol, "n": String(candles.count), "interval": m.interval, "buys": String(buys.count), "sells": String(sells.count)])
                live += Charts.candles(id: "candles-\(chart.symbol)", caption: caption, candles: candles, buys: buys, sells: sells)
            }
            live += "</section>"
        }
        content += "<div id=\"symbols\" data-live-region>\(live)</div>"
        var model = ""
        if let latest = m.signals.first(where: { !$0.importances.isEmpty }) {
            model += "<section class=\"card\"><h2>\(esc(t("signals.model")))</h2><p>\(esc(t("signals.trained", ["time": latest.trainedAt.map { DisplayTime.text($0, m.timeZone) } ?? t("signals.not_yet")])))"
            model += " \(esc(t("signals.oos_accuracy"))) \(percent(latest.modelAccuracy)), \(esc(t("signals.precision"))) \(percent(latest.modelPrecision)).</p>"
            model += "<table id=\"importances\"><caption>\(esc(t("signals.importances")))</caption><thead><tr><th scope=\"col\">\(esc(t("col.feature")))</th><th scope=\"col\" class=\"num\">\(esc(t("col.importance")))</th></tr></thead><tbody>"
            for (name, value) in latest.importances.sorted(by: { $0.value > $1.value }) {
                model += "<tr><td>\(esc(name))</td><td class=\"num\">\(String(format: "%.1f %%", value * 100))</td></tr>"
            }
            model += "</tbody></table></section>"
        }
        content += "<div id=\"model\" data-live-region>\(model)</div>"
        var rows = ""
        for s in m.signals {
            rows += "<tr><td>\(esc(DisplayTime.text(s.time, m.timeZone)))</td><td>\(esc(s.symbol))</td><td>\(esc(t("action.\(s.action)")))</td><td class=\"num\">\(percent(s.confidence))</td>"
            rows += "<td class=\"num\">\(s.expectedReturn.map { String(format: "%.3f %%", $0 * 100) } ?? "—")</td><td class=\"num\">\(percent(s.modelAccuracy))</td></tr>"
        }
        content += """
            <h2>\(esc(t("signals.recent")))</h2>
            <div class="scroll" id="signals-region" data-live-region><table id="signals"><thead><tr><th scope="col">\(esc(t("col.candle_closed")))</th><th scope="col">\(esc(t("col.symbol")))</th><th scope="col">\(esc(t("col.action")))</th>\
            <th scope="col" class="num">\(esc(t("col.confidence")))</th><th scope="col" class="num">\(esc(t("col.expected_return")))</th><th scope="col" class="num">\(esc(t("col.model_accuracy")))</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=\"6\">\(esc(t("signals.none")))</td></tr>" : rows)</tbody></table></div>
            """
        return Layout.page(
            title: t("signals.title"), active: "/signals", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)]),
            content: content, live: ["signal"], scripts: [Charts.chartJS], freshnessAt: m.now
        )
    }
}
