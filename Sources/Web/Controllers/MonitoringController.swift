import Common
import Foundation
import Hummingbird

/// `/monitoring`: the user's orders or fills, filtered by symbol, side and dates (days in the
/// user's time zone), fifty a page, newest first, with new rows arriving live on the first page;
/// `/monitoring.csv` exports every row the filter matches.
struct MonitoringController {
    let database: CentralDatabase
    let formats: SymbolFormatBook
    static let pageSize = 50
    static let csvLimit = 200_000

    /// The query of the page, checked.
    struct Query {
        enum Show: String { case fills, orders }
        var show = Show.fills
        var symbol: String?
        var side: String?
        var fromText = ""
        var toText = ""
        var filter = TradeFilter()
        var isFirstPage = true

        /// The query string of these filters, for links (without the page cursor).
        var parameters: String {
            var items = ["show=\(show.rawValue)"]
            if let symbol { items.append("symbol=\(symbol)") }
            if let side { items.append("side=\(side)") }
            if !fromText.isEmpty { items.append("from=\(fromText)") }
            if !toText.isEmpty { items.append("to=\(toText)") }
            return items.joined(separator: "&")
        }
    }

    func register(on routes: WebRoutes) {
        routes.pages.get("/monitoring") { request, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            let zone = database.timeZone(of: user.id)
            var model = MonitoringPage.Model(viewer: viewer, query: Query(), timeZone: zone, now: Date())
            do throws(APIError) {
                model.query = try Self.query(request, zone: zone, limit: Self.pageSize + 1)
                switch model.query.show {
                case .fills: model.fills = try read { try database.trading.fills(for: user.id, matching: model.query.filter) }
                case .orders: model.orders = try read { try database.trading.orders(for: user.id, matching: model.query.filter) }
                }
                model.formats = await formats.formats(for: model.fills.map(\.symbol) + model.orders.map(\.symbol))
                return Reply.html(MonitoringPage.render(model))
            } catch {
                model.error = error.message
                return Reply.html(MonitoringPage.render(model), status: error.status)
            }
        }
        routes.pages.get("/monitoring.csv") { request, context -> Response in
            let user = context.user
            let zone = database.timeZone(of: user.id)
            do throws(APIError) {
                let query = try Self.query(request, zone: zone, limit: Self.csvLimit)
                let text: String
                switch query.show {
                case .fills: text = Self.csv(fills: try read { try database.trading.fills(for: user.id, matching: query.filter) })
                case .orders: text = Self.csv(orders: try read { try database.trading.orders(for: user.id, matching: query.filter) })
                }
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(query.show.rawValue).csv\"", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(string: text))
                )
            } catch {
                return Response(status: error.status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
            }
        }
    }

    static func query(_ request: Request, zone: TimeZone, limit: Int) throws(APIError) -> Query {
        let q = request.uri.queryParameters
        var query = Query()
        if let show = q.get("show"), !show.isEmpty {
            guard let value = Query.Show(rawValue: show) else { throw APIError.invalid(t("monitoring.err.show")) }
            query.show = value
        }
        if let symbol = q.get("symbol")?.trimmingCharacters(in: .whitespaces).uppercased(), !symbol.isEmpty {
            guard symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw APIError.invalid(t("monitoring.err.symbol"))
            }
            query.symbol = symbol
        }
        if let side = q.get("side")?.uppercased(), !side.isEmpty {
            guard side == "BUY" || side == "SELL" else { throw APIError.invalid(t("monitoring.err.side")) }
            query.side = side
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        func day(_ name: String, _ label: String) throws(APIError) -> Date? {
            guard let text = q.get(name)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard text.count == 10, parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
                calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: parts[0], month: parts[1], day: parts[2])
            else { throw APIError.invalid(t("monitoring.err.date", ["field": label])) }
            if name == "from" { query.fromText = text } else { query.toText = text }
            return date
        }
        let from = try day("from", t("monitoring.from"))
        let to = try day("to", t("monitoring.to"))
        if let from, let to, to < from { throw APIError.invalid(t("monitoring.err.order")) }
        var before = to.flatMap { calendar.date(byAdding: .day, value: 1, to: $0) }
        if let text = q.get("before"), !text.isEmpty {
            guard let cursor = Timestamp.date(text) else { throw APIError.invalid(t("monitoring.err.before")) }
            before = min(cursor, before ?? cursor)
            query.isFirstPage = false
        }
        query.filter = TradeFilter(symbol: query.symbol, side: query.side, from: from, before: before, limit: limit)
        return query
    }

    static func csv(fills: [BotFill]) -> String {
        var text = "time,symbol,side,price,qty,quote_qty,commission,commission_asset,trade_id,order_id,client_order_id\n"
        for f in fills {
            text += "\(Timestamp.string(f.time)),\(f.symbol),\(f.side),\(DecimalText.format(f.price)),\(DecimalText.format(f.qty)),\(DecimalText.format(f.quoteQty)),"
            text += "\(DecimalText.format(f.commission)),\(csvField(f.commissionAsset)),\(f.tradeID),\(f.orderID),\(csvField(f.clientOrderID))\n"
        }
        return text
    }

    static func csv(orders: [OrderRecord]) -> String {
        var text = "created_at,updated_at,symbol,side,type,status,price,orig_qty,executed_qty,order_id,client_order_id,reason\n"
        for o in orders {
            text += "\(Timestamp.string(o.createdAt)),\(Timestamp.string(o.updatedAt)),\(o.symbol),\(o.side),\(csvField(o.type)),\(csvField(o.status.rawValue)),"
            text += "\(o.price.map { DecimalText.format($0) } ?? ""),\(DecimalText.format(o.origQty)),\(DecimalText.format(o.executedQty)),"
            text += "\(o.orderID.map(String.init) ?? ""),\(csvField(o.clientOrderID)),\(csvField(o.reason ?? ""))\n"
        }
        return text
    }

    /// A CSV field, quoted when needed, and never read as a formula by a spreadsheet.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
