import Foundation

/// How an entry is sent: at market, or as a limit buy below the best price that is cancelled
/// or re-priced when it has not filled in time.
public enum EntryPlan {
    public static func order(
        symbol: String, quantity: Decimal, bestPrice: Decimal, execution: BotSettings.Execution, filters: SymbolFilters, clientOrderID: String
    ) -> NewOrder {
        switch execution.entry {
        case .market:
            return NewOrder(symbol: symbol, side: .buy, kind: .market(quantity: quantity), clientOrderID: clientOrderID)
        case .limit:
            let price = filters.roundPrice(bestPrice * Decimal(1 - execution.entryOffsetPct / 100), side: .buy)
            return NewOrder(symbol: symbol, side: .buy, kind: .limit(quantity: quantity, price: price, timeInForce: "GTC"), clientOrderID: clientOrderID)
        }
    }

    /// What to do with a resting limit entry.
    public enum TimeoutDecision: Sendable, Equatable {
        case wait
        case cancel(reason: String)
        /// Cancel it and place the rest at this price (cancel-replace).
        case reprice(price: Decimal)
    }

    /// A limit entry older than the timeout is cancelled, or re-priced to the offset below the
    /// current best price when that moved up by at least a tick; a re-priced order counts from
    /// its own placement.
    public static func onTimeout(
        placedAt: Date, now: Date, currentLimit: Decimal, bestPrice: Decimal, execution: BotSettings.Execution, filters: SymbolFilters
    ) -> TimeoutDecision {
        guard now.timeIntervalSince(placedAt) >= TimeInterval(execution.entryTimeoutSeconds) else { return .wait }
        switch execution.entryTimeoutAction {
        case .cancel:
            return .cancel(reason: "not filled within \(execution.entryTimeoutSeconds) s")
        case .reprice:
            let price = filters.roundPrice(bestPrice * Decimal(1 - execution.entryOffsetPct / 100), side: .buy)
            guard price != currentLimit else { return .wait }
            return .reprice(price: price)
        }
    }
}

/// The exits the bot watches itself (`exits: in_bot`, or when the exchange's could not be
/// placed): stop-loss, take-profit and trailing stop from the average entry and the peak.
public enum InBotExit: Sendable, Equatable {
    case stopLoss
    case takeProfit
    case trailingStop

    /// The client order id's purpose letter.
    public var purpose: String {
        switch self {
        case .stopLoss: "L"
        case .takeProfit: "P"
        case .trailingStop: "T"
        }
    }

    public static func decide(price: Decimal, averageEntry: Decimal, peak: Decimal, risk: BotSettings.Risk) -> InBotExit? {
        if risk.stopLossPct > 0, price <= averageEntry * Decimal(1 - risk.stopLossPct / 100) { return .stopLoss }
        if risk.takeProfitPct > 0, price >= averageEntry * Decimal(1 + risk.takeProfitPct / 100) { return .takeProfit }
        if risk.trailingStopPct > 0, price <= peak * Decimal(1 - risk.trailingStopPct / 100) { return .trailingStop }
        return nil
    }
}
