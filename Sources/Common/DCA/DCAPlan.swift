import Foundation

/// The safety orders of a deal, from its entry price. Safety order `k` (from 1) rests
/// `deviation × (1 + s + … + s^(k-1))` percent below the entry (`s` the step scale) and spends
/// `base × v^(k-1)` USDT (`v` the volume scale), on the symbol's tick and step.
public struct DCAPlan: Sendable, Equatable {
    public struct SafetyOrder: Sendable, Equatable {
        /// From 1.
        public let index: Int
        /// Percent below the entry.
        public let deviationPct: Decimal
        public let price: Decimal
        public let quantity: Decimal
        /// USDT it spends (before rounding the quantity down to the step).
        public let volume: Decimal
    }

    public let parameters: DCAParameters

    public init(_ parameters: DCAParameters) {
        self.parameters = parameters
    }

    public func safetyOrders(entry: Decimal, filters: SymbolFilters) -> [SafetyOrder] {
        guard parameters.safetyOrders > 0 else { return [] }
        var orders: [SafetyOrder] = []
        var deviation: Decimal = 0
        var step = parameters.deviationPct
        var volume = parameters.baseOrder
        for index in 1...parameters.safetyOrders {
            deviation += step
            let price = filters.roundPrice(entry * (1 - deviation / 100), side: .buy)
            let quantity = price > 0 ? filters.roundQuantity(volume / price) : 0
            orders.append(SafetyOrder(index: index, deviationPct: deviation, price: price, quantity: quantity, volume: volume))
            step *= parameters.stepScale
            volume *= parameters.volumeScale
        }
        return orders
    }

    /// The USDT one deal may spend: the base order and every safety order.
    public var dealBudget: Decimal {
        var total = parameters.baseOrder
        var volume = parameters.baseOrder
        for _ in 0..<max(parameters.safetyOrders, 0) {
            total += volume
            volume *= parameters.volumeScale
        }
        return total
    }

    /// The USDT the bot needs: a whole deal's budget for each deal it may have open at once.
    public var budget: Decimal { dealBudget * Decimal(max(parameters.maxActiveDeals, 1)) }

    /// Every reason the bot cannot start, checked at the current price as the entry.
    public func refusals(
        filters: SymbolFilters, price: Decimal, makerFee: Decimal, takerFee: Decimal, freeQuote: Decimal, allocation: Decimal?
    ) -> [StartRefusal] {
        let p = parameters
        var refusals = Self.parameterRefusals(p)
        // A take-profit must earn more than the entry's and the exit's fees.
        if p.takeProfitPct / 100 <= takerFee + makerFee {
            refusals.append(StartRefusal(field: "take_profit_pct", reason: "\(p.takeProfitPct) % does not exceed the fees of a deal (\((takerFee + makerFee) * 100) %)"))
        }
        guard refusals.isEmpty else { return refusals }
        let safety = safetyOrders(entry: price, filters: filters)
        if let deepest = safety.last, deepest.deviationPct >= 100 {
            refusals.append(StartRefusal(field: "step_scale", reason: "safety order \(deepest.index) would rest \(deepest.deviationPct) % below the entry; use fewer safety orders or a smaller scale"))
            return refusals
        }
        do throws(SymbolFilters.Refusal) {
            try filters.check(quantity: filters.roundQuantity(p.baseOrder / price), price: price, isMarket: true)
        } catch {
            refusals.append(StartRefusal(field: "base_order", reason: "\(error.description)"))
        }
        for order in safety {
            do throws(SymbolFilters.Refusal) {
                try filters.check(quantity: order.quantity, price: order.price, isMarket: false)
            } catch {
                refusals.append(StartRefusal(field: "base_order", reason: "safety order \(order.index) at \(order.price): \(error.description)"))
                break
            }
        }
        if let allocation, budget > allocation {
            refusals.append(StartRefusal(field: "max_active_deals", reason: "\(p.maxActiveDeals) deal(s) may need \(budget) \(filters.quoteAsset), more than the bot's allocation of \(allocation)"))
        }
        if budget > freeQuote {
            refusals.append(StartRefusal(field: "base_order", reason: "\(p.maxActiveDeals) deal(s) may need \(budget) \(filters.quoteAsset), more than the free balance of \(freeQuote)"))
        }
        return refusals
    }

    /// What the parameters alone allow (no price, filters or fees): also checked when a bot is
    /// defined.
    static func parameterRefusals(_ p: DCAParameters) -> [StartRefusal] {
        var refusals: [StartRefusal] = []
        if p.baseOrder <= 0 { refusals.append(StartRefusal(field: "base_order", reason: "must be above 0")) }
        if !DCAParameters.safetyOrderRange.contains(p.safetyOrders) {
            refusals.append(StartRefusal(field: "safety_orders", reason: "must be within \(DCAParameters.safetyOrderRange.lowerBound)...\(DCAParameters.safetyOrderRange.upperBound)"))
        }
        if p.safetyOrders > 0, p.deviationPct <= 0 { refusals.append(StartRefusal(field: "deviation_pct", reason: "must be above 0")) }
        if p.stepScale <= 0 { refusals.append(StartRefusal(field: "step_scale", reason: "must be above 0")) }
        if p.volumeScale <= 0 { refusals.append(StartRefusal(field: "volume_scale", reason: "must be above 0")) }
        if !DCAParameters.activeDealRange.contains(p.maxActiveDeals) {
            refusals.append(StartRefusal(field: "max_active_deals", reason: "must be within \(DCAParameters.activeDealRange.lowerBound)...\(DCAParameters.activeDealRange.upperBound)"))
        }
        if let stop = p.stopLossPct, stop <= 0 || stop >= 100 { refusals.append(StartRefusal(field: "stop_loss_pct", reason: "must be within 0–100 %")) }
        if let trailing = p.trailingPct, trailing <= 0 || trailing >= p.takeProfitPct {
            refusals.append(StartRefusal(field: "trailing_pct", reason: "must be above 0 and below the take-profit \(p.takeProfitPct) %"))
        }
        if case .smaCross(let fast, let slow) = p.start, !(1 <= fast && fast < slow && slow <= 1_000) {
            refusals.append(StartRefusal(field: "start_fast", reason: "the start's fast and slow SMAs must be whole numbers of candles with 1 ≤ fast < slow ≤ 1000"))
        }
        return refusals
    }
}

