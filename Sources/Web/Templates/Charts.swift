import Common
import Foundation

/// Charts: a Chart.js canvas (drawn by `/static/app.js` when the system's Chart.js loaded) over
/// a server-drawn SVG that stays when it did not, so the page reads the same without scripts.
enum Charts {
    static let chartJS = "/javascript/chart.js/chart.min.js"

    /// A Chart.js specification (the part of its configuration the pages use), written as JSON
    /// into the page for `/static/app.js`.
    struct Spec: Encodable {
        struct Data: Encodable {
            let labels: [String]
            let datasets: [Dataset]
        }

        struct Dataset: Encodable {
            /// A line's values, a floating bar's `[from, to]` pairs, or points where some are absent (null).
            enum Values: Encodable {
                case numbers([Double])
                case ranges([[Double]])
                case points([Double?])

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.singleValueContainer()
                    switch self {
                    case .numbers(let values): try container.encode(values)
                    case .ranges(let values): try container.encode(values)
                    case .points(let values): try container.encode(values)
                    }
                }
            }

            enum Colour: Encodable {
                case one(String)
                case each([String])

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.singleValueContainer()
                    switch self {
                    case .one(let colour): try container.encode(colour)
                    case .each(let colours): try container.encode(colours)
                    }
                }
            }

            var type: String? = nil
            let label: String
            let data: Values
            var borderColor: String? = nil
            var borderWidth: Double? = nil
            var backgroundColor: Colour? = nil
            var barPercentage: Double? = nil
            var grouped: Bool? = nil
            var showLine: Bool? = nil
            var pointStyle: String? = nil
            var pointRadius: Double? = nil
            var rotation: Double? = nil
            var tension: Double? = nil
        }

        struct Options: Encodable {
            struct Plugins: Encodable {
                struct Legend: Encodable { let display: Bool }
                let legend: Legend
            }

            struct Scales: Encodable {
                struct Axis: Encodable {
                    struct Ticks: Encodable {
                        let maxTicksLimit: Int
                        let maxRotation: Int
                    }
                    var ticks: Ticks? = nil
                    var beginAtZero: Bool? = nil
                }
                let x: Axis
                var y: Axis? = nil
            }

            var animation = false
            var responsive = true
            var maintainAspectRatio = false
            let plugins: Plugins
            let scales: Scales
        }

        let type: String
        let data: Data
        let options: Options

        /// The specification as JSON safe inside `<script>` ("<" escaped, which JSON allows).
        var scriptJSON: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let json = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return json.replacingOccurrences(of: "<", with: "\\u003c")
        }
    }

    static let timeAxis = Spec.Options.Scales.Axis(ticks: .init(maxTicksLimit: 8, maxRotation: 0))

    /// A line of values over time; `labels` are the times as the reader should see them.
    static func line(id: String, caption: String, labels: [String], values: [Double], seriesLabel: String) -> [String: Any] {
        let spec = Spec(
            type: "line",
            data: .init(
                labels: labels,
                datasets: [.init(label: seriesLabel, data: .numbers(values), borderColor: "#2563eb", borderWidth: 1.5, pointRadius: 0, tension: 0)]),
            options: .init(plugins: .init(legend: .init(display: false)), scales: .init(x: timeAxis))
        )
        return figure(id: id, caption: caption, spec: spec, fallback: svgLine(values, caption: caption))
    }

    /// Candles as floating bars (the wick from low to high, the body from open to close, green
    /// up and red down) with the signals marked: ▲ buy below the low, ▼ sell above the high.
    struct Candle {
        let label: String
        let open, high, low, close: Double
    }

    static func candles(id: String, caption: String, candles: [Candle], buys: [Int], sells: [Int]) -> [String: Any] {
        let colours = Spec.Dataset.Colour.each(candles.map { $0.close >= $0.open ? "#16a34a" : "#dc2626" })
        let buyPoints = candles.indices.map { buys.contains($0) ? candles[$0].low : nil }
        let sellPoints = candles.indices.map { sells.contains($0) ? candles[$0].high : nil }
        let spec = Spec(
            type: "bar",
            data: .init(
                labels: candles.map(\.label),
                datasets: [
                    .init(type: "bar", label: t("chart.high_low"), data: .ranges(candles.map { [$0.low, $0.high] }), backgroundColor: colours, barPercentage: 0.15, grouped: false),
                    .init(
                        type: "bar", label: t("chart.open_close"), data: .ranges(candles.map { [min($0.open, $0.close), max($0.open, $0.close)] }),
                        backgroundColor: colours, barPercentage: 0.7, grouped: false),
                    .init(
                        type: "line", label: t("action.buy"), data: .points(buyPoints), borderColor: "#1d4ed8", backgroundColor: .one("#1d4ed8"), showLine: false,
                        pointStyle: "triangle", pointRadius: 7),
                    .init(
                        type: "line", label: t("action.sell"), data: .points(sellPoints), borderColor: "#b45309", backgroundColor: .one("#b45309"), showLine: false,
                        pointStyle: "triangle", pointRadius: 7, rotation: 180),
                ]),
            // Bars start at zero by default, which would flatten candles near a price of 43,000.
            options: .init(plugins: .init(legend: .init(display: true)), scales: .init(x: timeAxis, y: .init(beginAtZero: false)))
        )
        return figure(id: id, caption: caption, spec: spec, fallback: svgLine(candles.map(\.close), caption: caption))
    }

    /// The chart's context for `chart.mustache`: its id, caption, the Chart.js specification
    /// (JSON made safe inside `<script>`) and the SVG for readers without scripts.
    static func figure(id: String, caption: String, spec: Spec, fallback: String) -> [String: Any] {
        ["id": id, "caption": caption, "json": spec.scriptJSON, "fallback": fallback]
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
