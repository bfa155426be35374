import Foundation

/// A paper bot's exchange: virtual balances the user chose, and orders filled by this type on the
/// exchange's live public market data, never sent anywhere. Market orders fill at the best ask
/// (buys) or bid (sells), made worse by the slippage, at the taker fee; a limit order rests until
/// a trade goes through its price (a trade at the price itself may have been someone else's in
/// the queue) and fills at its price at the maker fee; a limit order already through the book
/// fills at once like a market order at its best price. Fees are taken from what is received, as
/// Binance does. The exchange's filters apply. Its whole state is `Codable`, to be stored with
/// the bot and survive restarts.
public struct PaperAccount: Sendable, Equatable, Codable {
    public struct Balance: Sendable, Equatable, Codable {
        public var free: Decimal
        public var locked: Decimal

        public init(free: Decimal, locked: Decimal) {
            self.free = free
            self.locked = locked
        }
    }

    public struct Order: Sendable, Equatable, Codable {
        public let id: Int64
        public let clientOrderID: String
        public let symbol: String
        public let baseAsset: String
        public let quoteAsset: String
        public let side: SymbolFilters.Side
        public let price: Decimal
        public let quantity: Decimal
        public let time: Int64
    }

    public struct Fill: Sendable, Equatable, Codable {
        public let orderID: Int64
        public let clientOrderID: String
        public let symbol: String
        public let side: SymbolFilters.Side
        public let price: Decimal
        public let quantity: Decimal
        public let fee: Decimal
        public let feeAsset: String
        public let maker: Bool
        public let time: Int64
    }

    /// The best prices now, from the exchange's book ticker.
    public struct Quote: Sendable, Equatable {
        public let bid: Decimal
        public let ask: Decimal

        public init(bid: Decimal, ask: Decimal) {
            self.bid = bid
            self.ask = ask
        }
    }

    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public private(set) var balances: [String: Balance]
    public private(set) var open: [Order] = []
    public private(set) var fills: [Fill] = []
    public let makerFee: Decimal
    public let takerFee: Decimal
    /// A market order's price is this fraction worse than the best price.
    public let slippage: Decimal
    var nextID: Int64 = 1

    public init(balances: [String: Decimal], makerFee: Decimal, takerFee: Decimal, slippage: Decimal) {
        self.balances = balances.mapValues { Balance(free: $0, locked: 0) }
        self.makerFee = makerFee
        self.takerFee = takerFee
        self.slippage = slippage
    }

    public func balance(_ asset: String) -> Balance { balances[asset] ?? Balance(free: 0, locked: 0) }

    /// A market order, filled at once.
    public mutating func market(
        _ filters: SymbolFilters, side: SymbolFilters.Side, quantity: Decimal, quote: Quote, clientOrderID: String, time: Int64
    ) throws(Refusal) -> Fill {
        let price = side == .buy ? quote.ask * (1 + slippage) : quote.bid * (1 - slippage)
        try check(filters, quantity: quantity, price: price, isMarket: true)
        try require(filters, side: side, quantity: quantity, price: price)
        let order = Order(
            id: take(), clientOrderID: clientOrderID, symbol: filters.symbol, baseAsset: filters.baseAsset, quoteAsset: filters.quoteAsset,
            side: side, price: price, quantity: quantity, time: time
        )
        return settle(order, at: price, maker: false, lockedFrom: false, time: time)
    }

    /// A limit order: filled at once when the book is already through its price, else resting.
    public mutating func limit(
        _ filters: SymbolFilters, side: SymbolFilters.Side, quantity: Decimal, price: Decimal, quote: Quote, clientOrderID: String, time: Int64
    ) throws(Refusal) -> Fill? {
        try check(filters, quantity: quantity, price: price, isMarket: false)
        guard !open.contains(where: { $0.clientOrderID == clientOrderID }) else { throw Refusal(reason: "Duplicate order sent: \(clientOrderID) is open") }
        let order = Order(
            id: take(), clientOrderID: clientOrderID, symbol: filters.symbol, baseAsset: filters.baseAsset, quoteAsset: filters.quoteAsset,
            side: side, price: price, quantity: quantity, time: time
        )
        let through = side == .buy ? quote.ask <= price : quote.bid >= price
        if through {
            let at = side == .buy ? quote.ask : quote.bid
            try require(filters, side: side, quantity: quantity, price: at)
            return settle(order, at: at, maker: false, lockedFrom: false, time: time)
        }
        try require(filters, side: side, quantity: quantity, price: price)
        if side == .buy {
            balances[filters.quoteAsset, default: Balance(free: 0, locked: 0)].free -= quantity * price
            balances[filters.quoteAsset, default: Balance(free: 0, locked: 0)].locked += quantity * price
        } else {
            balances[filters.baseAsset, default: Balance(free: 0, locked: 0)].free -= quantity
            balances[filters.baseAsset, default: Balance(free: 0, locked: 0)].locked += quantity
        }
        open.append(order)
        return nil
    }

    /// Cancels a resting order, freeing what it held; nil when none has that id.
    public mutating func cancel(clientOrderID: String) -> Order? {
        guard let index = open.firstIndex(where: { $0.clientOrderID == clientOrderID }) else { return nil }
        let order = open.remove(at: index)
        unlock(order)
        return order
    }

    /// A trade on the exchange: every resting order it went through fills at its own price.
    public mutating func trade(symbol: String, price: Decimal, time: Int64) -> [Fill] {
        let crossed = open.filter { $0.symbol == symbol && ($0.side == .buy ? price < $0.price : price > $0.price) }
        guard !crossed.isEmpty else { return [] }
        open.removeAll { order in crossed.contains { $0.id == order.id } }
        return crossed.map { settle($0, at: $0.price, maker: true, lockedFrom: true, time: time) }
    }

    private mutating func take() -> Int64 {
        defer { nextID += 1 }
        return nextID
    }

    private func check(_ filters: SymbolFilters, quantity: Decimal, price: Decimal, isMarket: Bool) throws(Refusal) {
        do throws(SymbolFilters.Refusal) {
            try filters.check(quantity: quantity, price: price, isMarket: isMarket)
        } catch {
            throw Refusal(reason: error.description)
        }
    }

    private func require(_ filters: SymbolFilters, side: SymbolFilters.Side, quantity: Decimal, price: Decimal) throws(Refusal) {
        let (asset, needed) = side == .buy ? (filters.quoteAsset, quantity * price) : (filters.baseAsset, quantity)
        let free = balance(asset).free
        if needed > free {
            throw Refusal(reason: "Account has insufficient balance for requested action: \(needed) \(asset) needed, \(free) free (paper)")
        }
    }

    private mutating func unlock(_ order: Order) {
        if order.side == .buy {
            balances[order.quoteAsset]?.locked -= order.quantity * order.price
            balances[order.quoteAsset]?.free += order.quantity * order.price
        } else {
            balances[order.baseAsset]?.locked -= order.quantity
            balances[order.baseAsset]?.free += order.quantity
        }
    }

    /// Moves the money of a fill: what was paid (from the order's lock, or from free), and what
    /// was received less the fee.
    private mutating func settle(_ order: Order, at price: Decimal, maker: Bool, lockedFrom: Bool, time: Int64) -> Fill {
        let rate = maker ? makerFee : takerFee
        let zero = Balance(free: 0, locked: 0)
        let fill: Fill
        if order.side == .buy {
            if lockedFrom {
                balances[order.quoteAsset, default: zero].locked -= order.quantity * order.price
            } else {
                balances[order.quoteAsset, default: zero].free -= order.quantity * price
            }
            let fee = order.quantity * rate
            balances[order.baseAsset, default: zero].free += order.quantity - fee
            fill = Fill(orderID: order.id, clientOrderID: order.clientOrderID, symbol: order.symbol, side: .buy, price: price, quantity: order.quantity, fee: fee, feeAsset: order.baseAsset, maker: maker, time: time)
        } else {
            if lockedFrom {
                balances[order.baseAsset, default: zero].locked -= order.quantity
            } else {
                balances[order.baseAsset, default: zero].free -= order.quantity
            }
            let proceeds = order.quantity * price
            let fee = proceeds * rate
            balances[order.quoteAsset, default: zero].free += proceeds - fee
            fill = Fill(orderID: order.id, clientOrderID: order.clientOrderID, symbol: order.symbol, side: .sell, price: price, quantity: order.quantity, fee: fee, feeAsset: order.quoteAsset, maker: maker, time: time)
        }
        fills.append(fill)
        return fill
    }
}
