import Common
import Foundation
import Hummingbird

/// The dashboard's home (`/`, the portfolio) and `/status` (the processes). The account pages
/// are ``AccountPagesController``'s, the settings ``SettingsPagesController``'s.
struct PagesController {
    let database: CentralDatabase
    let exchange: String
    let formats: SymbolFormatBook
    /// The overview's realised PnL, kept between views until a new fill.
    let realisedPnL = RealisedPnLBook()

    func register(on routes: WebRoutes) {
        routes.pages.get("/") { request, context -> Response in
            let (user, viewer) = (context.user, context.viewer)
            let now = Date()
            var model = HomePage.Model(viewer: viewer, now: now)
            model.range = request.uri.queryParameters.get("range").flatMap(HomePage.EquityRange.init(rawValue:)) ?? .day
            model.notice = request.uri.queryParameters.get("done") == "bot_deleted" ? t("notice.bot_deleted") : nil
            do {
                model.data = try OverviewData.load(database, user: user.id, range: model.range, pnl: realisedPnL, now: now)
                model.formats = await formats.formats(for: HomePage.symbols(model.data))
            } catch {
                model.readError = "the central database cannot be read (\(error))"
            }
            return Reply.html(HomePage.render(model))
        }
        routes.pages.get("/status") { _, context -> Response in
            let viewer = context.viewer
            let now = Date()
            do {
                let body = StatusPage.render(
                    statuses: try database.processes.all(), info: try database.supervisorInfo.all(), exchange: exchange, viewer: viewer,
                    user: context.user.id, lease: try database.leases?.lease(of: context.user.id), hosts: try database.leases?.hosts(), now: now
                )
                return Reply.html(body)
            } catch {
                return Reply.html(StatusPage.unavailable(reason: t("error.database_unavailable"), viewer: viewer, now: now))
            }
        }
    }

    /// The signed-in viewer of a page that also serves visitors (nil for a visitor).
    static func viewer(_ context: WebContext) -> Layout.Viewer? { context.viewer }

    /// The login page, coming back to this one after it.
    static func toLogin(_ request: Request) -> Response { SignInMiddleware.toLogin(request) }
}
