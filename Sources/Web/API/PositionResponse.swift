import Common
import Foundation

/// A position (CONTRACT §6 "position"), in `GET /api/v1/positions` and the bot's answer.
struct PositionResponse: Encodable, Sendable {
    let symbol: String
    let qty: String
    @Nullable var avgEntryPrice: String?
    @Nullable var currentPrice: String?
    @Nullable var unrealizedPnlUsdt: String?
    let realizedPnlUsdt: String
    @Nullable var stopLoss: String?
    @Nullable var takeProfit: String?
    /// Held, but below the lot size or the minimum order value: not a position to trade.
    let dust: Bool

    /// The bot the row belongs to (CONTRACT §9); null for rows from before bots.
    @Nullable var botId: Int64?

    init(_ position: PositionRecord) {
        botId = position.botID
        symbol = position.symbol
        qty = DecimalText.format(position.qty)
        avgEntryPrice = position.avgEntryPrice.map { DecimalText.format($0) }
        currentPrice = position.currentPrice.map { DecimalText.format($0) }
        unrealizedPnlUsdt = position.unrealizedPnLUSDT.map { DecimalText.format($0) }
        realizedPnlUsdt = DecimalText.format(position.realizedPnLUSDT)
        stopLoss = position.stopLoss.map { DecimalText.format($0) }
        takeProfit = position.takeProfit.map { DecimalText.format($0) }
        dust = position.dust
    }
}
