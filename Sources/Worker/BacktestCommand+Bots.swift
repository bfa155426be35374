import ArgumentParser
import Common
import Foundation

extension BacktestCommand {
    /// The symbol filters of `--tick-size`, `--step-size` and `--min-notional`.
    func filters() throws -> SymbolFilters {
        guard let tick = Decimal(string: tickSize), tick > 0, let step = Decimal(string: stepSize), step > 0, let minimum = Decimal(string: minNotional), minimum >= 0 else {
            throw ValidationError("--tick-size and --step-size must be positive numbers, --min-notional a number ≥ 0")
        }
        return SymbolFilters(
            symbol: symbol, baseAsset: "BASE", quoteAsset: "QUOTE", minPrice: tick, maxPrice: 0, tickSize: tick, minQty: step, maxQty: 0, stepSize: step,
            minNotional: minimum
        )
    }

    /// A grid over the candles, through the live grid's book; refused with the live bot's reasons.
    func runGrid(_ values: [String: Double]) throws {
        let known: Set<String> = ["lower", "upper", "levels", "investment", "stop_loss", "take_profit"]
        guard Set(values.keys).isSubset(of: known) else {
            throw ValidationError("grid takes only \(known.sorted().joined(separator: ", ")); unknown: \(Set(values.keys).subtracting(known).sorted().joined(separator: ", "))")
        }
        guard let lower = values["lower"], let upper = values["upper"], let levels = values["levels"] else {
            throw ValidationError("grid needs --param lower=…, --param upper=… and --param levels=…")
        }
        guard levels == levels.rounded() else { throw ValidationError("grid's levels must be a whole number") }
        guard let spacing = GridParameters.Spacing(rawValue: gridSpacing) else { throw ValidationError("--grid-spacing must be arithmetic or geometric") }
        let filters = try filters()
        let data = try readCandles()
        let first = data[0]
        let decimal = Decimal.exactly
        let parameters = GridParameters(
            symbol: symbol, lowerPrice: decimal(lower), upperPrice: decimal(upper), levels: Int(levels), spacing: spacing,
            investment: decimal(values["investment"] ?? cash), stopLossPrice: values["stop_loss"].map(decimal), takeProfitPrice: values["take_profit"].map(decimal)
        )
        let plan: GridPlan
        switch GridPlan.make(parameters, filters: filters, price: decimal(first.open), makerFee: decimal(fee), freeQuote: parameters.investment, allocation: nil) {
        case .success(let made): plan = made
        case .failure(let refused): throw ValidationError("the grid cannot start: \(refused)")
        }
        let result = GridBacktest(fee: decimal(fee)).run(plan: plan, candles: data)
        if let csv {
            do {
                try result.summary.tradesCSV().write(toFile: csv + "-trades.csv", atomically: true, encoding: .utf8)
            } catch {
                StreamWriter.standardError.write("worker backtest: cannot write \(csv)-trades.csv: \(error)\n")
                throw ExitCode(1)
            }
        }
        StreamWriter.standardOutput.write(result.jsonText(symbol: symbol) + "\n")
    }
}

extension BacktestCommand {
    /// DCA deals over the candles, each opened at once when there is room, through the live deal.
    func runDCA(_ values: [String: Double]) throws {
        let known: Set<String> = ["base_order", "safety_orders", "deviation", "step_scale", "volume_scale", "take_profit", "trailing", "stop_loss", "max_deals"]
        guard Set(values.keys).isSubset(of: known) else {
            throw ValidationError("dca takes only \(known.sorted().joined(separator: ", ")); unknown: \(Set(values.keys).subtracting(known).sorted().joined(separator: ", "))")
        }
        guard let base = values["base_order"], let takeProfit = values["take_profit"] else {
            throw ValidationError("dca needs --param base_order=… and --param take_profit=… (percent)")
        }
        let safety = values["safety_orders"] ?? 0
        let deals = values["max_deals"] ?? 1
        guard safety == safety.rounded(), deals == deals.rounded() else { throw ValidationError("dca's safety_orders and max_deals must be whole numbers") }
        let filters = try filters()
        let data = try readCandles()
        let decimal = Decimal.exactly
        let parameters = DCAParameters(
            symbol: symbol, baseOrder: decimal(base), safetyOrders: Int(safety), deviationPct: decimal(values["deviation"] ?? 1),
            stepScale: decimal(values["step_scale"] ?? 1), volumeScale: decimal(values["volume_scale"] ?? 1), takeProfitPct: decimal(takeProfit),
            trailingPct: values["trailing"].map(decimal), stopLossPct: values["stop_loss"].map(decimal), maxActiveDeals: Int(deals)
        )
        let plan = DCAPlan(parameters)
        let refusals = plan.refusals(
            filters: filters, price: decimal(data[0].open), makerFee: decimal(fee), takerFee: decimal(fee), freeQuote: plan.budget, allocation: nil
        )
        guard refusals.isEmpty else { throw ValidationError("the DCA bot cannot start: \(refusals.map(\.description).joined(separator: "; "))") }
        let result = DCABacktest(fee: decimal(fee)).run(plan: plan, filters: filters, candles: data)
        StreamWriter.standardOutput.write(result.jsonText(symbol: symbol) + "\n")
    }
}
