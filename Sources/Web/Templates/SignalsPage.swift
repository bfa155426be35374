import Common
import Foundation

/// `/signals` (`signals.mustache`): per symbol the latest signal with its confidence and
/// expected return, a candle chart from the exchange with the signals marked; the model's
/// out-of-sample record, its feature importances and when it was last trained; recent signals.
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

    /// A share as "61.2 %", or "not known yet" marked unavailable (`percent.mustache`).
    static func percent(_ value: Double?) -> [String: Any] {
        value.map { ["known": true, "text": String(format: "%.1f %%", $0 * 100)] } ?? ["known": false]
    }

    static func expected(_ value: Double?) -> String? { value.map { String(format: "%.3f %%", $0 * 100) } }

    static func render(_ m: Model) -> String {
        var c: [String: Any] = ["strategyLine": t("signals.strategy", ["strategy": m.strategy, "interval": m.interval])]
        c["charts"] = m.charts.map { chart -> [String: Any] in
            var entry: [String: Any] = ["symbol": chart.symbol, "noSignal": t("signals.none_for", ["symbol": chart.symbol])]
            if let latest = m.signals.first(where: { $0.symbol == chart.symbol }) {
                var line: [String: Any] = [
                    "heading": t("signals.latest", ["time": DisplayTime.text(latest.time, m.timeZone)]), "action": t("action.\(latest.action)"),
                    "confidence": percent(latest.confidence), "accuracy": percent(latest.modelAccuracy),
                ]
                if let value = expected(latest.expectedReturn) { line["expected"] = value }
                entry["latest"] = line
            }
            if let error = chart.error {
                entry["error"] = t("signals.chart_unavailable", ["reason": error])
            } else if chart.candles.count < 2 {
                entry["noCandles"] = true
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
                let caption = t(
                    "signals.chart_caption",
                    ["symbol": chart.symbol, "n": String(candles.count), "interval": m.interval, "buys": String(buys.count), "sells": String(sells.count)])
                entry["chart"] = Charts.candles(id: "candles-\(chart.symbol)", caption: caption, candles: candles, buys: buys, sells: sells)
            }
            return entry
        }
        if let latest = m.signals.first(where: { !$0.importances.isEmpty }) {
            c["model"] = [
                "trained": t("signals.trained", ["time": latest.trainedAt.map { DisplayTime.text($0, m.timeZone) } ?? t("signals.not_yet")]),
                "accuracy": percent(latest.modelAccuracy), "precision": percent(latest.modelPrecision),
                "importances": latest.importances.sorted { $0.value > $1.value }.map { ["name": $0.key, "value": String(format: "%.1f %%", $0.value * 100)] },
            ] as [String: Any]
        }
        c["signals"] = m.signals.map { s -> [String: Any] in
            [
                "time": DisplayTime.text(s.time, m.timeZone), "symbol": s.symbol, "action": t("action.\(s.action)"), "confidence": percent(s.confidence),
                "expected": expected(s.expectedReturn) ?? "—", "accuracy": percent(s.modelAccuracy),
            ]
        }
        return Layout.page(
            title: t("signals.title"), active: "/signals", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)]),
            content: Views.render("signals", c), live: ["signal"], scripts: [Charts.chartJS], freshnessAt: m.now
        )
    }
}
