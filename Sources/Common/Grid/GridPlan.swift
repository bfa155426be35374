import Foundation

/// A grid's levels and the quantity of each cell, on the symbol's ticks and steps. Built only
/// through ``GridPlan/make(_:filters:price:makerFee:freeQuote:allocation:)``, which refuses a grid
/// that could not work before a single order is sent.
public struct GridPlan: Sendable, Equatable {
    public let parameters: GridParameters
    /// The level prices, lowest first, each a multiple of the tick.
    public let levels: [Decimal]
    /// The base quantity of cell `i` (bought at `levels[i]`, sold at `levels[i + 1]`): the
    /// same USDT for every cell, on the step.
    public let quantities: [Decimal]

    public var cellCount: Int { levels.count - 1 }

    /// The level prices for the parameters, on the tick (rounded down). Geometric levels are
    /// computed in binary floating point and then put on the tick, which is far finer than the
    /// error.
    public static func levelPrices(_ parameters: GridParameters, tickSize: Decimal) -> [Decimal] {
        let n = parameters.levels
        let lower = parameters.lowerPrice
        let upper = parameters.upperPrice
        return (0..<n).map { i in
            let raw: Decimal
            if i == 0 {
                raw = lower
            } else if i == n - 1 {
                raw = upper
            } else {
                switch parameters.spacing {
                case .arithmetic:
                    raw = lower + (upper - lower) * Decimal(i) / Decimal(n - 1)
                case .geometric:
                    let ratio = pow((upper / lower).double, Double(i) / Double(n - 1))
                    raw = Decimal(string: String(lower.double * ratio)) ?? lower
                }
            }
            return SymbolFilters.floor(raw, step: tickSize)
        }
    }

    /// Checks everything that can be known before the start, in the order a user would fix it:
    /// the parameters themselves, the levels on the symbol's tick, the profit of a cycle against
    /// the fees, each order against the exchange's filters, the price inside the range, and the
    /// money. Every refusal is returned, not only the first.
    public static func make(
        _ parameters: GridParameters, filters: SymbolFilters, price: Decimal, makerFee: Decimal, freeQuote: Decimal, allocation: Decimal?
    ) -> Result<GridPlan, GridRefusals> {
        var refusals = parameterRefusals(parameters)
        guard refusals.isEmpty else { return .failure(GridRefusals(refusals)) }
        let levels = levelPrices(parameters, tickSize: filters.tickSize)
        if levels[0] <= 0 {
            return .failure(GridRefusals([StartRefusal(field: "lower_price", reason: "\(parameters.lowerPrice) is below the tick \(filters.tickSize)")]))
        }
        if Set(levels).count != levels.count {
            return .failure(GridRefusals([StartRefusal(field: "levels", reason: "\(parameters.levels) levels between \(parameters.lowerPrice) and \(parameters.upperPrice) are closer than the tick \(filters.tickSize); use fewer levels or a wider range")]))
        }
        // The narrowest cell (the top one when arithmetic; all alike when geometric) must earn
        // more than the two fees of its cycle.
        var narrowest = Decimal.greatestFiniteMagnitude
        for cell in 0..<(levels.count - 1) {
            let gain: Decimal = (levels[cell + 1] - levels[cell]) / levels[cell]
            narrowest = min(narrowest, gain)
        }
        if narrowest <= 2 * makerFee {
            refusals.append(StartRefusal(field: "levels", reason: "a cycle earns \(percent(narrowest)) before fees, which does not exceed twice the fee (\(percent(2 * makerFee))); use fewer levels or a wider range"))
        }
        let perCell = parameters.investment / Decimal(levels.count - 1)
        let quantities = (0..<(levels.count - 1)).map { filters.roundQuantity(perCell / levels[$0]) }
        for cell in 0..<quantities.count {
            do throws(SymbolFilters.Refusal) {
                try filters.check(quantity: quantities[cell], price: levels[cell], isMarket: false)
                try filters.check(quantity: quantities[cell], price: levels[cell + 1], isMarket: false)
            } catch {
                refusals.append(StartRefusal(field: "investment", reason: "each level's order would be \(quantities[cell]) \(filters.baseAsset) at \(levels[cell]): \(error.description); invest more or use fewer levels"))
                break
            }
        }
        if !parameters.trailing, !(levels[0] < price && price < levels[levels.count - 1]) {
            refusals.append(StartRefusal(field: "lower_price", reason: "the price \(price) is outside the range \(levels[0])–\(levels[levels.count - 1]); move the range or turn on trailing"))
        }
        if let allocation, parameters.investment > allocation {
            refusals.append(StartRefusal(field: "investment", reason: "\(parameters.investment) \(filters.quoteAsset) is more than the bot's allocation of \(allocation)"))
        }
        if parameters.investment > freeQuote {
            refusals.append(StartRefusal(field: "investment", reason: "\(parameters.investment) \(filters.quoteAsset) is more than the free balance of \(freeQuote)"))
        }
        guard refusals.isEmpty else { return .failure(GridRefusals(refusals)) }
        return .success(GridPlan(parameters: parameters, levels: levels, quantities: quantities))
    }

    static func parameterRefusals(_ p: GridParameters) -> [StartRefusal] {
        var refusals: [StartRefusal] = []
        if p.lowerPrice <= 0 { refusals.append(StartRefusal(field: "lower_price", reason: "must be above 0")) }
        if p.upperPrice <= p.lowerPrice { refusals.append(StartRefusal(field: "upper_price", reason: "must be above the lower price \(p.lowerPrice)")) }
        if !GridParameters.levelRange.contains(p.levels) {
            refusals.append(StartRefusal(field: "levels", reason: "must be within \(GridParameters.levelRange.lowerBound)...\(GridParameters.levelRange.upperBound)"))
        }
        if p.investment <= 0 { refusals.append(StartRefusal(field: "investment", reason: "must be above 0")) }
        if let stop = p.stopLossPrice, stop <= 0 || stop >= p.lowerPrice {
            refusals.append(StartRefusal(field: "stop_loss_price", reason: "must be above 0 and below the lower price \(p.lowerPrice)"))
        }
        if let take = p.takeProfitPrice, take <= p.upperPrice {
            refusals.append(StartRefusal(field: "take_profit_price", reason: "must be above the upper price \(p.upperPrice)"))
        }
        return refusals
    }

    static func percent(_ fraction: Decimal) -> String {
        SymbolFilters.round(fraction * 100, step: Decimal(string: "0.001")!, .plain).description + " %"
    }
}

/// Every reason a grid cannot start.
public struct GridRefusals: Error, Sendable, Equatable, CustomStringConvertible {
    public let refusals: [StartRefusal]

    public init(_ refusals: [StartRefusal]) {
        self.refusals = refusals
    }

    public var description: String { refusals.map(\.description).joined(separator: "; ") }
}
