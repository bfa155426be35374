import Common
import Foundation
import Hummingbird

/// Manual orders (CONTRACT §9 "Orders"): `POST /api/v1/orders` and the form on `/trading`
/// (`POST /trading/orders`), with the same checks and the same `place_order` command. Cancelling
/// stays with the other order routes (`DELETE /api/v1/orders/{order_id}`, the cancel buttons).
struct OrdersController {
    let database: CentralDatabase
    let control: ControlClient
    let catalog: ExchangeCatalog
    let exchange: String

    var intake: ManualOrderIntake { ManualOrderIntake(control: control, catalog: catalog) }

    func register(on router: Router<WebContext>) {
        router.group("/api/v1").post("orders") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let body = try await JSONBody.read(request, user: user.id)
            let order = try await intake.check(try ManualOrderIntake.decode(body.fields))
            let placed = try await intake.place(order, user: user.id)
            return Reply.json(
                .accepted,
                [
                    "command_id": placed.commandID, "delivered": placed.delivered, "client_order_id": placed.clientOrderID,
                    "request_id": placed.order.requestID,
                ])
        }
        router.post("/trading/orders") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let viewer = PagesController.viewer(context), let user = context.user, let session = context.session else {
                return PagesController.toLogin(request)
            }
            guard PagesController.csrfMatches(form, session) else { return Reply.html(AccountPages.formExpired(viewer: viewer), status: .forbidden) }
            do throws(APIError) {
                let order = try await intake.check(try ManualOrderIntake.decode(ManualOrderIntake.fields(form)))
                _ = try await intake.place(order, user: user.id)
                return Reply.redirect("/trading?done=place_order")
            } catch {
                // The page again with the reason, and the person's values kept (with the same
                // request id: nothing was placed, so a corrected submit places once).
                let pages = TradingPagesController(database: database, control: control, catalog: catalog, exchange: exchange)
                return pages.page(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status, orderDraft: form.fields)
            }
        }
    }
}
