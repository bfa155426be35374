import Common
import Foundation
import Hummingbird

/// The bot through the JSON API (CONTRACT §6): settings, state, commands, and the user's own
/// positions, orders and fills.
struct TradingAPIController {
    let database: CentralDatabase
    let control: ControlClient
    let catalog: ExchangeCatalog

    func register(on router: Router<WebContext>) {
        let api = router.group("/api/v1")
        api.get("settings") { _, context -> Response in
            let (user, _) = try context.requireUser()
            let stored = try read { try database.trading.settings(for: user.id) }
            var object = (try? JSONSerialization.jsonObject(with: (stored ?? .defaults).encoded())) as? [String: Any] ?? [:]
            object["is_default"] = stored == nil
            return Reply.json(.ok, object)
        }
        api.put("settings") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let body = try await JSONBody.read(request, user: user.id)
            var fields = body.fields
            fields["user_id"] = nil
            fields["is_default"] = nil
            let settings = try await Self.check(fields, catalog: catalog)
            try write { try database.trading.saveSettings(settings, for: user.id, at: Date()) }
            let payload = String(decoding: settings.encoded(), as: UTF8.self)
            // A running worker applies them at once; otherwise they are handed over at its start.
            _ = try? await control.send(.POST, "/v1/users/\(user.id.rawValue)/commands", json: ["command": "settings_changed", "payload": payload])
            var object = (try? JSONSerialization.jsonObject(with: settings.encoded())) as? [String: Any] ?? [:]
            object["is_default"] = false
            return Reply.json(.ok, object)
        }
        api.get("bot") { _, context -> Response in
            let (user, _) = try context.requireUser()
            return Reply.json(.ok, try read { try BotView.load(database, user: user.id, now: Date()).json })
        }
        for (path, command) in [("bot/start", "start"), ("bot/stop", "stop"), ("bot/emergency-stop", "emergency_stop")] {
            api.post(RouterPath(stringLiteral: path)) { request, context -> Response in
                let (user, _) = try context.requireUser()
                var payload: String?
                if command == "stop" {
                    let body = try await JSONBody.read(request, user: user.id, optional: true)
                    payload = #"{"close_positions":\#(try body.bool("close_positions", default: false))}"#
                }
                return try await sendCommand(user: user.id, command: command, payload: payload)
            }
        }
        // Cancels one open order; when it belongs to an order list (a manual order's take-profit
        // and stop-loss OCO), the worker cancels the whole list. Placing is OrdersController's.
        api.delete("orders/:order_id") { _, context -> Response in
            let (user, _) = try context.requireUser()
            guard let id = context.parameters.get("order_id", as: Int64.self) else { throw APIError.notFound("No such order.") }
            guard let order = try read({ try database.trading.order(for: user.id, orderID: id) }) else { throw APIError.notFound("No such order.") }
            guard order.isOpen else { throw APIError(.conflict, "order_not_open", "This order is \(order.status); only open orders can be cancelled.") }
            return try await sendCommand(user: user.id, command: "cancel_order", payload: #"{"order_id":\#(id)}"#)
        }
        api.get("positions") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let page = try ListPage(request)
            let symbol = try Self.symbolFilter(request)
            let rows = try read { try database.trading.positions(for: user.id) }.filter { symbol == nil || $0.symbol == symbol }
            return Reply.json(.ok, ["items": rows.prefix(page.limit).map(\.json), "next_before": NSNull()])
        }
        api.get("orders") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let page = try ListPage(request)
            let rows = try read { try database.trading.orders(for: user.id, symbol: try Self.symbolFilter(request), before: page.before, limit: page.limit + 1) }
            let next: Any = rows.count > page.limit ? Timestamp.string(rows[page.limit - 1].createdAt) : NSNull()
            return Reply.json(.ok, ["items": rows.prefix(page.limit).map(\.json), "next_before": next])
        }
        api.get("signals") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let page = try ListPage(request)
            let rows = try read { try database.trading.signals(for: user.id, symbol: try Self.symbolFilter(request), before: page.before, limit: page.limit + 1) }
            let next: Any = rows.count > page.limit ? Timestamp.string(rows[page.limit - 1].time) : NSNull()
            return Reply.json(.ok, ["items": rows.prefix(page.limit).map(\.json), "next_before": next])
        }
        api.get("fills") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let page = try ListPage(request)
            let rows = try read { try database.trading.fills(for: user.id, symbol: try Self.symbolFilter(request), before: page.before, limit: page.limit + 1) }
            let next: Any = rows.count > page.limit ? Timestamp.string(rows[page.limit - 1].time) : NSNull()
            return Reply.json(.ok, ["items": rows.prefix(page.limit).map(\.json), "next_before": next])
        }
    }

    func sendCommand(user: UserID, command: String, payload: String?) async throws -> Response {
        var json: [String: Any] = ["command": command]
        if let payload { json["payload"] = payload }
        let answer = try await control.send(.POST, "/v1/users/\(user.rawValue)/commands", json: json)
        guard answer.status == 202 else { throw ControlClient.relay(answer) }
        return Reply.json(.accepted, ["command_id": answer.object["command_id"] ?? NSNull(), "delivered": answer.object["delivered"] ?? false])
    }

    /// Checks settings, including that the exchange lists every symbol.
    static func check(_ fields: [String: Any], catalog: ExchangeCatalog) async throws(APIError) -> BotSettings {
        let settings: BotSettings
        do {
            settings = try BotSettings.decode(try JSONSerialization.data(withJSONObject: fields))
        } catch let error as SettingsError {
            throw APIError(.unprocessableContent, "invalid_settings", error.description)
        } catch {
            throw APIError.invalid("The body must be a settings object.")
        }
        let listed = try await catalog.symbols()
        if let missing = settings.symbols.first(where: { !listed.contains($0) }) {
            throw APIError(.unprocessableContent, "invalid_settings", "symbols: the exchange does not list \(missing)")
        }
        return settings
    }

    static func symbolFilter(_ request: Request) throws(APIError) -> String? {
        guard let symbol = request.uri.queryParameters.get("symbol") else { return nil }
        guard symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw APIError.invalid("symbol must be an upper-case symbol such as BTCUSDT.")
        }
        return symbol
    }
}

func read<T>(_ body: () throws -> T) throws(APIError) -> T {
    do {
        return try body()
    } catch let error as APIError {
        throw error
    } catch {
        throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be read.")
    }
}

func write<T>(_ body: () throws -> T) throws(APIError) -> T {
    do {
        return try body()
    } catch {
        throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be written.")
    }
}
