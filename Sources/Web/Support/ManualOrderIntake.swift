import Common
import Foundation
import Hummingbird

/// What the API and the form on `/trading` do with a manual order: read it (JSON or form
/// fields), check it against the exchange's filters at the last price, and hand it to the user's
/// worker as a `place_order` command. Every refusal is a 4xx naming the field.
struct ManualOrderIntake {
    let control: ControlClient
    let catalog: ExchangeCatalog
    let database: CentralDatabase

    /// The order and what the supervisor said of the command that carries it.
    struct Placed {
        let order: ManualOrder
        let clientOrderID: String
        let accepted: CommandAccepted

        var response: OrderPlacedResponse {
            OrderPlacedResponse(commandId: accepted.commandID, delivered: accepted.delivered, clientOrderId: clientOrderID, requestId: order.requestID)
        }
    }

    static func refused(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, "invalid_order", "\(field): \(message)")
    }

    /// 12 random letters and digits: one request, so a repeated submit places one order.
    static func newRequestID() -> String {
        String((0..<12).map { _ in requestIDAlphabet.randomElement()! })
    }

    /// (Made once: a cached trading page asks for an id on every answer.)
    private static let requestIDAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A new request id for an order form on a page; the marker that ``ReadCacheMiddleware``
    /// replaces with a new id on every answer when the page is rendered for the cache.
    static func pageRequestID() -> String {
        ReadCache.isRendering ? ReadCache.requestIDMarker : newRequestID()
    }

    /// The order from JSON fields; a missing `request_id` is generated.
    static func decode(_ fields: [String: Any]) throws(APIError) -> ManualOrder {
        var fields = fields
        fields["user_id"] = nil
        if fields["request_id"] == nil || fields["request_id"] is NSNull { fields["request_id"] = newRequestID() }
        do {
            let data = try JSONSerialization.data(withJSONObject: fields)
            return try JSONDecoder().decode(ManualOrder.self, from: data)
        } catch let error as DecodingError {
            throw problem(error)
        } catch {
            throw APIError.invalid("The body must be a manual order object.")
        }
    }

    /// The form's fields as the order's JSON fields: empty fields are absent.
    static func fields(_ form: FormBody) -> [String: Any] {
        var fields: [String: Any] = [:]
        for name in ["symbol", "side", "type", "quantity", "price", "take_profit", "stop_loss", "request_id"] {
            if let value = form[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { fields[name] = value }
        }
        return fields
    }

    static func problem(_ error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, _): return refused(key.stringValue, "is required")
        case .valueNotFound(_, let context): return refused(context.codingPath.last?.stringValue ?? "body", "is required")
        case .typeMismatch(_, let context): return refused(context.codingPath.last?.stringValue ?? "body", "must be a string")
        case .dataCorrupted(let context): return refused(context.codingPath.last?.stringValue ?? "body", context.debugDescription)
        @unknown default: return APIError.invalid("The body must be a manual order object.")
        }
    }

    /// Checks the order at the exchange's filters and last price (both through the catalog's
    /// caches and weight budget).
    func check(_ order: ManualOrder) async throws(APIError) -> ManualOrder {
        guard !order.symbol.isEmpty, order.symbol.count <= 20, order.symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw Self.refused("symbol", "must be an upper-case symbol such as BTCUSDT")
        }
        guard let filters = try await catalog.filters(order.symbol) else { throw Self.refused("symbol", "the exchange does not list \(order.symbol)") }
        guard let price = try await catalog.lastPrice(order.symbol) else {
            throw APIError(.serviceUnavailable, "exchange_unavailable", "The exchange quotes no price for \(order.symbol), so the order cannot be checked.")
        }
        do {
            return try order.validated(filters: filters, lastPrice: price)
        } catch {
            throw Self.refused(error.field, error.message)
        }
    }

    /// Sends the checked order to the user's worker; a user without a key gets the supervisor's
    /// 409 `no_key`, as the bot's commands do.
    func place(_ order: ManualOrder, user: UserID) async throws(APIError) -> Placed {
        // The administrator's policies: approval for live trading, the symbol, the order's size.
        var price = order.price ?? 0
        if order.price == nil { price = try await catalog.lastPrice(order.symbol) ?? 0 }
        try database.requirePolicies(allowOrder: order.symbol, usdt: order.quoteQuantity ?? (order.quantity ?? 0) * price, user: user)
        var order = order
        order.requestedAt = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(order) else { throw APIError.invalid("The order cannot be written as JSON.") }
        let accepted = try await control.command(CommandRequest(.placeOrder, json: String(decoding: data, as: UTF8.self)), user: user)
        return Placed(order: order, clientOrderID: order.clientOrderID(user: user.rawValue), accepted: accepted)
    }
}
