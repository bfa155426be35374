import Common
import Foundation

/// `POST /api/v1/orders` (202): the command that carries the order, and the ids to find it by.
struct OrderPlacedResponse: Encodable, Sendable {
    let commandId: Int64
    let delivered: Bool
    /// `u<user_id>-<symbol>-<request_id>-M`: the order's id on the exchange.
    let clientOrderId: String
    let requestId: String
}
