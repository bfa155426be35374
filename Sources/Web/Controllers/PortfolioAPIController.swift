import Common
import Foundation
import Hummingbird

/// `GET /api/v1/portfolio` and `GET /api/v1/equity`: the user's own figures, as the worker
/// reported them from the exchange.
struct PortfolioAPIController {
    let database: CentralDatabase

    func register(on router: Router<WebContext>) {
        let api = router.group("/api/v1")
        api.get("portfolio") { _, context -> Response in
            let (user, _) = try context.requireUser()
            do {
                return Reply.json(.ok, try PortfolioView.load(database, user: user.id, now: Date()).json)
            } catch {
                throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be read.")
            }
        }
        api.get("equity") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let page = try ListPage(request)
            let points: [(time: Date, totalUSDT: Decimal)]
            do {
                points = try database.portfolios.equity(for: user.id, limit: page.limit + 1, before: page.before)
            } catch {
                throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be read.")
            }
            let items = points.prefix(page.limit).map { ["time": Timestamp.string($0.time), "total_usdt": DecimalText.format($0.totalUSDT)] }
            let next: Any = points.count > page.limit ? Timestamp.string(points[page.limit - 1].time) : NSNull()
            return Reply.json(.ok, ["items": Array(items), "next_before": next])
        }
    }
}

/// `?limit=` (1…500, default 100) and `?before=` (ISO-8601) of the list endpoints.
struct ListPage {
    let limit: Int
    let before: Date?

    init(_ request: Request) throws(APIError) {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let value = Int(text), (1...500).contains(value) else { throw APIError.invalid("limit must be a whole number from 1 to 500.") }
            limit = value
        } else {
            limit = 100
        }
        if let text = query.get("before") {
            guard let date = Timestamp.date(text) else { throw APIError.invalid("before must be an ISO-8601 UTC time such as 2026-11-25T12:00:00Z.") }
            before = date
        } else {
            before = nil
        }
    }
}
