import Foundation

/// What an optimisation maximises, read from a backtest's metrics; nil where the metric is
/// undefined (such a set ranks below every set that has a figure).
public enum Objective: String, Sendable, CaseIterable, Codable {
    case sharpe, sortino, calmar
    case totalReturn = "total_return"
    case profitFactor = "profit_factor"

    public func value(_ m: Backtest.Metrics) -> Double? {
        let value: Double? =
            switch self {
            case .sharpe: m.sharpe
            case .sortino: m.sortino
            case .calmar: m.calmar
            case .totalReturn: m.totalReturn
            case .profitFactor: m.profitFactor
            }
        return value.flatMap { $0.isFinite ? $0 : nil }
    }

    /// When the metric has a figure at all.
    public var requirement: String {
        switch self {
        case .sharpe, .sortino: "\(rawValue) needs at least two days of candles (it is read from daily returns) that vary"
        case .calmar: "calmar needs at least a day of candles and a drawdown"
        case .totalReturn: "total_return always has a figure"
        case .profitFactor: "profit_factor needs at least one losing trade"
        }
    }

    public static func parse(_ text: String) throws(ResearchError) -> Objective {
        guard let objective = Objective(rawValue: text) else {
            throw ResearchError("--objective must be one of \(allCases.map(\.rawValue).joined(separator: ", ")); not \(text)")
        }
        return objective
    }
}

/// A rule a set of parameters must keep, said as a user reads it (`fast < slow`).
public struct Constraint: Sendable {
    public let text: String
    let holds: @Sendable (ParameterSet) -> Bool
}

/// What the backtests of an optimisation share: the fee, the starting cash, the symbol and its
/// filters (a grid's and a DCA bot's plans are checked against them), and the parameters given
/// as fixed texts (`--param`, such as a grid's spacing or a DCA bot's start).
public struct ResearchContext: Sendable {
    public var symbol: String
    public var fee: Double
    public var cash: Double
    public var filters: SymbolFilters?
    public var fixed: [String: String]

    public init(symbol: String, fee: Double = 0.001, cash: Double = 10_000, filters: SymbolFilters? = nil, fixed: [String: String] = [:]) {
        self.symbol = symbol
        self.fee = fee
        self.cash = cash
        self.filters = filters
        self.fixed = fixed
    }
}

/// A strategy as research sees it: the parameters it declares with their bounds, the constraints
/// between them, and a backtest of one set over a window of candles (the candles before the
/// window only warm its indicators up). Every strategy of the project is here.
public struct ResearchStrategy: Sendable {
    public let name: String
    public let parameters: [ParameterBounds]
    public let constraints: [Constraint]
    /// The set's values (fixed texts read as numbers, then the searched values) over the window.
    let backtest: @Sendable (ParameterSet, [StrategyCandle], Range<Int>) -> Result<Backtest.Result, ResearchError>
    /// The candles a set's indicators need before its first signal.
    let warmUp: @Sendable (ParameterSet) -> Int

    public static let names = ["sma_cross", "ml", "grid", "dca"]

    /// The fixed parameters that are numbers, by name.
    static func numbers(_ context: ResearchContext) -> ParameterSet {
        context.fixed.compactMapValues { Double($0.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil } }
    }

    /// The first constraint the set breaks, nil when it keeps them all.
    public func broken(_ set: ParameterSet) -> Constraint? {
        constraints.first { !$0.holds(set) }
    }

    public func run(_ set: ParameterSet, candles: [StrategyCandle], window: Range<Int>) -> Result<Backtest.Result, ResearchError> {
        if let broken = broken(set) { return .failure(ResearchError("breaks \(broken.text)")) }
        return backtest(set, candles, window)
    }

    public static func named(_ name: String, context: ResearchContext) throws(ResearchError) -> ResearchStrategy {
        switch name {
        case "sma_cross": return smaCross(context)
        case "ml": return ml(context)
        case "grid": return try bot("grid", context)
        case "dca": return try bot("dca", context)
        default: throw ResearchError("--strategy must be one of \(names.joined(separator: ", ")); not \(name)")
        }
    }

    /// A trading strategy's backtest over the window, its warm-up read from the candles before.
    static func signals<S: TradingStrategy>(_ strategy: S, _ candles: [StrategyCandle], _ window: Range<Int>, fee: Double, cash: Double) -> Backtest.Result {
        let warm = max(0, window.lowerBound - strategy.warmUp)
        let slice = warm == 0 && window.upperBound == candles.count ? candles : Array(candles[warm..<window.upperBound])
        return Backtest(fee: fee, cash: cash).run(slice, strategy: strategy, from: window.lowerBound - warm)
    }

    static func smaCross(_ context: ResearchContext) -> ResearchStrategy {
        let fixed = numbers(context)
        @Sendable func value(_ set: ParameterSet, _ key: String, _ fallback: Double) -> Int { Int(set[key] ?? fixed[key] ?? fallback) }
        return ResearchStrategy(
            name: "sma_cross",
            parameters: [ParameterBounds("fast", 1, 1_000, whole: true), ParameterBounds("slow", 2, 5_000, whole: true)],
            constraints: [Constraint(text: "fast < slow") { value($0, "fast", 9) < value($0, "slow", 21) }],
            backtest: { set, candles, window in
                let strategy = SMACross(fast: value(set, "fast", 9), slow: value(set, "slow", 21))
                return .success(signals(strategy, candles, window, fee: context.fee, cash: context.cash))
            },
            warmUp: { value($0, "slow", 21) + 1 }
        )
    }

    static func ml(_ context: ResearchContext) -> ResearchStrategy {
        let fixed = numbers(context)
        @Sendable func settings(_ set: ParameterSet) -> Result<MLStrategy.Settings, ResearchError> {
            var params = fixed.merging(set) { $1 }
            if params["fee"] == nil { params["fee"] = context.fee }
            do {
                return .success(try MLStrategy.Settings(params: params))
            } catch {
                return .failure(ResearchError("\(error)"))
            }
        }
        @Sendable func value(_ set: ParameterSet, _ key: String, _ fallback: Double) -> Double { set[key] ?? fixed[key] ?? fallback }
        return ResearchStrategy(
            name: "ml",
            parameters: [
                ParameterBounds("training_window", 100, 100_000, whole: true), ParameterBounds("retrain_every", 1, 100_000, whole: true),
                ParameterBounds("trees", 1, 500, whole: true), ParameterBounds("depth", 1, 32, whole: true), ParameterBounds("horizon", 1, 1_000, whole: true),
            ],
            constraints: [
                Constraint(text: "horizon < training_window") { value($0, "horizon", 12) < value($0, "training_window", 5_000) },
                Constraint(text: "retrain_every ≤ training_window") { value($0, "retrain_every", 1_000) <= value($0, "training_window", 5_000) },
            ],
            backtest: { set, candles, window in
                settings(set).map { signals(MLStrategy(settings: $0), candles, window, fee: context.fee, cash: context.cash) }
            },
            warmUp: { (try? settings($0).get()).map { MLStrategy(settings: $0).warmUp } ?? 0 }
        )
    }

    /// A grid or DCA bot: the set (with the fixed texts) read as the bot's parameters are, its plan
    /// checked on the window's first open as a start would be; a refused plan is the set's result.
    static func bot(_ name: String, _ context: ResearchContext) throws(ResearchError) -> ResearchStrategy {
        guard let filters = context.filters else { throw ResearchError("\(name) needs the symbol's filters (tick size, step size, smallest order)") }
        let fee = Decimal.exactly(context.fee)
        let fixed = numbers(context)
        @Sendable func value(_ set: ParameterSet, _ key: String) -> Double? { set[key] ?? fixed[key] }
        @Sendable func parameters(_ set: ParameterSet) -> Result<BotParameters, ResearchError> {
            var texts = context.fixed
            for (key, number) in set { texts[key] = ParameterRange.text(number) }
            do {
                return .success(
                    try BotParameters.parse(name: name, symbol: context.symbol, investment: Decimal.exactly(context.cash), purpose: "backtest") { texts[$0] })
            } catch {
                return .failure(ResearchError("--param \(error.field.replacingOccurrences(of: "strategy.params.", with: "")) \(error.problem)"))
            }
        }
        let backtest: @Sendable (ParameterSet, [StrategyCandle], Range<Int>) -> Result<Backtest.Result, ResearchError> = { set, candles, window in
            guard !window.isEmpty else { return .failure(ResearchError("an empty window")) }
            let slice = Array(candles[window])
            let price = Decimal.exactly(slice[0].open)
            switch parameters(set) {
            case .failure(let error): return .failure(error)
            case .success(.grid(let p)):
                switch GridPlan.make(p, filters: filters, price: price, makerFee: fee, freeQuote: p.investment, allocation: nil) {
                case .failure(let refused): return .failure(ResearchError("the grid cannot start: \(refused)"))
                case .success(let plan): return .success(GridBacktest(fee: fee).run(plan: plan, candles: slice, filters: filters).summary)
                }
            case .success(.dca(let p)):
                let plan = DCAPlan(p)
                let refusals = plan.refusals(filters: filters, price: price, makerFee: fee, takerFee: fee, freeQuote: plan.budget, allocation: nil)
                guard refusals.isEmpty else { return .failure(ResearchError("the DCA bot cannot start: \(refusals.map(\.description).joined(separator: "; "))")) }
                return .success(DCABacktest(fee: fee).run(plan: plan, filters: filters, candles: slice).summary)
            case .success(.signal):
                return .failure(ResearchError("a signal bot has no strategy to tune"))
            }
        }
        if name == "grid" {
            let geometric = context.fixed["spacing"]?.lowercased() == "geometric"
            return ResearchStrategy(
                name: "grid",
                parameters: [
                    ParameterBounds("lower", 0, 1e12, whole: false), ParameterBounds("upper", 0, 1e12, whole: false), ParameterBounds("levels", 2, 1_000, whole: true),
                    ParameterBounds("stop_loss", 0, 1e12, whole: false), ParameterBounds("take_profit", 0, 1e12, whole: false),
                ],
                constraints: [
                    Constraint(text: "lower < upper") { (value($0, "lower") ?? 0) < (value($0, "upper") ?? 0) },
                    Constraint(text: "grid spacing above twice the fee") { set in
                        guard let lower = value(set, "lower"), let upper = value(set, "upper"), let levels = value(set, "levels"), levels >= 2, lower > 0 else {
                            return false
                        }
                        // The narrowest cycle: the top cell when arithmetic, every cell alike when geometric.
                        let gain = geometric ? pow(upper / lower, 1 / (levels - 1)) - 1 : (upper - lower) / (levels - 1) / (upper - (upper - lower) / (levels - 1))
                        return gain > 2 * context.fee
                    },
                ],
                backtest: backtest, warmUp: { _ in 0 }
            )
        }
        return ResearchStrategy(
            name: "dca",
            parameters: [
                ParameterBounds("base_order", 0, 1e12, whole: false), ParameterBounds("safety_orders", 0, 50, whole: true),
                ParameterBounds("deviation", 0.01, 99, whole: false), ParameterBounds("step_scale", 0.1, 10, whole: false),
                ParameterBounds("volume_scale", 0.1, 10, whole: false), ParameterBounds("take_profit", 0.01, 1_000, whole: false),
                ParameterBounds("trailing", 0.01, 1_000, whole: false), ParameterBounds("stop_loss", 0.01, 99, whole: false),
                ParameterBounds("max_deals", 1, 50, whole: true), ParameterBounds("start_fast", 1, 1_000, whole: true),
                ParameterBounds("start_slow", 2, 5_000, whole: true),
            ],
            constraints: [
                Constraint(text: "take_profit above the fees of a deal") { (value($0, "take_profit") ?? 0) / 100 > 2 * context.fee },
                Constraint(text: "trailing < take_profit") { set in value(set, "trailing").map { $0 < (value(set, "take_profit") ?? 0) } ?? true },
                Constraint(text: "start_fast < start_slow") { (value($0, "start_fast") ?? 9) < (value($0, "start_slow") ?? 21) },
            ],
            backtest: backtest, warmUp: { _ in 0 }
        )
    }
}
