import Foundation

/// One order of a grid: the `sequence`-th order of cell `cell`. The pair names it, so the worker
/// gives it the same client id after any restart, and a fill is matched to its cell by it.
public struct GridOrder: Sendable, Hashable {
    public let cell: Int
    public let sequence: Int
    public let side: SymbolFilters.Side
    public let price: Decimal
    public let quantity: Decimal

    public init(cell: Int, sequence: Int, side: SymbolFilters.Side, price: Decimal, quantity: Decimal) {
        self.cell = cell
        self.sequence = sequence
        self.side = side
        self.price = price
        self.quantity = quantity
    }
}

/// A grid order that filled completely (a grid order counts once the exchange reports it
/// `FILLED`; partial fills wait), with its fee valued in the quote asset. A buy's `quantity` is
/// the base it left to sell (after a fee taken in base, rounded down to the step).
public struct GridFill: Sendable, Equatable {
    public let cell: Int
    public let sequence: Int
    public let side: SymbolFilters.Side
    public let price: Decimal
    public let quantity: Decimal
    public let feeQuote: Decimal

    public init(cell: Int, sequence: Int, side: SymbolFilters.Side, price: Decimal, quantity: Decimal, feeQuote: Decimal) {
        self.cell = cell
        self.sequence = sequence
        self.side = side
        self.price = price
        self.quantity = quantity
        self.feeQuote = feeQuote
    }
}

/// A buy and the sell one level up that closed it.
public struct GridCycle: Sendable, Equatable {
    public let cell: Int
    public let buyPrice: Decimal
    public let sellPrice: Decimal
    public let quantity: Decimal
    /// Sell value minus buy value minus both fees, in the quote asset.
    public let profit: Decimal
}

/// A grid bot's state: the one resting order of each cell, what each holding cell paid, and the
/// cycles it completed. Every filled buy becomes a sell one level up and every filled sell a buy
/// one level down; the worker only sends what this returns.
public struct GridBook: Sendable, Equatable {
    struct Cost: Sendable, Equatable {
        let price: Decimal
        let feeQuote: Decimal
    }

    public let plan: GridPlan
    /// The price the grid opened at: it decides which cells start with a buy and which with a
    /// sell, so it is stored with the bot and the same book is rebuilt from it.
    public let openingPrice: Decimal
    /// The resting order of each cell; all nil once the grid has ended.
    public private(set) var resting: [GridOrder?]
    var costs: [Cost?]
    public private(set) var cycles: [GridCycle] = []
    public private(set) var ended: String?

    /// Cells entirely above the price start with a sell (of coins bought at market first);
    /// the others start with a buy, so the level just above the price stays empty.
    public static func startsWithSell(plan: GridPlan, cell: Int, price: Decimal) -> Bool {
        plan.levels[cell] >= price
    }

    /// The base quantity to buy at market before the grid's orders go out: what its opening
    /// sells will sell.
    public static func openingPurchase(plan: GridPlan, price: Decimal) -> Decimal {
        (0..<plan.cellCount).filter { startsWithSell(plan: plan, cell: $0, price: price) }.reduce(0) { $0 + plan.quantities[$1] }
    }

    /// The book at the opening. `openingBuy` is the market purchase's average price and fee per
    /// unit of base (quote asset), the cost of every cell that starts with a sell.
    public init(plan: GridPlan, openingPrice: Decimal, openingBuy: (price: Decimal, feePerUnit: Decimal)?) {
        self.plan = plan
        self.openingPrice = openingPrice
        var resting: [GridOrder?] = []
        var costs: [Cost?] = []
        for cell in 0..<plan.cellCount {
            let quantity = plan.quantities[cell]
            if Self.startsWithSell(plan: plan, cell: cell, price: openingPrice) {
                resting.append(GridOrder(cell: cell, sequence: 0, side: .sell, price: plan.levels[cell + 1], quantity: quantity))
                let buy = openingBuy ?? (plan.levels[cell], 0)
                costs.append(Cost(price: buy.price, feeQuote: buy.feePerUnit * quantity))
            } else {
                resting.append(GridOrder(cell: cell, sequence: 0, side: .buy, price: plan.levels[cell], quantity: quantity))
                costs.append(nil)
            }
        }
        self.resting = resting
        self.costs = costs
    }

    /// The orders that should rest on the exchange now.
    public var orders: [GridOrder] { resting.compactMap { $0 } }

    /// Realised grid profit: every completed cycle, fees included.
    public var gridProfit: Decimal { cycles.reduce(0) { $0 + $1.profit } }

    /// What the holding cells would gain or lose if sold at `price` (before the sale's fee).
    public func unrealisedPnL(at price: Decimal) -> Decimal {
        (0..<plan.cellCount).reduce(0) { sum, cell in
            guard let cost = costs[cell], let sell = resting[cell], sell.side == .sell else { return sum }
            return sum + sell.quantity * (price - cost.price) - cost.feeQuote
        }
    }

    /// What the coins the grid holds cost on average (fees apart); nil when it holds none.
    public var averageCost: Decimal? {
        var quantity: Decimal = 0
        var paid: Decimal = 0
        for cell in 0..<plan.cellCount {
            guard let cost = costs[cell], let sell = resting[cell], sell.side == .sell else { continue }
            quantity += sell.quantity
            paid += sell.quantity * cost.price
        }
        return quantity > 0 ? paid / quantity : nil
    }

    /// The base the grid holds: the quantity of every cell waiting to sell.
    public var heldBase: Decimal {
        orders.filter { $0.side == .sell }.reduce(0) { $0 + $1.quantity }
    }

    /// A fill of the cell's resting order moves the cell to its opposite order, returned for the
    /// worker to place. A fill of any other order (a repeat, or one the book has moved past) is
    /// ignored and returns nil, so that replaying fills twice changes nothing.
    public mutating func apply(_ fill: GridFill) -> GridOrder? {
        guard ended == nil, plan.quantities.indices.contains(fill.cell), let order = resting[fill.cell],
            order.sequence == fill.sequence, order.side == fill.side
        else { return nil }
        let cell = fill.cell
        let next: GridOrder
        switch fill.side {
        case .buy:
            // The sell sells what the buy brought: less than ordered when the exchange took its
            // fee in the coin bought (the fill's quantity is then what is left, on the step).
            costs[cell] = Cost(price: fill.price, feeQuote: fill.feeQuote)
            next = GridOrder(cell: cell, sequence: order.sequence + 1, side: .sell, price: plan.levels[cell + 1], quantity: min(order.quantity, fill.quantity))
        case .sell:
            let cost = costs[cell] ?? Cost(price: plan.levels[cell], feeQuote: 0)
            let profit = fill.quantity * (fill.price - cost.price) - cost.feeQuote - fill.feeQuote
            cycles.append(GridCycle(cell: cell, buyPrice: cost.price, sellPrice: fill.price, quantity: fill.quantity, profit: profit))
            costs[cell] = nil
            next = GridOrder(cell: cell, sequence: order.sequence + 1, side: .buy, price: plan.levels[cell], quantity: plan.quantities[cell])
        }
        resting[cell] = next
        return next
    }

    /// Why the grid must end at this price (its stop-loss or take-profit), or nil.
    public func exitReason(at price: Decimal) -> String? {
        guard ended == nil else { return nil }
        if let stop = plan.parameters.stopLossPrice, price <= stop { return "stop-loss: the price \(price) reached \(stop)" }
        if let take = plan.parameters.takeProfitPrice, price >= take { return "take-profit: the price \(price) reached \(take)" }
        return nil
    }

    /// Ends the grid: returns the orders to cancel and the base to sell at market.
    public mutating func end(reason: String) -> (cancel: [GridOrder], sell: Decimal) {
        let cancel = orders
        let sell = heldBase
        resting = resting.map { _ in nil }
        ended = reason
        return (cancel, sell)
    }
}
