import Foundation

extension BinanceClient: ExchangeClient {
    /// Places an OCO (`POST /api/v3/orderList/oco`). A timeout or 5xx gives
    /// ``ExchangeError/unknownOrderState(clientOrderID:reason:)`` with the list's client id: call
    /// ``resolveOrderList(listClientOrderID:)``, never resend blindly.
    public func placeOCO(_ list: NewOCO) async throws(ExchangeError) -> OrderListReport {
        let object = try await sendSigned(.POST, "/api/v3/orderList/oco", Self.ocoParameters(list), orderClientID: list.listClientOrderID)
        return try Self.decoding { try BinanceDecoding.orderList(object) }
    }

    static func ocoParameters(_ list: NewOCO) -> QueryString {
        var query: QueryString = ["symbol": list.symbol, "side": list.side.rawValue, "quantity": DecimalText.plain(list.quantity)]
        query.append("listClientOrderId", list.listClientOrderID)
        append(list.above, as: "above", to: &query)
        append(list.below, as: "below", to: &query)
        // The list default is undocumented; FULL gives the legs' reports with their statuses.
        query.append("newOrderRespType", "FULL")
        return query
    }

    static func append(_ leg: NewOCO.Leg, as prefix: String, to query: inout QueryString) {
        query.append(prefix + "Type", leg.type)
        query.append(prefix + "ClientOrderId", leg.clientOrderID)
        if let price = leg.price { query.append(prefix + "Price", DecimalText.plain(price)) }
        if let stop = leg.stopPrice { query.append(prefix + "StopPrice", DecimalText.plain(stop)) }
        if let delta = leg.trailingDelta { query.append(prefix + "TrailingDelta", String(delta)) }
        if let timeInForce = leg.timeInForce { query.append(prefix + "TimeInForce", timeInForce) }
    }

    /// The list with this client id, or nil when the exchange has none. Binance's docs name no
    /// code for a missing list: -2011 and -2013 are the order codes, -2018 was seen for lists.
    public func resolveOrderList(listClientOrderID: String) async throws(ExchangeError) -> OrderListReport? {
        do {
            let object = try await sendSigned(.GET, "/api/v3/orderList", ["origClientOrderId": listClientOrderID])
            return try Self.decoding { try BinanceDecoding.orderList(object) }
        } catch .rejected(let code, _) where [-2011, -2013, -2018].contains(code) {
            return nil
        }
    }

    public func cancelOrderList(symbol: String, orderListID: Int64) async throws(ExchangeError) -> OrderListReport {
        let query: QueryString = ["symbol": symbol, "orderListId": String(orderListID)]
        let object = try await sendSigned(.DELETE, "/api/v3/orderList", query, orderClientID: "list-\(orderListID)")
        return try Self.decoding { try BinanceDecoding.orderList(object) }
    }

    public func openOrderLists() async throws(ExchangeError) -> [OrderListReport] {
        let object = try await sendSigned(.GET, "/api/v3/openOrderList", QueryString())
        guard let list = object as? [Any] else { throw .invalidResponse("openOrderList is not a list") }
        return try Self.decoding { try list.map(BinanceDecoding.orderList) }
    }

    /// Cancels one order and places another in one call, STOP_ON_FAILURE. A refusal is
    /// ``ExchangeError/rejected(code:message:)``: -2022, nothing changed; -2021, the old order is
    /// cancelled but the new one was refused (the message carries each half's reason). A timeout
    /// or 5xx is an unknown state of the new order's client id.
    public func cancelReplace(symbol: String, cancelClientOrderID: String, with order: NewOrder) async throws(ExchangeError) -> CancelReplaceReport {
        let query = Self.cancelReplaceParameters(cancelClientOrderID: cancelClientOrderID, order)
        let object = try await sendSigned(.POST, "/api/v3/order/cancelReplace", query, orderClientID: order.clientOrderID)
        return try Self.decoding { try BinanceDecoding.cancelReplace(object) }
    }

    static func cancelReplaceParameters(cancelClientOrderID: String, _ order: NewOrder) -> QueryString {
        var query = orderParameters(order)
        query.append("cancelReplaceMode", "STOP_ON_FAILURE")
        query.append("cancelOrigClientOrderId", cancelClientOrderID)
        return query
    }
}
