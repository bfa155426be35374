import Common
import Foundation

/// `POST /api/v3/order/cancelReplace` (BINANCE.md §10.3): cancel an order, then place a new one.
/// 200 when both succeed; 409 (-2021) when one half did; 400 (-2022) when neither did, the
/// halves in `data` as `{cancelResult, newOrderResult, cancelResponse, newOrderResponse}`, a
/// failed half as `{code, msg}`, a half not tried as NOT_ATTEMPTED / null.
extension SimAPI {
    func cancelReplace(_ binance: BinanceRequest, key: String) throws(SimError) -> Any {
        let mode = try binance.string("cancelReplaceMode")
        guard mode == "STOP_ON_FAILURE" || mode == "ALLOW_FAILURE" else {
            throw SimError(
                status: 400, code: -1100, message: "Illegal characters found in parameter 'cancelReplaceMode'; legal range is 'STOP_ON_FAILURE, ALLOW_FAILURE'."
            )
        }
        let cancelID = try binance.integer("cancelOrderId")
        let cancelClientID = binance.parameters["cancelOrigClientOrderId"].flatMap { $0.isEmpty ? nil : $0 }
        if cancelID == nil, cancelClientID == nil { throw .eitherMissing("cancelOrderId", "cancelOrigClientOrderId") }
        // Parameters of the new order are checked before anything is cancelled.
        let request = try orderRequest(binance)
        let responseType = try Self.responseType(binance, orderType: request.type)
        try exchange.checkFilters(request)
        var cancelResponse: Any
        var cancelled = false
        do {
            cancelResponse = BinanceJSON.cancelled(try exchange.cancel(key: key, symbol: request.symbol, orderID: cancelID, clientOrderID: cancelClientID))
            cancelled = true
        } catch {
            cancelResponse = ["code": error.code, "msg": error.message]
        }
        if !cancelled, mode == "STOP_ON_FAILURE" {
            throw Self.cancelReplaceError(cancelled: false, placed: nil, cancelResponse: cancelResponse, newOrderResponse: NSNull())
        }
        var newOrderResponse: Any
        var placed = false
        do {
            let (order, fills) = try exchange.placeOrder(key: key, request)
            newOrderResponse = BinanceJSON.placed(order, fills: fills, responseType: responseType)
            placed = true
        } catch {
            newOrderResponse = ["code": error.code, "msg": error.message]
        }
        if cancelled, placed {
            return ["cancelResult": "SUCCESS", "newOrderResult": "SUCCESS", "cancelResponse": cancelResponse, "newOrderResponse": newOrderResponse]
                as [String: Any]
        }
        throw Self.cancelReplaceError(cancelled: cancelled, placed: placed, cancelResponse: cancelResponse, newOrderResponse: newOrderResponse)
    }

    /// `placed` nil: the new order was not attempted.
    static func cancelReplaceError(cancelled: Bool, placed: Bool?, cancelResponse: Any, newOrderResponse: Any) -> SimError {
        let data: [String: Any] = [
            "cancelResult": cancelled ? "SUCCESS" : "FAILURE",
            "newOrderResult": placed.map { $0 ? "SUCCESS" : "FAILURE" } ?? "NOT_ATTEMPTED",
            "cancelResponse": cancelResponse, "newOrderResponse": newOrderResponse,
        ]
        let partly = cancelled || placed == true
        return SimError(
            status: partly ? 409 : 400, code: partly ? -2021 : -2022,
            message: partly ? "Order cancel-replace partially failed." : "Order cancel-replace failed.",
            data: try? JSONSerialization.data(withJSONObject: data))
    }
}
