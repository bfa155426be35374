import Common
import Foundation

enum OrderSide: String, Sendable, Codable {
    case buy = "BUY"
    case sell = "SELL"
}

/// An order as the simulated exchange keeps it.
struct SimOrder: Sendable, Codable {
    let orderID: Int64
    let clientOrderID: String
    let symbol: String
    let side: OrderSide
    let type: String
    let timeInForce: String?
    let price: Decimal
    let origQty: Decimal
    let origQuoteOrderQty: Decimal
    var executedQty: Decimal = 0
    var cumulativeQuoteQty: Decimal = 0
    var status: String = "NEW"
    let time: Int64
    var updateTime: Int64
    /// What this order still holds of the account's balance (quote for a buy, base for a sell).
    var locked: Decimal = 0
    // Conditional orders and order lists (BINANCE.md §10). Optional, so that state files from
    // before them still load (a missing key decodes as nil).
    var stopPrice: Decimal? = nil
    /// In BIPS (100 = 1 %).
    var trailingDelta: Int? = nil
    /// When trailing began (ms); nil until it does.
    var trailingTime: Int64? = nil
    /// The best price since trailing began (the highest for a SELL, the lowest for a BUY).
    var trailAnchor: Decimal? = nil
    /// True while a stop order waits for its trigger.
    var awaitingTrigger: Bool? = nil
    /// When the order started working (on the book, or triggered); nil means at `time`.
    var workingTime: Int64? = nil
    var orderListID: Int64? = nil

    var isOpen: Bool { status == "NEW" || status == "PARTIALLY_FILLED" }
    var isWaiting: Bool { awaitingTrigger == true }
    var listID: Int64 { orderListID ?? -1 }
    /// MARKET, and STOP_LOSS / TAKE_PROFIT once triggered, take the book with no limit.
    var executesAsMarket: Bool { Self.marketTypes.contains(type) }
    /// SL BUY and TP SELL trigger on last ≥ stopPrice; SL SELL and TP BUY on last ≤ stopPrice.
    var triggersAbove: Bool { type.hasPrefix("STOP_LOSS") ? side == .buy : side == .sell }

    static let stopTypes: Set = ["STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]
    static let marketTypes: Set = ["MARKET", "STOP_LOSS", "TAKE_PROFIT"]
    static let allTypes = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]
}

/// An order list (OCO) as the simulated exchange keeps it.
struct SimOrderList: Sendable, Codable {
    let orderListID: Int64
    let listClientOrderID: String
    let symbol: String
    var contingencyType = "OCO"
    /// EXEC_STARTED → ALL_DONE.
    var listStatusType = "EXEC_STARTED"
    /// EXECUTING → ALL_DONE.
    var listOrderStatus = "EXECUTING"
    let orderIDs: [Int64]
    var transactionTime: Int64
    var isOpen: Bool { listOrderStatus == "EXECUTING" }
}

/// One trade of an order.
struct SimFill: Sendable, Codable {
    let tradeID: Int64
    let orderID: Int64
    let symbol: String
    let price: Decimal
    let qty: Decimal
    let quoteQty: Decimal
    let commission: Decimal
    let commissionAsset: String
    let time: Int64
    let isBuyer: Bool
    let isMaker: Bool
}

struct Balance: Sendable, Codable {
    var free: Decimal = 0
    var locked: Decimal = 0
}

/// One simulated exchange account, isolated from the others.
struct SimAccount: Sendable, Codable {
    let apiKey: String
    let secret: String
    var balances: [String: Balance]
    /// nil (the default, and in state files from before it existed) means true.
    var canTrade: Bool? = nil
    /// The key's permissions `/sapi/v1/account/apiRestrictions` reports (nil: false).
    var enableWithdrawals: Bool? = nil
    var ipRestrict: Bool? = nil
    var orders: [Int64: SimOrder] = [:]
    var fills: [SimFill] = []
    /// The orders still open, so that matching and duplicate checks never scan history.
    var openOrderIDs: Set<Int64> = []
    /// Optional so that state files from before order lists still load.
    var orderLists: [Int64: SimOrderList]? = nil
}

/// What an order request says, after parsing.
struct OrderRequest: Sendable {
    var symbol: String
    var side: OrderSide
    var type: String
    var timeInForce: String?
    var quantity: Decimal?
    var quoteOrderQty: Decimal?
    var price: Decimal?
    var clientOrderID: String?
    var stopPrice: Decimal? = nil
    var trailingDelta: Int? = nil
    /// Set for the legs of an order list.
    var orderListID: Int64? = nil
}
