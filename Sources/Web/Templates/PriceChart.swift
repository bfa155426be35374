import Common
import Foundation

/// The trading page's chart of the bot's symbol, drawn here as SVG (it reads the same without
/// scripts, and Chart.js has no candles): the bot's fills joined by a line, ▲ for each buy (an
/// entry) and ▼ for each sale (an exit), a dashed line per resting order at its price or trigger
/// and the position's last price. Only what central.sqlite holds: it keeps the bot's own fills
/// and orders, not the market's candles, and the caption says so.
enum PriceChart {
    struct Data {
        var symbol: String
        /// Oldest first.
        var fills: [BotFill]
        var resting: [OrderRecord]
        /// The last price the bot reported for its position in the symbol, if it holds one.
        var lastPrice: Decimal?
        var now: Date
    }

    // The drawing's coordinates (the SVG scales to its box); the right margin holds the labels.
    static let width = 800.0, height = 272.0, plotRight = 660.0, top = 16.0, bottom = 240.0

    static func context(_ d: Data, format: SymbolFormat, zone: TimeZone) -> [String: Any] {
        var prices = d.fills.map(\.price)
        for order in d.resting { prices += [order.price, order.stopPrice].compactMap { $0 }.filter { $0 > 0 } }
        if let last = d.lastPrice { prices.append(last) }
        guard let low = prices.min(), let high = prices.max() else {
            return ["id": "price-chart", "empty": t("trading.chart_empty", ["symbol": d.symbol])]
        }
        let lowD = double(low), highD = double(high)
        let pad = max((highD - lowD) * 0.08, abs(highD) * 0.002, 1e-9)
        let (yLow, yHigh) = (lowD - pad, highD + pad)
        func y(_ price: Decimal) -> Double { bottom - (double(price) - yLow) / (yHigh - yLow) * (bottom - top) }
        let start = d.fills.first?.time ?? d.now
        let span = max(d.now.timeIntervalSince(start), 1)
        func x(_ time: Date) -> Double { 10 + time.timeIntervalSince(start) / span * (plotRight - 20) }
        // Whole units of an 800-wide drawing: finer is invisible, and `String(format:)` is slow.
        func n(_ v: Double) -> String { v.isFinite ? String(Int(v.rounded())) : "0" }

        var c: [String: Any] = ["id": "price-chart", "width": n(width), "height": n(height), "plotRight": n(plotRight)]
        if d.fills.count > 1 { c["line"] = d.fills.map { "\(n(x($0.time))),\(n(y($0.price)))" }.joined(separator: " ") }
        c["marks"] = d.fills.map { f -> [String: Any] in
            let (px, py) = (x(f.time), y(f.price))
            let buy = f.side == "BUY"
            // ▲ under the fill's price for a buy, ▼ over it for a sale.
            let path = buy ? "M\(n(px)),\(n(py + 3)) l-6,11 h12 z" : "M\(n(px)),\(n(py - 3)) l-6,-11 h12 z"
            return [
                "path": path, "class": buy ? "buy" : "sell",
                "title": "\(f.side) \(format.quantity(f.qty)) @ \(format.price(f.price))",
            ]
        }
        var levels: [[String: Any]] = d.resting.compactMap { o -> [String: Any]? in
            guard let level = o.stopPrice.flatMap({ $0 > 0 ? $0 : nil }) ?? o.price else { return nil }
            return [
                "y": n(y(level)), "labelY": n(y(level) + 4), "class": o.side.lowercased(), "label": format.price(level),
                "title": "\(o.side) \(o.type) \(format.quantity(o.origQty)) @ \(format.price(level))",
            ]
        }
        if let last = d.lastPrice {
            levels.append(["y": n(y(last)), "labelY": n(y(last) + 4), "class": "last", "label": t("trading.chart_last", ["price": format.price(last)])])
        }
        c["levels"] = levels
        // The highest and lowest price drawn, unless a level's own label already sits there.
        let taken = levels.compactMap { ($0["y"] as? String).flatMap(Double.init) }
        c["axis"] = [high, low].filter { price in !taken.contains { abs($0 - y(price)) < 14 } }.map { price -> [String: Any] in
            ["y": n(y(price) + 4), "label": format.price(price)]
        }
        c["times"] = [
            ["x": n(10), "anchor": "start", "label": DisplayTime.short(start, zone, range: .dateTime)],
            ["x": n(plotRight - 10), "anchor": "end", "label": DisplayTime.short(d.now, zone, range: .dateTime)],
        ]
        c["caption"] =
            d.fills.isEmpty
            ? t("trading.chart_caption_orders", ["symbol": d.symbol, "orders": String(d.resting.count)])
            : t(
                "trading.chart_caption",
                [
                    "symbol": d.symbol, "fills": String(d.fills.count), "from": DisplayTime.text(start, zone), "to": DisplayTime.text(d.now, zone),
                    "orders": String(d.resting.count),
                ])
        c["source"] = t("trading.chart_source")
        return c
    }

    private static func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
}
