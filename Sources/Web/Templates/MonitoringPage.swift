import Common
import Foundation

/// `/monitoring`: orders or fills with their filters, pages and the CSV export.
enum MonitoringPage {
    struct Model {
        var viewer: Layout.Viewer
        var query: MonitoringController.Query
        var fills: [BotFill] = []
        var orders: [OrderRecord] = []
        var error: String?
        var formats: [String: SymbolFormat] = [:]
        var timeZone: TimeZone
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let q = m.query
        let zone = m.timeZone
        let size = MonitoringController.pageSize
        func options(_ choices: [(String, String)], _ current: String?) -> [[String: Any]] {
            choices.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == (current ?? "")] }
        }
        var c: [String: Any] = [
            "shows": options([("fills", t("trading.fills")), ("orders", t("trading.orders"))], q.show.rawValue),
            "sides": options([("", t("monitoring.any")), ("BUY", "BUY"), ("SELL", "SELL")], q.side),
            "symbol": q.symbol ?? "", "zone": zone.identifier, "from": q.fromText, "to": q.toText, "parameters": q.parameters,
        ]
        if let error = m.error { c["error"] = error }
        var nextCursor: Date?
        switch q.show {
        case .fills:
            c["showFills"] = true
            c["fills"] = m.fills.prefix(size).map { f -> [String: Any] in
                let format = m.formats[f.symbol] ?? .unknown
                return [
                    "time": DisplayTime.text(f.time, zone), "symbol": f.symbol, "side": f.side, "price": format.price(f.price),
                    "qty": format.quantity(f.qty), "quote": USDTFormat.value(f.quoteQty), "commission": "\(NumberText.trimmed(f.commission)) \(f.commissionAsset)",
                    "tradeID": String(f.tradeID),
                ]
            }
            if m.fills.count > size { nextCursor = m.fills[size - 1].time }
        case .orders:
            c["showOrders"] = true
            c["orders"] = m.orders.prefix(size).map { o -> [String: Any] in
                let format = m.formats[o.symbol] ?? .unknown
                return [
                    "created": DisplayTime.text(o.createdAt, zone), "symbol": o.symbol, "side": o.side, "type": o.type,
                    "status": o.status, "price": o.price.map { format.price($0) } ?? "—",
                    "filled": "\(format.quantity(o.executedQty)) / \(format.quantity(o.origQty))", "reason": o.reason ?? "",
                ]
            }
            if m.orders.count > size { nextCursor = m.orders[size - 1].createdAt }
        }
        if !q.isFirstPage || nextCursor != nil {
            var pager: [String: Any] = ["newest": !q.isFirstPage]
            if let nextCursor { pager["older"] = Timestamp.string(nextCursor).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
            c["pager"] = pager
        }
        // Only the first page takes new rows as they arrive; older pages stay where the reader is.
        let live = q.isFirstPage && m.error == nil ? [q.show == .fills ? "fill" : "order"] : []
        return Layout.page(
            title: t("monitoring.title"), active: "/monitoring", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, zone)]),
            content: Views.render("monitoring", c), live: live, freshnessAt: m.now
        )
    }
}
