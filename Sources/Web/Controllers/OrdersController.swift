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

    var intake: ManualOrderIntake { ManualOrderIntake(control: control, catalog: catalog, database: database) }

    func register(on routes: WebRoutes) {
        routes.api.post("orders") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            let order = try await intake.check(try ManualOrderIntake.decode(body.fields))
            return Reply.json(.accepted, try await intake.place(order, user: context.user.id).response)
        }
        routes.pages.post("/trading/orders") { _, context -> Response in
            let form = context.form
            do throws(APIError) {
                let order = try await intake.check(try ManualOrderIntake.decode(ManualOrderIntake.fields(form)))
                _ = try await intake.place(order, user: context.user.id)
                return Reply.redirect("/trading?done=place_order")
            } catch {
                // The page again with the reason, and the person's values kept (with the same
                // request id: nothing was placed, so a corrected submit places once).
                let pages = TradingPagesController(database: database, control: control, catalog: catalog, exchange: exchange)
                return pages.page(viewer: context.viewer, user: context.user.id, error: error.pageMessage, status: error.status, orderDraft: form.fields)
            }
        }
    }
}
