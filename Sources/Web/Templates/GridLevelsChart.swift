import Common
import Foundation

/// A grid's levels drawn as `price_chart.mustache` draws resting orders: a line per level (buys
/// below the last price, sells above) and the last price itself. It reads the same without
/// scripts. The market's candles are not drawn: central.sqlite does not keep them, and the caption
/// says so.
enum GridLevelsChart {
    static let width = 800.0, height = 272.0, plotRight = 660.0, top = 16.0, bottom = 240.0

    static func context(levels: [Decimal], last: Decimal?, format: SymbolFormat, symbol: String) -> [String: Any] {
        let prices = levels + (last.map { [$0] } ?? [])
        guard let low = prices.min(), let high = prices.max() else {
            return ["id": "grid-chart", "empty": t("bots.levels_unavailable", ["reason": t("common.no_answer")])]
        }
        let lowD = double(low), highD = double(high)
        let pad = max((highD - lowD) * 0.06, abs(highD) * 0.002, 1e-9)
        let (yLow, yHigh) = (lowD - pad, highD + pad)
        func y(_ price: Decimal) -> Double { bottom - (double(price) - yLow) / (yHigh - yLow) * (bottom - top) }
        func n(_ v: Double) -> String { v.isFinite ? String(Int(v.rounded())) : "0" }
        // With many levels only every k-th is labelled, so that labels do not overlap.
        let every = max(1, Int((Double(levels.count) * 14 / (bottom - top)).rounded(.up)))
        var lines: [[String: Any]] = levels.enumerated().map { index, price in
            let side = last.map { price < $0 ? "buy" : "sell" } ?? "grid"
            var line: [String: Any] = [
                "y": n(y(price)), "labelY": n(y(price) + 4), "class": side,
                "title": t("bots.level_title", ["index": String(index), "price": format.price(price)]),
            ]
            line["label"] = index % every == 0 || index == levels.count - 1 ? format.price(price) : ""
            return line
        }
        if let last {
            lines.append(["y": n(y(last)), "labelY": n(y(last) + 4), "class": "last", "label": t("trading.chart_last", ["price": format.price(last)])])
        }
        return [
            "id": "grid-chart", "width": n(width), "height": n(height), "plotRight": n(plotRight), "levels": lines, "axis": [[String: Any]](),
            "times": [[String: Any]](), "caption": t("bots.levels_caption", ["symbol": symbol, "n": String(levels.count)]),
            "source": t("bots.levels_source"),
        ]
    }

    private static func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
}
