import Foundation

/// A buy of a deal as the exchange filled it. `feeQuote` is the fee valued in the quote asset;
/// `baseFee` the part of it taken from the coins bought (they are not there to sell).
public struct DCAFill: Sendable, Equatable {
    public let price: Decimal
    public let quantity: Decimal
    public let feeQuote: Decimal
    public let baseFee: Decimal

    public init(price: Decimal, quantity: Decimal, feeQuote: Decimal, baseFee: Decimal = 0) {
        self.price = price
        self.quantity = quantity
        self.feeQuote = feeQuote
        self.baseFee = baseFee
    }
}

/// What a deal asks the worker to do.
public enum DCAAction: Sendable, Equatable {
    case buyAtMarket(quoteQuantity: Decimal)
    case placeSafety(DCAPlan.SafetyOrder)
    case cancelSafety(index: Int)
    /// The `sequence`-th take-profit of the deal (one more after every safety fill).
    case placeTakeProfit(sequence: Int, price: Decimal, quantity: Decimal)
    case cancelTakeProfit(sequence: Int)
    case sellAtMarket(quantity: Decimal, reason: String)
}

/// One DCA deal from its base order to its exit: the average entry, the safety orders resting
/// below it, and the take-profit re-placed at every new average.
public struct DCADeal: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// The base order is on its way.
        case opening
        case open
        case closed(reason: String, pnl: Decimal)
    }

    public let plan: DCAPlan
    public let filters: SymbolFilters
    public private(set) var phase: Phase = .opening
    public private(set) var entryPrice: Decimal?
    /// Base bought (before fees) and its price, summed: the average entry is their ratio.
    public private(set) var boughtQuantity: Decimal = 0
    var boughtValue: Decimal = 0
    /// Base held to sell (after fees taken in base).
    public private(set) var heldQuantity: Decimal = 0
    public private(set) var feesQuote: Decimal = 0
    public private(set) var safetyOrders: [DCAPlan.SafetyOrder] = []
    public private(set) var safetyFilled = 0
    public private(set) var takeProfitSequence = 0
    public private(set) var takeProfitPrice: Decimal?
    /// The highest price since the take-profit was reached, when it trails.
    public private(set) var peak: Decimal?
    /// Why the deal is being sold at market, once it is.
    public private(set) var exiting: String?

    public init(plan: DCAPlan, filters: SymbolFilters) {
        self.plan = plan
        self.filters = filters
    }

    /// The deal's first step: the base order.
    public var opening: DCAAction { .buyAtMarket(quoteQuantity: plan.parameters.baseOrder) }

    public var averageEntry: Decimal? { boughtQuantity > 0 ? boughtValue / boughtQuantity : nil }

    /// The base order filled: the safety orders go out below its price, and the take-profit above.
    public mutating func baseFilled(_ fill: DCAFill) -> [DCAAction] {
        guard phase == .opening else { return [] }
        phase = .open
        entryPrice = fill.price
        record(fill)
        safetyOrders = plan.safetyOrders(entry: fill.price, filters: filters)
        return safetyOrders.map { .placeSafety($0) } + placeTakeProfit()
    }

    /// A safety order filled: the average moves down and the take-profit with it.
    public mutating func safetyFilled(index: Int, _ fill: DCAFill) -> [DCAAction] {
        guard phase == .open, index == safetyFilled + 1, index <= safetyOrders.count else { return [] }
        safetyFilled = index
        record(fill)
        var actions: [DCAAction] = []
        if takeProfitPrice != nil, plan.parameters.trailingPct == nil { actions.append(.cancelTakeProfit(sequence: takeProfitSequence)) }
        takeProfitSequence += 1
        return actions + placeTakeProfit()
    }

    /// The take-profit (or a sale at market) filled: the deal closes with its PnL, fees included.
    public mutating func exitFilled(price: Decimal, quantity: Decimal, feeQuote: Decimal, reason: String) -> [DCAAction] {
        guard phase == .open else { return [] }
        let pnl = quantity * price - boughtValue - feesQuote - feeQuote
        phase = .closed(reason: reason, pnl: pnl)
        heldQuantity = 0
        // After a sale at market the safety orders were cancelled with it.
        guard exiting == nil else { return [] }
        return (safetyFilled..<safetyOrders.count).map { .cancelSafety(index: safetyOrders[$0].index) }
    }

    /// What the price asks for: the stop-loss, or the trailing take-profit's sale.
    public mutating func onPrice(_ price: Decimal) -> [DCAAction] {
        guard phase == .open, exiting == nil, let average = averageEntry else { return [] }
        if let stop = plan.parameters.stopLossPct, price <= average * (1 - stop / 100) {
            return exitActions(reason: "stop-loss: \(price) is \(stop) % below the average \(average)")
        }
        guard let trailing = plan.parameters.trailingPct, let target = takeProfitPrice else { return [] }
        if price >= target { peak = max(peak ?? price, price) }
        if let peak, price <= peak * (1 - trailing / 100) {
            return exitActions(reason: "trailing take-profit: \(price) is \(trailing) % below the peak \(peak)")
        }
        return []
    }

    /// The bot stops: the deal's resting orders are cancelled and, when `sell`, what it holds is
    /// sold at market (the deal then closes with that sale). Without a sale the deal keeps its coins.
    public mutating func stop(sell: Bool, reason: String) -> [DCAAction] {
        guard phase == .open, exiting == nil else { return [] }
        if sell, heldQuantity > 0 { return exitActions(reason: reason) }
        exiting = reason
        var actions: [DCAAction] = (safetyFilled..<safetyOrders.count).map { .cancelSafety(index: safetyOrders[$0].index) }
        if plan.parameters.trailingPct == nil { actions.append(.cancelTakeProfit(sequence: takeProfitSequence)) }
        return actions
    }

    private mutating func record(_ fill: DCAFill) {
        boughtQuantity += fill.quantity
        boughtValue += fill.quantity * fill.price
        heldQuantity += fill.quantity - fill.baseFee
        feesQuote += fill.feeQuote
    }

    /// The take-profit at the current average: a limit sell resting on the exchange, or, when it
    /// trails, a price the bot watches.
    private mutating func placeTakeProfit() -> [DCAAction] {
        guard let average = averageEntry else { return [] }
        let price = filters.roundPrice(average * (1 + plan.parameters.takeProfitPct / 100), side: .sell)
        takeProfitPrice = price
        guard plan.parameters.trailingPct == nil else { return [] }
        return [.placeTakeProfit(sequence: takeProfitSequence, price: price, quantity: filters.roundQuantity(heldQuantity))]
    }

    private mutating func exitActions(reason: String) -> [DCAAction] {
        exiting = reason
        var actions: [DCAAction] = (safetyFilled..<safetyOrders.count).map { .cancelSafety(index: safetyOrders[$0].index) }
        if plan.parameters.trailingPct == nil { actions.append(.cancelTakeProfit(sequence: takeProfitSequence)) }
        actions.append(.sellAtMarket(quantity: filters.roundQuantity(heldQuantity), reason: reason))
        return actions
    }
}
