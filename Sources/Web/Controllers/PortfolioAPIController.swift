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
            let user = context.user.id
            let points = try read {
                // A grid or DCA bot's own value over time; otherwise the account's total.
                if let bot, try database.bots.bot(bot, for: user)?.isHosted == true {
                    return try database.bots.botEquity(bot, for: user, limit: page.limit + 1, before: page.before)
                }
                return try database.portfolios.equity(for: user, bot: bot, limit: page.limit + 1, before: page.before)
            }
            return Reply.json(.ok, page.response(points, time: { $0.time }) { EquityPointResponse(time: $0.time, totalUSDT: $0.totalUSDT) })
        }
    }
}
