import Common
import Foundation
import Hummingbird

/// The user's own rows (CONTRACT §6): `GET /api/v1/positions`, `/orders`, `/signals`, `/fills`,
/// newest first, `?limit=`, `?before=`, `?symbol=`, and `?bot_id=` (one of the user's bots: its
/// rows only; CONTRACT §9).
struct TradingListsAPIController {
    let database: CentralDatabase

    func register(on routes: WebRoutes) {
        routes.api.get("positions") { request, context -> Response in
            let page = try ListPage(request)
            let symbol = try Self.symbolFilter(request)
            let bot = try Self.botFilter(request, user: context.user.id, database: database)
            let rows = try read { try database.trading.positions(for: context.user.id) }.filter {
                (symbol == nil || $0.symbol == symbol) && (bot == nil || $0.botID == bot)
            }
            // Every position fits one page: there is no next one.
            return Reply.json(.ok, ListPage.Response(items: rows.prefix(page.limit).map(PositionResponse.init), nextBefore: nil))
        }
        routes.api.get("orders") { request, context -> Response in
            let page = try ListPage(request)
            let symbol = try Self.symbolFilter(request)
            let filter = TradeFilter(
                symbol: symbol, before: page.before, limit: page.limit + 1, bot: try Self.botFilter(request, user: context.user.id, database: database))
            let rows = try read { try database.trading.orders(for: context.user.id, matching: filter) }
            return Reply.json(.ok, page.response(rows, time: \.createdAt, item: OrderResponse.init))
        }
        routes.api.get("signals") { request, context -> Response in
            let page = try ListPage(request)
            let symbol = try Self.symbolFilter(request)
            let bot = try Self.botFilter(request, user: context.user.id, database: database)
            let rows = try read { try database.trading.signals(for: context.user.id, bot: bot, symbol: symbol, before: page.before, limit: page.limit + 1) }
            return Reply.json(.ok, page.response(rows, time: \.time, item: SignalResponse.init))
        }
        routes.api.get("fills") { request, context -> Response in
            let page = try ListPage(request)
            let symbol = try Self.symbolFilter(request)
            let filter = TradeFilter(
                symbol: symbol, before: page.before, limit: page.limit + 1, bot: try Self.botFilter(request, user: context.user.id, database: database))
            let rows = try read { try database.trading.fills(for: context.user.id, matching: filter) }
            return Reply.json(.ok, page.response(rows, time: \.time, item: FillResponse.init))
        }
    }

    /// `?bot_id=`: one of the user's bots; another user's, or none, is 404.
    static func botFilter(_ request: Request, user: UserID, database: CentralDatabase) throws(APIError) -> Int64? {
        guard let text = request.uri.queryParameters.get("bot_id") else { return nil }
        guard let id = Int64(text) else { throw APIError.invalid("bot_id must be a bot's id (a whole number).") }
        guard try read({ try database.bots.bot(id, for: user) }) != nil else {
            throw APIError.notFound("No such bot.")
        }
        return id
    }

    static func symbolFilter(_ request: Request) throws(APIError) -> String? {
        guard let symbol = request.uri.queryParameters.get("symbol") else { return nil }
        guard symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw APIError.invalid("symbol must be an upper-case symbol such as BTCUSDT.")
        }
        return symbol
    }
}
