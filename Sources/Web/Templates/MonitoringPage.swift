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
        var timeZone: TimeZone
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        let q = m.query
        var c = "<h1>\(esc(t("monitoring.title")))</h1>"
        if let error = m.error { c += "<p class=\"error\" role=\"alert\">\(esc(error))</p>" }
        func option(_ value: String, _ label: String, _ current: String?) -> String {
            "<option value=\"\(value)\"\(value == (current ?? "") ? " selected" : "")>\(esc(label))</option>"
        }
        c += """
            <form method="get" action="/monitoring" class="filters" aria-label="\(esc(t("monitoring.filters")))">
            <label for="show">\(esc(t("monitoring.show")))<select id="show" name="show">\(option("fills", t("trading.fills"), q.show.rawValue))\(option("orders", t("trading.orders"), q.show.rawValue))</select></label>
            <label for="symbol">\(esc(t("col.symbol")))<input type="text" id="symbol" name="symbol" value="\(esc(q.symbol ?? ""))" placeholder="\(esc(t("monitoring.any")))" size="10" autocapitalize="characters"></label>
            <label for="side">\(esc(t("col.side")))<select id="side" name="side">\(option("", t("monitoring.any"), q.side))\(option("BUY", "BUY", q.side))\(option("SELL", "SELL", q.side))</select></label>
            <label for="from">\(esc(t("monitoring.from"))) (\(esc(m.timeZone.identifier)))<input type="date" id="from" name="from" value="\(esc(q.fromText))"></label>
            <label for="to">\(esc(t("monitoring.to")))<input type="date" id="to" name="to" value="\(esc(q.toText))"></label>
            <button type="submit">\(esc(t("monitoring.apply")))</button>
            <a href="/monitoring.csv?\(esc(q.parameters))" download>\(esc(t("monitoring.export")))</a>
            </form>
            """
        let size = MonitoringController.pageSize
        var rows = ""
        var nextCursor: Date?
        switch q.show {
        case .fills:
            for f in m.fills.prefix(size) {
                rows += "<tr><td>\(esc(DisplayTime.text(f.time, m.timeZone)))</td><td>\(esc(f.symbol))</td><td>\(esc(f.side))</td>"
                rows += "<td class=\"num\">\(esc(DecimalText.format(f.price)))</td><td class=\"num\">\(esc(DecimalText.format(f.qty)))</td>"
                rows += "<td class=\"num\">\(esc(DecimalText.format(f.quoteQty, places: 2)))</td><td class=\"num\">\(esc(DecimalText.format(f.commission))) \(esc(f.commissionAsset))</td>"
                rows += "<td>\(f.tradeID)</td></tr>"
            }
            if m.fills.count > size { nextCursor = m.fills[size - 1].time }
            c += """
                <div class="scroll" id="rows" data-live-region><table id="fills"><caption>\(esc(t("monitoring.fills_caption")))</caption><thead><tr><th scope="col">\(esc(t("col.time")))</th><th scope="col">\(esc(t("col.symbol")))</th>\
                <th scope="col">\(esc(t("col.side")))</th><th scope="col" class="num">\(esc(t("col.price")))</th><th scope="col" class="num">\(esc(t("col.quantity")))</th><th scope="col" class="num">\(esc(t("col.quote_value")))</th>\
                <th scope="col" class="num">\(esc(t("col.commission")))</th><th scope="col">\(esc(t("col.trade_id")))</th></tr></thead>
                <tbody>\(rows.isEmpty ? "<tr><td colspan=\"8\">\(esc(t("monitoring.no_fills")))</td></tr>" : rows)</tbody></table></div>
                """
        case .orders:
            for o in m.orders.prefix(size) {
                rows += "<tr><td>\(esc(DisplayTime.text(o.createdAt, m.timeZone)))</td><td>\(esc(o.symbol))</td><td>\(esc(o.side))</td><td>\(esc(o.type))</td><td>\(esc(o.status))</td>"
                rows += "<td class=\"num\">\(o.price.map { esc(DecimalText.format($0)) } ?? "—")</td>"
                rows += "<td class=\"num\">\(esc(DecimalText.format(o.executedQty))) / \(esc(DecimalText.format(o.origQty)))</td><td>\(esc(o.reason ?? ""))</td></tr>"
            }
            if m.orders.count > size { nextCursor = m.orders[size - 1].createdAt }
            c += """
                <div class="scroll" id="rows" data-live-region><table id="orders"><caption>\(esc(t("monitoring.orders_caption")))</caption><thead><tr><th scope="col">\(esc(t("col.created")))</th>\
                <th scope="col">\(esc(t("col.symbol")))</th><th scope="col">\(esc(t("col.side")))</th><th scope="col">\(esc(t("col.type")))</th><th scope="col">\(esc(t("col.status")))</th><th scope="col" class="num">\(esc(t("col.price")))</th>\
                <th scope="col" class="num">\(esc(t("col.filled")))</th><th scope="col">\(esc(t("col.why")))</th></tr></thead>
                <tbody>\(rows.isEmpty ? "<tr><td colspan=\"8\">\(esc(t("monitoring.no_orders")))</td></tr>" : rows)</tbody></table></div>
                """
        }
        var pager = ""
        if !q.isFirstPage { pager += "<a href=\"/monitoring?\(esc(q.parameters))\">\(esc(t("monitoring.newest")))</a>" }
        if let nextCursor {
            let cursor = Timestamp.string(nextCursor).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            pager += "<a href=\"/monitoring?\(esc(q.parameters))&amp;before=\(cursor)\" rel=\"next\">\(esc(t("monitoring.older")))</a>"
        }
        if !pager.isEmpty { c += "<nav class=\"pager\" aria-label=\"\(esc(t("monitoring.pages")))\">\(pager)</nav>" }
        // Only the first page takes new rows as they arrive; older pages stay where the reader is.
        let live = q.isFirstPage && m.error == nil ? [q.show == .fills ? "fill" : "order"] : []
        return Layout.page(
            title: t("monitoring.title"), active: "/monitoring", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)]),
            content: c, live: live, freshnessAt: m.now
        )
    }
}
