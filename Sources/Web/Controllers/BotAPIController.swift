import Common
import Foundation
import Hummingbird

/// The bot through the JSON API (CONTRACT §6): its state, start, stop, emergency stop, and the
/// cancel of one open order.
struct BotAPIController {
    let database: CentralDatabase
    let control: ControlClient

    /// Refuses a start when the user's first bot is one the worker does not run (a grid, a DCA
    /// or a paper bot); a user without a bot starts on the default settings, as before bots.
    static func firstBotRuns(_ database: CentralDatabase, user: UserID) throws(APIError) {
        guard let first = try read({ try database.bots.bots(for: user) }).first, !first.definition.runsInWorker else { return }
        let reason = BotsView.notRunning(first.definition, isFirst: true).english
        throw APIError(.conflict, "bot_not_running", "Your first bot does not run: \(reason).")
    }

    /// The user's emergency stop: every bot. The grid and DCA bots are no longer wanted (a
    /// restart does not bring them back); the worker cancels their orders and stops the first bot.
    static func emergencyStop(_ database: CentralDatabase, control: ControlClient, user: UserID) async throws(APIError) -> CommandAccepted {
        let bots = try read { try database.bots.bots(for: user) }
        for bot in bots where bot.isHosted && bot.wanted {
            _ = try write { try database.bots.setWanted(bot.id, false, for: user, at: Date()) }
        }
        return try await control.command(CommandRequest(.emergencyStop), user: user)
    }

    func register(on routes: WebRoutes) {
        routes.api.get("bot") { _, context -> Response in
            Reply.json(.ok, try read { try BotView.load(database, user: context.user.id, now: Date()).response })
        }
        routes.api.post("bot/start") { _, context -> Response in
            try Self.firstBotRuns(database, user: context.user.id)
            try database.requireNotHalted()
            let settings = try read { try database.bots.settings(for: context.user.id) } ?? .defaults
            try database.requirePolicies(allow: BotDefinition.first(from: settings), user: context.user.id)
            return Reply.json(.accepted, try await control.command(CommandRequest(.start), user: context.user.id))
        }
        routes.api.post("bot/stop") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id, optional: true)
            let stop = StopPayload(closePositions: try body.bool("close_positions", default: false))
            return Reply.json(.accepted, try await control.command(CommandRequest(.stop, payload: stop), user: context.user.id))
        }
        routes.api.post("bot/emergency-stop") { _, context -> Response in
            Reply.json(.accepted, try await Self.emergencyStop(database, control: control, user: context.user.id))
        }
        // Cancels one open order; when it belongs to an order list (a manual order's take-profit
        // and stop-loss OCO), the worker cancels the whole list. Placing is OrdersController's.
        routes.api.delete("orders/:order_id") { _, context -> Response in
            guard let id = context.parameters.get("order_id", as: Int64.self) else { throw APIError.notFound("No such order.") }
            guard let order = try read({ try database.trading.order(for: context.user.id, orderID: id) }) else { throw APIError.notFound("No such order.") }
            guard order.isOpen else { throw APIError(.conflict, "order_not_open", "This order is \(order.status); only open orders can be cancelled.") }
            if let refusal = APIError.gridOrDCAOrder(order) { throw refusal }
            let cancel = CommandRequest(.cancelOrder, payload: CancelOrderPayload(orderID: id))
            return Reply.json(.accepted, try await control.command(cancel, user: context.user.id))
        }
    }
}

extension APIError {
    /// A grid's or DCA bot's order is cancelled by stopping that bot (its book would lose a level).
    static func gridOrDCAOrder(_ order: OrderRecord) -> APIError? {
        guard OrderPurpose(order.clientOrderID).isHostedBotOrder else { return nil }
        let bot = order.botID.map { "bot \($0)" } ?? "a grid or DCA bot"
        return APIError(.conflict, "order_of_grid_or_dca_bot", "This order belongs to \(bot); stop that bot to cancel its orders.")
    }
}
