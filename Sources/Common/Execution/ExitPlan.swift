import Foundation

/// Where a position's exits go: a take-profit above and a stop-loss below the average entry,
/// from the risk settings. Both set: one sell OCO on the exchange (take-profit as `LIMIT_MAKER`,
/// the stop-loss as `STOP_LOSS`, which sells at market when triggered: a stop that is sure to sell
/// beats one that may rest unfilled below a falling price). One set: that one order alone.
///
/// A trailing stop rests as `trailingDelta` alone (no `stopPrice`: with one, Binance starts
/// tracking only once the price has fallen to it, and would sell below the stop-loss). It replaces
/// the stop-loss when it is the tighter of the two; a trailing stop wider than the stop-loss leaves
/// the fixed stop on the exchange and the trailing to the bot (``InBotExit``).
public enum ExitPlan {
    public enum Outcome: Sendable, Equatable {
        case oco(NewOCO)
        /// Only a take-profit or only a stop-loss: one order.
        case single(NewOrder)
        /// Nothing to place: no take-profit or stop-loss is set.
        case none
        /// The exits cannot be placed on the exchange; the reason says why (the bot then
        /// watches the position itself).
        case impossible(String)
    }

    /// The stop leg: a fixed stop price, or a trailing distance in BIPS.
    public struct Stop: Sendable, Equatable {
        public var price: Decimal?
        public var trailingBips: Int?
        public init(price: Decimal?, trailingBips: Int?) {
            self.price = price
            self.trailingBips = trailingBips
        }
    }

    /// The stop the exchange holds for these settings, or nil.
    public static func stop(averageEntry: Decimal, risk: BotSettings.Risk, filters: SymbolFilters) -> Stop? {
        let trailing = risk.trailingStopPct
        if trailing > 0, risk.stopLossPct == 0 || trailing <= risk.stopLossPct {
            return Stop(price: nil, trailingBips: max(1, Int((trailing * 100).rounded())))
        }
        guard risk.stopLossPct > 0 else { return nil }
        return Stop(price: filters.roundPrice(averageEntry * Decimal(1 - risk.stopLossPct / 100), side: .buy), trailingBips: nil)
    }

    /// Whether the bot itself must watch the trailing stop: set, and wider than the stop-loss that
    /// rests on the exchange in its place.
    public static func trailingStaysWithBot(_ risk: BotSettings.Risk) -> Bool {
        risk.trailingStopPct > 0 && risk.stopLossPct > 0 && risk.trailingStopPct > risk.stopLossPct
    }

    /// - Parameters:
    ///   - quantity: what the position holds, before rounding.
    ///   - key: the decision's key (the position's opening time, seconds).
    public static func oco(
        user: Int64, symbol: String, quantity: Decimal, averageEntry: Decimal, risk: BotSettings.Risk, filters: SymbolFilters, lastPrice: Decimal,
        key: Int64
    ) -> Outcome {
        let stop = stop(averageEntry: averageEntry, risk: risk, filters: filters)
        let takeProfit = risk.takeProfitPct > 0 ? filters.roundPrice(averageEntry * Decimal(1 + risk.takeProfitPct / 100), side: .sell) : nil
        let qty = filters.roundQuantity(quantity)
        let id = { (purpose: String) in ClientOrderID.make(user: user, symbol: symbol, key: key, purpose: purpose) }
        let ids = IDs(list: id("XL"), takeProfit: id("XT"), stopLoss: id("XS"))
        switch (takeProfit, stop) {
        case (nil, nil):
            return .none
        case (let takeProfit?, let stop?):
            return legs(symbol: symbol, quantity: qty, takeProfit: takeProfit, stop: stop, filters: filters, lastPrice: lastPrice, ids: ids)
        case (let takeProfit?, nil):
            if let problem = check(qty, takeProfit: takeProfit, stop: nil, filters: filters, lastPrice: lastPrice) { return .impossible(problem) }
            return .single(NewOrder(symbol: symbol, side: .sell, kind: .limitMaker(quantity: qty, price: takeProfit), clientOrderID: ids.takeProfit))
        case (nil, let stop?):
            if let problem = check(qty, takeProfit: nil, stop: stop, filters: filters, lastPrice: lastPrice) { return .impossible(problem) }
            let conditional = ConditionalOrder(trigger: .stopLoss, quantity: qty, stopPrice: stop.price, trailingDelta: stop.trailingBips)
            return .single(NewOrder(symbol: symbol, side: .sell, kind: .conditional(conditional), clientOrderID: ids.stopLoss))
        }
    }

    /// Why exits at these prices cannot rest on the exchange, or nil.
    static func check(_ qty: Decimal, takeProfit: Decimal?, stop: Stop?, filters: SymbolFilters, lastPrice: Decimal) -> String? {
        do {
            if let takeProfit { try filters.check(quantity: qty, price: takeProfit, isMarket: false) }
            if let stop { try filters.check(quantity: qty, price: stop.price ?? lastPrice, isMarket: stop.price == nil) }
        } catch {
            return "the exits cannot be placed: \(error)"
        }
        // A level the price has already passed would trigger at once: the exchange refuses it, and
        // the bot sells in its own way instead.
        if let takeProfit, takeProfit <= lastPrice { return "the price \(lastPrice) is already above the take-profit \(takeProfit)" }
        if let price = stop?.price, price >= lastPrice { return "the price \(lastPrice) is already below the stop-loss \(price)" }
        return nil
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
        symbol: String, quantity qty: Decimal, takeProfit: Decimal, stop: Stop, filters: SymbolFilters, lastPrice: Decimal, ids: IDs
    ) -> Outcome {
        if let problem = check(qty, takeProfit: takeProfit, stop: stop, filters: filters, lastPrice: lastPrice) { return .impossible(problem) }
        return .oco(
            NewOCO(
                symbol: symbol, side: .sell, quantity: qty, listClientOrderID: ids.list,
                above: .init(type: "LIMIT_MAKER", price: takeProfit, clientOrderID: ids.takeProfit),
                below: .init(type: "STOP_LOSS", stopPrice: stop.price, trailingDelta: stop.trailingBips, clientOrderID: ids.stopLoss)))
    }
}
