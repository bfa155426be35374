import Foundation

/// An optimisation as a user asks for it (the CLI's flags, the API's JSON, the page's form), read
/// into a ``Study``: every problem refused with a message naming the field.
public struct StudyRequest: Sendable, Equatable {
    public var strategy: String
    public var space: [String]
    public var objective: String
    public var minTrades = 1
    public var walkForward: String?
    public var trials = 200
    public var seed: UInt64 = 1
    /// Parameters held fixed (`--param k=v`).
    public var fixed: [String: String] = [:]
    public var fee = 0.001
    public var cash = 10_000.0

    public static let trialRange = 1...5_000

    public init(strategy: String, space: [String], objective: String) {
        self.strategy = strategy
        self.space = space
        self.objective = objective
    }

    /// The parameters each strategy takes as fixed texts besides its searched ones.
    static func fixedKeys(_ strategy: ResearchStrategy) -> Set<String> {
        switch strategy.name {
        case "ml": Set(strategy.parameters.map(\.name)).union(["fee", "seed"])
        case "grid": Set(BotParameters.gridKeys)
        case "dca": Set(BotParameters.dcaKeys)
        default: Set(strategy.parameters.map(\.name))
        }
    }

    /// The study over candles of `intervalMillis`; `filters` for a grid or DCA bot.
    public func study(symbol: String, filters: SymbolFilters?, intervalMillis: Int64?, parallel: Parallel = Parallel(threads: 2)) throws(ResearchError) -> Study {
        guard fee >= 0, fee < 0.5 else { throw ResearchError("fee must be a fraction from 0 to 0.5, such as 0.001") }
        guard cash > 0, cash.isFinite else { throw ResearchError("cash must be positive") }
        guard Self.trialRange.contains(trials) else { throw ResearchError("trials must be from \(Self.trialRange.lowerBound) to \(Self.trialRange.upperBound)") }
        guard (0...100_000).contains(minTrades) else { throw ResearchError("min_trades must be from 0 to 100000") }
        let context = ResearchContext(symbol: symbol, fee: fee, cash: cash, filters: filters, fixed: fixed)
        let research = try ResearchStrategy.named(strategy, context: context)
        let known = Self.fixedKeys(research)
        if let unknown = fixed.keys.sorted().first(where: { !known.contains($0) }) {
            throw ResearchError("--param \(unknown): \(strategy) has no parameter \(unknown) (it takes \(known.sorted().joined(separator: ", ")))")
        }
        guard !space.isEmpty else { throw ResearchError("--space: name at least one parameter to search, such as \(research.parameters[0].name)=lo:hi") }
        guard space.count <= 6 else { throw ResearchError("--space: at most 6 parameters at once") }
        var ranges: [ParameterRange] = []
        for text in space {
            let range = try ParameterRange.parse(text, declared: research.parameters, strategy: strategy)
            guard !ranges.contains(where: { $0.name == range.name }) else { throw ResearchError("--space \(range.name): named twice") }
            guard fixed[range.name] == nil else { throw ResearchError("--space \(range.name): also given as a fixed --param; drop one") }
            ranges.append(range)
        }
        let objective = try Objective.parse(objective)
        let walk = try walkForward.map { text throws(ResearchError) in try WalkForward.parse(text, intervalMillis: intervalMillis) }
        let space = SearchSpace(ranges: ranges) { research.broken($0) == nil }
        let feasible = (space.gridSize ?? .max) <= 100_000 ? !space.grid().isEmpty : !space.sample(1, seed: seed).isEmpty
        guard feasible else {
            throw ResearchError("no set in the space keeps \(strategy)'s constraints (\(research.constraints.map(\.text).joined(separator: "; ")))")
        }
        let optimizer = Optimizer(strategy: research, space: space, objective: objective, minTrades: minTrades, trials: trials, seed: seed, parallel: parallel)
        return Study(optimizer: optimizer, walkForward: walk, context: context)
    }
}
