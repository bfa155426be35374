import ArgumentParser
import Common
import Foundation

extension BacktestCommand {
    /// The symbol filters of `--tick-size`, `--step-size` and `--min-notional`.
    func filters() throws -> SymbolFilters {
        try Self.filters(symbol: symbol, tickSize: tickSize, stepSize: stepSize, minNotional: minNotional)
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
        guard ["off", "up"].contains(gridTrail) else { throw ValidationError("--grid-trail must be off or up") }
        let filters = try filters()
        let data = try readCandles()
        let first = data[0]
        let decimal = Decimal.exactly
        let parameters = GridParameters(
            symbol: symbol, lowerPrice: decimal(lower), upperPrice: decimal(upper), levels: Int(levels), spacing: spacing,
            investment: decimal(values["investment"] ?? cash), stopLossPrice: values["stop_loss"].map(decimal), takeProfitPrice: values["take_profit"].map(decimal),
            trailing: gridTrail == "up"
        )
        let plan: GridPlan
        switch GridPlan.make(parameters, filters: filters, price: decimal(first.open), makerFee: decimal(fee), freeQuote: parameters.investment, allocation: nil) {
        case .success(let made): plan = made
        case .failure(let refused): throw ValidationError("the grid cannot start: \(refused)")
        }
        let result = GridBacktest(fee: decimal(fee)).run(plan: plan, candles: data, filters: filters)
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
    /// DCA deals over the candles, each opened when there is room (at once, or on the start
    /// strategy's buy signal), through the live deal; the parameters read as a bot's are.
    func runDCA(_ texts: [String: String]) throws {
        let known = Set(BotParameters.dcaKeys)
        guard Set(texts.keys).isSubset(of: known) else {
            throw ValidationError("dca takes only \(known.sorted().joined(separator: ", ")); unknown: \(Set(texts.keys).subtracting(known).sorted().joined(separator: ", "))")
        }
        let parameters: DCAParameters
        do {
            guard case .dca(let read) = try BotParameters.parse(name: "dca", symbol: symbol, investment: 0, purpose: "backtest", value: { texts[$0] }) else {
                throw ValidationError("dca parameters expected")
            }
            parameters = read
        } catch let error as SettingsError {
            throw ValidationError("--param \(error.field.replacingOccurrences(of: "strategy.params.", with: "")) \(error.problem)")
        }
        let filters = try filters()
        let data = try readCandles()
        let decimal = Decimal.exactly
        let plan = DCAPlan(parameters)
        let refusals = plan.refusals(
            filters: filters, price: decimal(data[0].open), makerFee: decimal(fee), takerFee: decimal(fee), freeQuote: plan.budget, allocation: nil
        )
        guard refusals.isEmpty else { throw ValidationError("the DCA bot cannot start: \(refusals.map(\.description).joined(separator: "; "))") }
        let result = DCABacktest(fee: decimal(fee)).run(plan: plan, filters: filters, candles: data)
        StreamWriter.standardOutput.write(result.jsonText(symbol: symbol) + "\n")
    }
}
