import Common
import Foundation
import Hummingbird

/// The bot's forms on `/trading` (and the settings form on `/settings`): start, stop, emergency
/// stop, cancel an order, save the settings. Each redirects back with a notice, or shows the
/// page again with the reason.
struct BotFormsController {
    let database: CentralDatabase
    let control: ControlClient
    let catalog: ExchangeCatalog
    let exchange: String

    var pages: TradingPagesController { TradingPagesController(database: database, control: control, catalog: catalog, exchange: exchange) }

    func register(on routes: WebRoutes) {
        for (path, command) in [("/trading/start", ControlCommand.start), ("/trading/stop", .stop), ("/trading/emergency-stop", .emergencyStop)] {
            routes.pages.post(RouterPath(stringLiteral: path)) { _, context -> Response in
                let (form, viewer, user) = (context.form, context.viewer, context.user)
                let request =
                    command == .stop ? CommandRequest(.stop, payload: StopPayload(closePositions: form["close_positions"] != nil)) : CommandRequest(command)
                do throws(APIError) {
                    if command == .start { try BotAPIController.firstBotRuns(database, user: user.id) }
                    if command == .emergencyStop {
                        _ = try await BotAPIController.emergencyStop(database, control: control, user: user.id)
                    } else {
                        _ = try await control.command(request, user: user.id)
                    }
                    return Reply.redirect("/trading?done=\(command.rawValue)")
                } catch {
                    return pages.page(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
                }
            }
        }
        routes.pages.post("/trading/orders/:order_id/cancel") { _, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            guard let id = context.parameters.get("order_id", as: Int64.self), let order = try? database.trading.order(for: user.id, orderID: id) else {
                return Reply.html(ErrorPages.notFound(), status: .notFound)
            }
            do throws(APIError) {
                guard order.isOpen else { throw APIError(.conflict, "order_not_open", "This order is \(order.status); only open orders can be cancelled.") }
                if let refusal = APIError.gridOrDCAOrder(order) { throw refusal }
                _ = try await control.command(CommandRequest(.cancelOrder, payload: CancelOrderPayload(orderID: id)), user: user.id)
                return Reply.redirect("/trading?done=cancel_order")
            } catch {
                return pages.page(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        routes.pages.post("/trading/settings") { _, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            do throws(APIError) {
                let settings = try await SettingsAPIController.check(try Self.settingsFields(form), catalog: catalog)
                try await SettingsAPIController.save(settings, user: user.id, database: database, control: control)
                return Reply.redirect(form["return_to"] == "/settings" ? "/settings?done=bot_settings#settings" : "/trading?done=settings")
            } catch {
                if form["return_to"] == "/settings" {
                    return SettingsPagesController.settings(
                        database, exchange: exchange, viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
                }
                return pages.page(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
    }

    /// The form's fields as the settings JSON (numbers stay text until checked).
    static func settingsFields(_ form: FormBody) throws(APIError) -> [String: Any] {
        func number(_ name: String) throws(APIError) -> Double {
            guard let value = Double((form[name] ?? "").trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw APIError(.unprocessableContent, "invalid_settings", "\(name.replacingOccurrences(of: "_", with: " ")) must be a number")
            }
            return value
        }
        func whole(_ name: String) throws(APIError) -> Int {
            let value = try number(name)
            guard value == value.rounded(), abs(value) < 1e9 else {
                throw APIError(.unprocessableContent, "invalid_settings", "\(name.replacingOccurrences(of: "_", with: " ")) must be a whole number")
            }
            return Int(value)
        }
        let symbols = (form["symbols"] ?? "").uppercased().split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        // Execution: each field the form carries (an older form without them keeps the defaults).
        var execution: [String: Any] = [:]
        for name in ["exits", "entry", "entry_timeout_action"] where form[name] != nil { execution[name] = form[name] }
        if form["entry_offset_pct"] != nil { execution["entry_offset_pct"] = try number("entry_offset_pct") }
        if form["entry_timeout_seconds"] != nil { execution["entry_timeout_seconds"] = try whole("entry_timeout_seconds") }
        return [
            "execution": execution,
            "symbols": symbols, "interval": form["interval"] ?? "",
            "strategy": form["strategy"] == "ml"
                ? ["name": "ml", "params": [String: Double]()] : ["name": "sma_cross", "params": ["fast": try whole("fast"), "slow": try whole("slow")]],
            "risk": [
                "max_position_pct": try number("max_position_pct"), "max_position_usdt": (form["max_position_usdt"] ?? "").trimmingCharacters(in: .whitespaces),
                "max_open_positions": try whole("max_open_positions"), "stop_loss_pct": try number("stop_loss_pct"),
                "take_profit_pct": try number("take_profit_pct"), "trailing_stop_pct": try number("trailing_stop_pct"),
                "daily_loss_limit_usdt": (form["daily_loss_limit_usdt"] ?? "").trimmingCharacters(in: .whitespaces),
                "max_drawdown_pct": try number("max_drawdown_pct"), "cooldown_minutes": try whole("cooldown_minutes"),
            ] as [String: Any],
            "emergency_close_positions": form["emergency_close_positions"] != nil, "unknown_orders": form["unknown_orders"] ?? "",
            "timezone": (form["timezone"] ?? "").trimmingCharacters(in: .whitespaces),
        ]
    }
}
