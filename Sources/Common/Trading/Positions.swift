import Foundation

/// One fill of one of the bot's orders.
public struct BotFill: Sendable, Equatable, Codable {
    public let symbol: String
    public let tradeID: Int64
    public let orderID: Int64
    public let clientOrderID: String
    /// `BUY` or `SELL`.
    public let side: String
    public let price: Decimal
    public let qty: Decimal
    public let quoteQty: Decimal
    public let commission: Decimal
    public let commissionAsset: String
    public let time: Date
    /// The bot it belongs to (as ``OrderRecord/botID``).
    public var botID: Int64?

    public init(
        symbol: String, tradeID: Int64, orderID: Int64, clientOrderID: String, side: String, price: Decimal, qty: Decimal, quoteQty: Decimal,
        commission: Decimal, commissionAsset: String, time: Date, botID: Int64? = nil
    ) {
        self.botID = botID
        self.symbol = symbol
        self.tradeID = tradeID
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.side = side
        self.price = price
        self.qty = qty
        self.quoteQty = quoteQty
        self.commission = commission
        self.commissionAsset = commissionAsset
        self.time = time
    }
}

/// A position in one `…USDT` symbol, built from the bot's fills: quantity held, cost including
/// fees, realised PnL. Amounts stay `Decimal`.
public struct BotPosition: Sendable, Equatable {
    public let symbol: String
    public var qty: Decimal = 0
    /// What the held quantity cost, fees included (USDT).
    public var cost: Decimal = 0
    public var realizedPnL: Decimal = 0
    /// The highest price seen since the position opened (for the trailing stop).
    public var peakPrice: Decimal = 0
    public var openedAt: Date?

    public init(symbol: String) { self.symbol = symbol }

    public var isOpen: Bool { qty > 0 }
    public var avgEntryPrice: Decimal? { qty > 0 ? cost / qty : nil }

    public func unrealizedPnL(at price: Decimal) -> Decimal { qty > 0 ? qty * price - cost : 0 }

    /// The base asset of a `…USDT` symbol.
    public var baseAsset: String { String(symbol.dropLast(4)) }

    /// Applies a fill. A commission in the base asset reduces the quantity received; one in USDT
    /// adds to the cost (buy) or reduces the proceeds (sell); one in another asset is converted
    /// with `otherCommissionUSDT`.
    /// Returns the PnL the fill realised (0 for a buy).
    @discardableResult
    public mutating func apply(_ fill: BotFill, otherCommissionUSDT: Decimal = 0) -> Decimal {
        let feeQuote: Decimal = fill.commissionAsset == "USDT" ? fill.commission : (fill.commissionAsset == baseAsset ? 0 : otherCommissionUSDT)
        let feeBase: Decimal = fill.commissionAsset == baseAsset ? fill.commission : 0
        if fill.side == "BUY" {
            if qty == 0 {
                openedAt = fill.time
                peakPrice = fill.price
            }
            qty += fill.qty - feeBase
            cost += fill.quoteQty + feeQuote
            peakPrice = max(peakPrice, fill.price)
            return 0
        } else {
            let sold = min(fill.qty + feeBase, qty)
            guard sold > 0 else { return 0 }
            let basis = qty > 0 ? cost * sold / qty : 0
            let proceeds = fill.quoteQty - feeQuote
            let realized = proceeds - basis
            realizedPnL += realized
            cost -= basis
            qty -= sold
            if qty <= 0 {
                qty = 0
                cost = 0
                openedAt = nil
                peakPrice = 0
            }
            return realized
        }
    }
}
