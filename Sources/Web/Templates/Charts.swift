import Common
import Foundation

/// Charts: a Chart.js canvas (drawn by `/static/app.js` when the system's Chart.js loaded) over
/// a server-drawn SVG that stays when it did not, so the page reads the same without scripts.
enum Charts {
    static let chartJS = "/javascript/chart.js/chart.min.js"

    /// A line of values over time; `labels` are the times as the reader should see them.
    static func line(id: String, caption: String, labels: [String], values: [Double], seriesLabel: String) -> [String: Any] {
        let spec: [String: Any] = [
            "type": "line",
            "data": ["labels": labels, "datasets": [["label": seriesLabel, "data": values, "borderColor": "#2563eb", "borderWidth": 1.5, "pointRadius": 0, "tension": 0]]],
            "options": [
                "animation": false, "responsive": true, "maintainAspectRatio": false,
                "plugins": ["legend": ["display": false]], "scales": ["x": ["ticks": ["maxTicksLimit": 8, "maxRotation": 0]]],
            ] as [String: Any],
        ]
        return figure(id: id, caption: caption, spec: spec, fallback: svgLine(values, caption: caption))
    }

    /// Candles as floating bars (the wick from low to high, the body from open to close, green
    /// up and red down) with the signals marked: ▲ buy below the low, ▼ sell above the high.
    struct Candle {
        let label: String
        let open, high, low, close: Double
    }

    static func candles(id: String, caption: String, candles: [Candle], buys: [Int], sells: [Int]) -> [String: Any] {
        let labels = candles.map(\.label)
        let colours = candles.map { $0.close >= $0.open ? "#16a34a" : "#dc2626" }
        let buyPoints: [Any] = candles.indices.map { buys.contains($0) ? candles[$0].low as Any : NSNull() }
        let sellPoints: [Any] = candles.indices.map { sells.contains($0) ? candles[$0].high as Any : NSNull() }
        let spec: [String: Any] = [
            "type": "bar",
            "data": [
                "labels": labels,
                "datasets": [
                    ["type": "bar", "label": t("chart.high_low"), "data": candles.map { [$0.low, $0.high] }, "backgroundColor": colours, "barPercentage": 0.15, "grouped": false],
                    ["type": "bar", "label": t("chart.open_close"), "data": candles.map { [min($0.open, $0.close), max($0.open, $0.close)] }, "backgroundColor": colours, "barPercentage": 0.7, "grouped": false],
                    ["type": "line", "label": t("action.buy"), "data": buyPoints, "showLine": false, "pointStyle": "triangle", "pointRadius": 7, "borderColor": "#1d4ed8", "backgroundColor": "#1d4ed8"],
                    ["type": "line", "label": t("action.sell"), "data": sellPoints, "showLine": false, "pointStyle": "triangle", "rotation": 180, "pointRadius": 7, "borderColor": "#b45309", "backgroundColor": "#b45309"],
                ] as [Any],
            ] as [String: Any],
            "options": [
                "animation": false, "responsive": true, "maintainAspectRatio": false,
                "plugins": ["legend": ["display": true]],
                // Bars start at zero by default, which would flatten candles near a price of 43,000.
                "scales": ["x": ["ticks": ["maxTicksLimit": 8, "maxRotation": 0]], "y": ["beginAtZero": false]],
            ] as [String: Any],
        ]
        return figure(id: id, caption: caption, spec: spec, fallback: svgLine(candles.map(\.close), caption: caption))
    }

    /// The chart's context for `chart.mustache`: its id, caption, the Chart.js specification
    /// (JSON made safe inside `<script>`) and the SVG for readers without scripts.
    static func figure(id: String, caption: String, spec: [String: Any], fallback: String) -> [String: Any] {
        let json = (try? JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        // Inside <script>, "<" must not open a tag: JSON allows it escaped.
        return ["id": id, "caption": caption, "json": json.replacingOccurrences(of: "<", with: "\\u003c"), "fallback": fallback]
    }

    /// "12.3": one decimal without `String(format:)`, which costs microseconds per call.
    static func tenths(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let scaled = Int((value * 10).rounded())
        let whole = String(abs(scaled) / 10) + "." + String(abs(scaled) % 10)
        return scaled < 0 ? "-" + whole : whole
    }

    /// The series as an SVG polyline (`svg_line.mustache`), for readers without scripts; `other`
    /// (same length) is drawn grey and dashed on the same scale.
    static func svgLine(_ values: [Double], caption: String, other: [Double]? = nil) -> String {
        let all = values + (other ?? [])
        guard values.count > 1, let low = all.min(), let high = all.max() else { return "" }
        let span = max(high - low, 1e-9)
        func points(_ series: [Double]) -> String {
            let step = max(1, series.count / 800)
            return stride(from: 0, to: series.count, by: step).map {
                Self.tenths(Double($0) / Double(series.count - 1) * 800) + "," + Self.tenths(195 - (series[$0] - low) / span * 190)
            }.joined(separator: " ")
        }
        var context: [String: Any] = ["caption": caption, "points": points(values)]
        if let other, other.count == values.count { context["other"] = points(other) }
        return Views.render("svg_line", context)
    }
}
