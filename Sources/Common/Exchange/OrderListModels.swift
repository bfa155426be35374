import Foundation

/// A conditional order's parameters (`STOP_LOSS`, `STOP_LOSS_LIMIT`, `TAKE_PROFIT`,
/// `TAKE_PROFIT_LIMIT`): it rests untriggered until the last price crosses `stopPrice` (or,
/// with `trailingDelta` in BIPS, retraces that far from its best price), then trades as a
/// MARKET order, or as a LIMIT order at `limitPrice` for the `_LIMIT` types (BINANCE.md §10.1).
public struct ConditionalOrder: Sendable, Equatable {
    public enum Trigger: String, Sendable, Equatable, CaseIterable {
        case stopLoss = "STOP_LOSS"
        case stopLossLimit = "STOP_LOSS_LIMIT"
        case takeProfit = "TAKE_PROFIT"
        case takeProfitLimit = "TAKE_PROFIT_LIMIT"

        /// Whether it becomes a LIMIT order (and so needs a price and a time in force).
        public var isLimit: Bool { self == .stopLossLimit || self == .takeProfitLimit }
    }

    public var trigger: Trigger
    public var quantity: Decimal
    public var stopPrice: Decimal?
    /// Trailing distance in BIPS (100 = 1 %).
    public var trailingDelta: Int?
    public var limitPrice: Decimal?
    public var timeInForce: String?

    public init(trigger: Trigger, quantity: Decimal, stopPrice: Decimal?, trailingDelta: Int? = nil, limitPrice: Decimal? = nil, timeInForce: String? = nil) {
        self.trigger = trigger
        self.quantity = quantity
        self.stopPrice = stopPrice
        self.trailingDelta = trailingDelta
        self.limitPrice = limitPrice
        self.timeInForce = timeInForce
    }
}

/// An OCO order list (`POST /api/v3/orderList/oco`): two orders on one quantity, one above the
/// price and one below; when either fills or triggers, the exchange expires the other. A sell
/// OCO is a position's exits: take-profit above (LIMIT_MAKER), stop-loss below (STOP_LOSS).
public struct NewOCO: Sendable, Equatable {
    /// One leg. `type` is Binance's: above a SELL: `LIMIT_MAKER`, `TAKE_PROFIT`, `TAKE_PROFIT_LIMIT`;
    /// below it: `STOP_LOSS`, `STOP_LOSS_LIMIT` (mirrored for a BUY).
    public struct Leg: Sendable, Equatable {
        public var type: String
        public var price: Decimal?
        public var stopPrice: Decimal?
        public var trailingDelta: Int?
        public var timeInForce: String?
        public var clientOrderID: String

        public init(type: String, price: Decimal? = nil, stopPrice: Decimal? = nil, trailingDelta: Int? = nil, timeInForce: String? = nil, clientOrderID: String) {
            self.type = type
            self.price = price
            self.stopPrice = stopPrice
            self.trailingDelta = trailingDelta
            self.timeInForce = timeInForce
            self.clientOrderID = clientOrderID
        }
    }

    public var symbol: String
    public var side: SymbolFilters.Side
    public var quantity: Decimal
    public var listClientOrderID: String
    public var above: Leg
    public var below: Leg

    public init(symbol: String, side: SymbolFilters.Side, quantity: Decimal, listClientOrderID: String, above: Leg, below: Leg) {
        self.symbol = symbol
        self.side = side
        self.quantity = quantity
        self.listClientOrderID = listClientOrderID
        self.above = above
        self.below = below
    }
}

/// An order list as the exchange reports it (`orderList/oco`, `orderList`, `openOrderList`).
public struct OrderListReport: Sendable, Equatable {
    public var orderListID: Int64
    /// `OCO`, `OTO`.
    public var contingencyType: String
    /// `EXEC_STARTED`, `ALL_DONE`, `RESPONSE`.
    public var listStatusType: String
    /// `EXECUTING`, `ALL_DONE`, `REJECT`.
    public var listOrderStatus: String
    public var listClientOrderID: String
    public var symbol: String
    /// The legs: (orderId, clientOrderId), in the exchange's order.
    public var orders: [OrderListReport.Member]
    /// The legs' full reports, when the answer carries them.
    public var orderReports: [OrderReport]

    public struct Member: Sendable, Equatable {
        public var orderID: Int64
        public var clientOrderID: String
        public init(orderID: Int64, clientOrderID: String) {
            self.orderID = orderID
            self.clientOrderID = clientOrderID
        }
    }

    public init(
        orderListID: Int64, contingencyType: String, listStatusType: String, listOrderStatus: String, listClientOrderID: String, symbol: String,
        orders: [Member], orderReports: [OrderReport]
    ) {
        self.orderListID = orderListID
        self.contingencyType = contingencyType
        self.listStatusType = listStatusType
        self.listOrderStatus = listOrderStatus
        self.listClientOrderID = listClientOrderID
        self.symbol = symbol
        self.orders = orders
        self.orderReports = orderReports
    }

    /// Still working on the exchange.
    public var isOpen: Bool { listOrderStatus == "EXECUTING" }
}

/// What `order/cancelReplace` did: the cancel and the new order each succeeded or not.
public struct CancelReplaceReport: Sendable, Equatable {
    public var cancelled: OrderReport?
    public var placed: OrderReport?
    public init(cancelled: OrderReport?, placed: OrderReport?) {
        self.cancelled = cancelled
        self.placed = placed
    }
}
