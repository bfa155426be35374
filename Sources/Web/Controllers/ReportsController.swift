import Common
import Foundation
import Hummingbird

/// `/reports`, `GET /api/v1/reports` and the CSV download: PnL per day, week or month from the
/// user's real fills.
struct ReportsController {
    let database: CentralDatabase

    func register(on routes: WebRoutes) {
        routes.api.get("reports") { request, context -> Response in
            let (period, rows, _) = try report(request, user: context.user.id)
            return Reply.json(.ok, ReportResponse(period: period.rawValue, items: rows.reversed().map(ReportResponse.Row.init)))
        }
        routes.api.get("reports.csv") { request, context -> Response in
            let (period, rows, _) = try report(request, user: context.user.id)
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"pnl-\(period.rawValue).csv\"", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: PnLReport.csv(rows, period: period)))
            )
        }
        routes.pages.get("/reports") { request, context -> Response in
            let viewer = context.viewer
            do throws(APIError) {
                let (period, rows, zone) = try report(request, user: context.user.id)
                return Reply.html(ReportsPage.render(viewer: viewer, period: period, rows: rows, timeZone: zone))
            } catch {
                let content = AccountPages.message(heading: t("reports.title"), error: error.pageMessage)
                return Reply.html(Layout.page(title: t("reports.title"), active: "/reports", viewer: viewer, freshness: nil, content: content), status: error.status)
            }
        }
    }

    func report(_ request: Request, user: UserID) throws(APIError) -> (PnLReport.Period, [PnLReport.Row], TimeZone) {
        let name = request.uri.queryParameters.get("period") ?? "day"
        guard let period = PnLReport.Period(rawValue: name) else { throw APIError.invalid("period must be day, week or month.") }
        let fills = try read { try database.trading.fills(for: user, symbol: nil, before: nil, limit: 1_000_000) }
        let zone = database.timeZone(of: user)
        return (period, PnLReport.rows(fills, period: period, timeZone: zone), zone)
    }
}
