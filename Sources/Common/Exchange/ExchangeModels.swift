import Foundation

/// An account's balances as the exchange reports them.
public struct AccountSnapshot: Sendable, Equatable {
    public struct Balance: Sendable, Equatable {
        public let asset: String
        public let free: Decimal
        public let locked: Decimal
        public var total: Decimal { free + locked }

        public init(asset: String, free: Decimal, locked: Decimal) {
            self.asset = asset
            self.free = free
            self.locked = locked
        }
    }

    public let canTrade: Bool
    public let balances: [Balance]
    public let updateTime: Date
}

/// An order to send. `clientOrderID` is the idempotency key: derive it deterministically, so
/// that a retry after a timeout finds the first attempt instead of creating a second order.
public struct NewOrder: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case market(quantity: Decimal)
        case marketQuote(quoteQuantity: Decimal)
        case limit(quantity: Decimal, price: Decimal, timeInForce: String)
        case limitMaker(quantity: Decimal, price: Decimal)
        /// STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT.
        case conditional(ConditionalOrder)
    }

    public let symbol: String
    public let side: SymbolFilters.Side
    public let kind: Kind
    public let clientOrderID: String

    public init(symbol: String, side: SymbolFilters.Side, kind: Kind, clientOrderID: String) {
        self.symbol = symbol
        self.side = side
        self.kind = kind
        self.clientOrderID = clientOrderID
    }
}

/// An order as the exchange reports it, with its fills when the answer carries them.
public struct OrderReport: Sendable, Equatable, Codable {
    public struct Fill: Sendable, Equatable, Codable {
        public let tradeID: Int64
        public let price: Decimal
        public let quantity: Decimal
        public let commission: Decimal
        public let commissionAsset: String

        public init(tradeID: Int64, price: Decimal, quantity: Decimal, commission: Decimal, commissionAsset: String) {
            self.tradeID = tradeID
            self.price = price
            self.quantity = quantity
            self.commission = commission
            self.commissionAsset = commissionAsset
        }
    }

    public let symbol: String
    public let orderID: Int64
    public let clientOrderID: String
    public let side: String
    public let type: String
    public let status: String
    public let price: Decimal
    public let origQty: Decimal
    public let executedQty: Decimal
    public let cumulativeQuoteQty: Decimal
    public let fills: [Fill]
    /// The order list it belongs to; -1 outside lists (Binance's convention).
    public var orderListID: Int64 = -1
    /// A conditional order's trigger price, when it has one.
    public var stopPrice: Decimal? = nil
    /// When the exchange took it (ms), when the answer says.
    public var time: Int64? = nil

    public init(
        symbol: String, orderID: Int64, clientOrderID: String, side: String, type: String, status: String, price: Decimal, origQty: Decimal,
        executedQty: Decimal, cumulativeQuoteQty: Decimal, fills: [Fill], orderListID: Int64 = -1, stopPrice: Decimal? = nil, time: Int64? = nil
    ) {
        self.symbol = symbol
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.side = side
        self.type = type
        self.status = status
        self.price = price
        self.origQty = origQty
        self.executedQty = executedQty
        self.cumulativeQuoteQty = cumulativeQuoteQty
        self.fills = fills
        self.orderListID = orderListID
        self.stopPrice = stopPrice
        self.time = time
    }
}

/// One candle as the exchange reports it (`/api/v3/klines`).
public struct Kline: Sendable, Equatable {
    public let openTime: Int64
    public let open: Decimal
    public let high: Decimal
    public let low: Decimal
    public let close: Decimal
    public let volume: Decimal
    public let closeTime: Int64
    public let trades: Int

    public init(openTime: Int64, open: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: Decimal, closeTime: Int64, trades: Int) {
        self.openTime = openTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.closeTime = closeTime
        self.trades = trades
    }
}

/// One of the account's trades (`/api/v3/myTrades`).
public struct TradeReport: Sendable, Equatable, Codable {
    public let symbol: String
    public let tradeID: Int64
    public let orderID: Int64
    public let price: Decimal
    public let quantity: Decimal
    public let quoteQuantity: Decimal
    public let commission: Decimal
    public let commissionAsset: String
    public let time: Int64
    public let isBuyer: Bool
    public let isMaker: Bool
}
