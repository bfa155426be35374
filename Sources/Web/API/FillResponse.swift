import Common
import Foundation

/// A fill (CONTRACT §6 "fill"), in `GET /api/v1/fills` and the `fill` event.
struct FillResponse: Encodable, Sendable {
    let tradeId: Int64
    let orderId: Int64
    let clientOrderId: String
    let symbol: String
    let side: String
    let price: String
    let qty: String
    let quoteQty: String
    let commission: String
    let commissionAsset: String
    let time: Date

    /// The bot the row belongs to (CONTRACT §9); null for rows from before bots.
    @Nullable var botId: Int64?

    init(_ fill: BotFill) {
        botId = fill.botID
        tradeId = fill.tradeID
        orderId = fill.orderID
        clientOrderId = fill.clientOrderID
        symbol = fill.symbol
        side = fill.side
        price = DecimalText.format(fill.price)
        qty = DecimalText.format(fill.qty)
        quoteQty = DecimalText.format(fill.quoteQty)
        commission = DecimalText.format(fill.commission)
        commissionAsset = fill.commissionAsset
        time = fill.time
    }
}
