import Common
import Foundation
import Hummingbird

/// `GET /api/v1/portfolio` and `GET /api/v1/equity`: the user's own figures, as the worker
/// reported them from the exchange.
struct PortfolioAPIController {
    let database: CentralDatabase

    func register(on routes: WebRoutes) {
        routes.api.get("portfolio") { _, context -> Response in
            Reply.json(.ok, try read { try PortfolioView.load(database, user: context.user.id, now: Date()).response })
        }
        routes.api.get("equity") { request, context -> Response in
            let page = try ListPage(request)
            let bot = try TradingListsAPIController.botFilter(request, user: context.user.id, database: database)
            let points = try read { try database.portfolios.equity(for: context.user.id, bot: bot, limit: page.limit + 1, before: page.before) }
            return Reply.json(.ok, page.response(points, time: { $0.time }) { EquityPointResponse(time: $0.time, totalUSDT: $0.totalUSDT) })
        }
    }
}
