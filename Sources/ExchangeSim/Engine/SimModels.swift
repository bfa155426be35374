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

    var isOpen: Bool { status == "NEW" || status == "PARTIALLY_FILLED" }
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
    var orders: [Int64: SimOrder] = [:]
    var fills: [SimFill] = []
    /// The orders still open, so that matching and duplicate checks never scan history.
    var openOrderIDs: Set<Int64> = []
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
}
