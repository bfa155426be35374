import Foundation

/// The risk limits' answer to an intended entry: allow it, refuse it with the reason, or reduce
/// it to a size the limits and the balance allow. Pure: everything it weighs is handed in.
public struct RiskCheck: Sendable, Equatable {
    /// What the limits weigh, at the moment of the decision.
    public struct Context: Sendable, Equatable {
        public var now: Date
        public var price: Decimal
        public var filters: SymbolFilters
        /// The account's value in USDT; nil while it is not known.
        public var equityUSDT: Decimal?
        public var freeUSDT: Decimal
        public var openPositions: Int
        public var todayPnL: Decimal
        public var cooldownUntil: Date?
        public var hasActivePosition: Bool

        public init(
            now: Date, price: Decimal, filters: SymbolFilters, equityUSDT: Decimal?, freeUSDT: Decimal, openPositions: Int, todayPnL: Decimal,
            cooldownUntil: Date? = nil, hasActivePosition: Bool = false
        ) {
            self.now = now
            self.price = price
            self.filters = filters
            self.equityUSDT = equityUSDT
            self.freeUSDT = freeUSDT
            self.openPositions = openPositions
            self.todayPnL = todayPnL
            self.cooldownUntil = cooldownUntil
            self.hasActivePosition = hasActivePosition
        }
    }

    public enum Decision: Sendable, Equatable {
        case allow(quantity: Decimal)
        case reduce(quantity: Decimal, reason: String)
        case refuse(String)

        /// The quantity to send, if any.
        public var quantity: Decimal? {
            switch self {
            case .allow(let quantity), .reduce(let quantity, _): quantity
            case .refuse: nil
            }
        }
    }

    public var limits: BotSettings.Risk

    public init(limits: BotSettings.Risk) { self.limits = limits }

    /// Sizes an entry: the smaller of `max_position_pct` of equity and `max_position_usdt`, then
    /// what the free USDT pays for with room for fees and slippage (0.2 %), rounded down to the
    /// step. `requested` (a person's or a strategy's own size) is reduced to that, never raised.
    public func entry(_ context: Context, requested: Decimal? = nil) -> Decision {
        let filters = context.filters
        if context.hasActivePosition { return .refuse("a position is already open") }
        if let until = context.cooldownUntil, until > context.now {
            return .refuse("cooldown after a stop-loss until \(Timestamp.string(until))")
        }
        if context.openPositions >= limits.maxOpenPositions {
            return .refuse("maximum open positions (\(limits.maxOpenPositions)) reached")
        }
        if limits.dailyLossLimitUsdt > 0, context.todayPnL <= -limits.dailyLossLimitUsdt {
            return .refuse("daily loss limit reached (today \(DecimalText.format(context.todayPnL, places: 2)) USDT); no new entries until tomorrow")
        }
        guard let equity = context.equityUSDT else { return .refuse("the portfolio is not known yet") }
        guard context.price > 0 else { return .refuse("no price") }
        let byLimits = min(equity * Decimal(limits.maxPositionPct) / 100, limits.maxPositionUsdt)
        let budget = min(byLimits, context.freeUSDT * Decimal(string: "0.995")!)
        let allowed = filters.roundQuantity(budget / (context.price * Decimal(string: "1.002")!))
        guard allowed > 0, allowed >= filters.minQty, allowed * context.price >= filters.minNotional else {
            return .refuse(
                "too little balance: \(DecimalText.format(context.freeUSDT, places: 2)) USDT free allows no order above the minimum of \(filters.minNotional) USDT")
        }
        guard let requested else { return .allow(quantity: allowed) }
        let asked = filters.roundQuantity(requested)
        if asked <= allowed { return .allow(quantity: asked) }
        let why = budget < byLimits ? "the free balance" : "the position limits"
        return .reduce(quantity: allowed, reason: "reduced from \(asked) to \(allowed): \(why) allow no more")
    }
}
