import Foundation

/// Where a position's exits go: a take-profit above and a stop-loss below the average entry,
/// from the risk settings, as one sell OCO on the exchange (take-profit as `LIMIT_MAKER`, the
/// stop-loss as `STOP_LOSS`, which sells at market when triggered: a stop that is sure to sell
/// beats one that may rest unfilled below a falling price). A trailing stop rides on the
/// stop-loss leg as `trailingDelta`.
public enum ExitPlan {
    public enum Outcome: Sendable, Equatable {
        case oco(NewOCO)
        /// Nothing to place: no take-profit or stop-loss is set.
        case none
        /// The exits cannot be placed on the exchange; the reason says why (the bot then
        /// watches the position itself).
        case impossible(String)
    }

    /// - Parameters:
    ///   - quantity: what the position holds and the account has free, before rounding.
    ///   - keyOf: the decision's key (the position's opening time, seconds).
    public static func oco(
        user: Int64, symbol: String, quantity: Decimal, averageEntry: Decimal, risk: BotSettings.Risk, filters: SymbolFilters, lastPrice: Decimal,
        key: Int64
    ) -> Outcome {
        let stopPct = risk.stopLossPct > 0 ? risk.stopLossPct : risk.trailingStopPct
        guard risk.takeProfitPct > 0 || stopPct > 0 else { return .none }
        guard risk.takeProfitPct > 0, stopPct > 0 else {
            return .impossible("an OCO needs both a take-profit and a stop-loss (or trailing stop); set both, or use exits: in_bot")
        }
        let qty = filters.roundQuantity(quantity)
        let takeProfit = filters.roundPrice(averageEntry * Decimal(1 + risk.takeProfitPct / 100), side: .sell)
        let stop = filters.roundPrice(averageEntry * Decimal(1 - stopPct / 100), side: .buy)
        let id = { (purpose: String) in ClientOrderID.make(user: user, symbol: symbol, key: key, purpose: purpose) }
        return legs(
            symbol: symbol, quantity: qty, takeProfit: takeProfit, stopLoss: stop,
            trailingBips: risk.trailingStopPct > 0 ? Int((risk.trailingStopPct * 100).rounded()) : nil, filters: filters, lastPrice: lastPrice,
            ids: IDs(list: id("XL"), takeProfit: id("XT"), stopLoss: id("XS")))
    }

    /// The client ids of an exit pair: the list's and each leg's.
    public struct IDs: Sendable, Equatable {
        public var list: String
        public var takeProfit: String
        public var stopLoss: String
        public init(list: String, takeProfit: String, stopLoss: String) {
            self.list = list
            self.takeProfit = takeProfit
            self.stopLoss = stopLoss
        }

        /// A manual order's exits: its client id with `-ML`, `-MT`, `-MS` for its `-M`.
        public static func manual(_ clientOrderID: String) -> IDs {
            let base = clientOrderID.hasSuffix("-M") ? clientOrderID.dropLast(2) : Substring(clientOrderID)
            let stem = String(base.prefix(ClientOrderID.maxLength - 3))
            return IDs(list: stem + "-ML", takeProfit: stem + "-MT", stopLoss: stem + "-MS")
        }
    }

    /// An OCO at given prices (a manual order's exits, or the risk settings' above).
    public static func legs(
        symbol: String, quantity qty: Decimal, takeProfit: Decimal, stopLoss: Decimal, trailingBips: Int?, filters: SymbolFilters, lastPrice: Decimal,
        ids: IDs
    ) -> Outcome {
        do {
            try filters.check(quantity: qty, price: stopLoss, isMarket: false)
            try filters.check(quantity: qty, price: takeProfit, isMarket: false)
        } catch {
            return .impossible("the exits cannot be placed: \(error)")
        }
        // A leg the price has already passed would trigger at once: the exchange refuses it, and
        // the bot sells in its own way instead.
        guard takeProfit > lastPrice else { return .impossible("the price \(lastPrice) is already above the take-profit \(takeProfit)") }
        guard stopLoss < lastPrice else { return .impossible("the price \(lastPrice) is already below the stop-loss \(stopLoss)") }
        return .oco(
            NewOCO(
                symbol: symbol, side: .sell, quantity: qty, listClientOrderID: ids.list,
                above: .init(type: "LIMIT_MAKER", price: takeProfit, clientOrderID: ids.takeProfit),
                below: .init(type: "STOP_LOSS", stopPrice: stopLoss, trailingDelta: trailingBips, clientOrderID: ids.stopLoss)))
    }
}
