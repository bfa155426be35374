import Foundation

/// One of a user's bots as its owner defines it (issue 16): a name, a strategy with its
/// parameters and symbols, a USDT allocation it may not exceed, and a mode, live or paper (a
/// paper bot trades virtual balances on live prices and needs no key).
///
/// A `sma_cross` or `ml` bot carries the settings today's one bot has (symbols, interval, risk
/// limits, execution); a grid or DCA bot its own parameters on one symbol. This type decides
/// what a definition may be; where it is stored and how it runs is not its business.
public struct BotDefinition: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case live, paper
    }

    public enum Plan: Sendable, Equatable {
        /// `sma_cross` or `ml` on candles.
        case signals(BotSettings)
        case grid(GridParameters)
        case dca(DCAParameters)
        /// Trades on its signal hook's buy, sell, close and cancel_all alone (issue 18).
        case signal(SignalBotParameters)
    }

    public var name: String
    public var mode: Mode
    /// The most USDT the bot may have in use at once (resting buys and held coins at cost).
    public var allocationUsdt: Decimal
    public var plan: Plan
    /// A paper bot's virtual balances at its start (asset → amount); empty for a live bot.
    public var paperBalances: [String: Decimal]

    public init(name: String, mode: Mode, allocationUsdt: Decimal, plan: Plan, paperBalances: [String: Decimal] = [:]) {
        self.name = name
        self.mode = mode
        self.allocationUsdt = allocationUsdt
        self.plan = plan
        self.paperBalances = paperBalances
    }

    public static let nameLength = 1...60
    public static let strategies = BotSettings.strategies + ["grid", "dca", "signal"]

    public var strategyName: String {
        switch plan {
        case .signals(let settings): settings.strategy.name
        case .grid: "grid"
        case .dca: "dca"
        case .signal: "signal"
        }
    }

    public var symbols: [String] {
        switch plan {
        case .signals(let settings): settings.symbols
        case .grid(let grid): [grid.symbol]
        case .dca(let dca): [dca.symbol]
        case .signal(let signal): [signal.symbol]
        }
    }

    /// The bot a user's settings from before several bots become (the upgrade): the same
    /// strategy, symbols and limits, live, allowed what those limits already allowed (its
    /// largest position times the positions it may hold), so it trades as it did.
    public static func first(from settings: BotSettings) -> BotDefinition {
        BotDefinition(
            name: String("\(settings.strategy.name) \(settings.symbols.joined(separator: ", "))".prefix(nameLength.upperBound)),
            mode: .live, allocationUsdt: settings.risk.maxPositionUsdt * Decimal(settings.risk.maxOpenPositions), plan: .signals(settings)
        )
    }

    /// A paper bot's copy that trades for real: the same strategy, parameters and allocation.
    public func copiedAsLive(name: String) -> BotDefinition {
        BotDefinition(name: name, mode: .live, allocationUsdt: allocationUsdt, plan: plan)
    }

    /// Checks what can be checked without the exchange (that it lists the symbols, and a grid's
    /// or DCA's start conditions on its filters and balances, are the caller's); the error names
    /// the field.
    public func validate() throws(SettingsError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed == name, Self.nameLength.contains(name.count) else {
            throw SettingsError(field: "name", "must be 1 to 60 characters, without spaces around it")
        }
        guard !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw SettingsError(field: "name", "must not contain control characters")
        }
        guard allocationUsdt > 0 else { throw SettingsError(field: "allocation_usdt", "must be above 0") }
        switch mode {
        case .live:
            guard paperBalances.isEmpty else { throw SettingsError(field: "paper_balances", "are only for a paper bot") }
        case .paper:
            guard !paperBalances.isEmpty else { throw SettingsError(field: "paper_balances", "are needed for a paper bot, such as {\"USDT\": \"1000\"}") }
            for (asset, amount) in paperBalances {
                guard (1...12).contains(asset.count), asset.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
                    throw SettingsError(field: "paper_balances", "\(asset.prefix(20)) is not an asset name (upper case, such as USDT)")
                }
                guard amount >= 0 else { throw SettingsError(field: "paper_balances.\(asset)", "must be 0 or more") }
            }
            guard paperBalances.values.contains(where: { $0 > 0 }) else { throw SettingsError(field: "paper_balances", "must hold something above 0") }
        }
        switch plan {
        case .signals(let settings):
            try settings.validate()
        case .grid(let grid):
            try BotSettings.checkSymbol(grid.symbol)
            try Self.first(of: GridPlan.parameterRefusals(grid))
            guard grid.investment <= allocationUsdt else {
                throw SettingsError(field: "strategy.params.investment", "exceeds the bot's allocation (\(DecimalText.format(allocationUsdt)) USDT)")
            }
        case .signal(let signal):
            try BotSettings.checkSymbol(signal.symbol)
        case .dca(let dca):
            try BotSettings.checkSymbol(dca.symbol)
            try Self.first(of: DCAPlan.parameterRefusals(dca))
            let budget = DCAPlan(dca).budget
            guard budget <= allocationUsdt else {
                throw SettingsError(
                    field: "allocation_usdt",
                    "is below what the deals may use at once (\(DecimalText.format(budget)) USDT: the base order and every safety order, per active deal)")
            }
        }
    }
}

extension BotDefinition {
    /// The parameter each start refusal's field is given as (``BotParameters``' keys).
    static let parameterKeys = [
        "lower_price": "lower", "upper_price": "upper", "stop_loss_price": "stop_loss", "take_profit_price": "take_profit", "deviation_pct": "deviation",
        "max_active_deals": "max_deals", "start_fast": "start_fast", "stop_loss_pct": "stop_loss", "trailing_pct": "trailing", "take_profit_pct": "take_profit",
    ]

    /// The first of a plan's refusals of its parameters alone, named as the API names them.
    static func first(of refusals: [StartRefusal]) throws(SettingsError) {
        guard let refusal = refusals.first else { return }
        throw SettingsError(field: "strategy.params.\(parameterKeys[refusal.field] ?? refusal.field)", refusal.reason)
    }
}

/// How many bots a user may have (the configuration's limit, 20 by default), and whether a
/// new name is free.
public struct BotLimits: Sendable, Equatable {
    public var maxPerUser: Int

    public init(maxPerUser: Int = 20) {
        self.maxPerUser = maxPerUser
    }

    /// Why one more bot is refused, or nil: over the limit, or a name the user already gave
    /// another bot (compared without case).
    public func refusal(adding name: String, to existing: [String]) -> SettingsError? {
        if existing.count >= maxPerUser {
            return SettingsError(field: "bots", "are at the limit of \(maxPerUser) per user: delete a stopped one first")
        }
        if existing.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
            return SettingsError(field: "name", "is already the name of another of your bots")
        }
        return nil
    }
}
