import Common
import Foundation

/// An order (CONTRACT §6 "order"), in `GET /api/v1/orders` and the `order` event.
struct OrderResponse: Encodable, Sendable {
    let clientOrderId: String
    /// null until the exchange has taken it.
    @Nullable var orderId: Int64?
    let symbol: String
    let side: String
    let type: String
    let status: String
    @Nullable var orderListId: Int64?
    @Nullable var stopPrice: String?
    @Nullable var price: String?
    let origQty: String
    let executedQty: String
    let createdAt: Date
    let updatedAt: Date
    @Nullable var reason: String?

    /// The bot the row belongs to (CONTRACT §9); null for rows from before bots.
    @Nullable var botId: Int64?

    init(_ order: OrderRecord) {
        botId = order.botID
        clientOrderId = order.clientOrderID
        orderId = order.orderID
        symbol = order.symbol
        side = order.side
        type = order.type
        status = order.status.rawValue
        orderListId = order.orderListID
        stopPrice = order.stopPrice.map { DecimalText.format($0) }
        price = order.price.map { DecimalText.format($0) }
        origQty = DecimalText.format(order.origQty)
        executedQty = DecimalText.format(order.executedQty)
        createdAt = order.createdAt
        updatedAt = order.updatedAt
        reason = order.reason
    }
}
