import Foundation

/// The limits an administrator sets for every user, which no user setting can exceed: the
/// largest order in USDT, the largest allocation of one bot, the symbols that may be traded, how
/// many bots a user may have, and whether a new account trades on paper only until approved.
/// Nil: no limit. Stored as JSON in `platform_settings`.
public struct PlatformPolicies: Sendable, Equatable, Codable {
    public var maxOrderUsdt: Decimal?
    public var maxAllocationUsdt: Decimal?
    /// Upper-case symbols (BTCUSDT); nil or empty: any the exchange lists.
    public var allowedSymbols: [String]?
    public var botsPerUser: Int?
    public var paperOnlyUntilApproved: Bool

    public init(
        maxOrderUsdt: Decimal? = nil, maxAllocationUsdt: Decimal? = nil, allowedSymbols: [String]? = nil, botsPerUser: Int? = nil,
        paperOnlyUntilApproved: Bool = false
    ) {
        self.maxOrderUsdt = maxOrderUsdt
        self.maxAllocationUsdt = maxAllocationUsdt
        self.allowedSymbols = allowedSymbols
        self.botsPerUser = botsPerUser
        self.paperOnlyUntilApproved = paperOnlyUntilApproved
    }

    enum CodingKeys: String, CodingKey {
        case maxOrderUsdt = "max_order_usdt", maxAllocationUsdt = "max_allocation_usdt", allowedSymbols = "allowed_symbols"
        case botsPerUser = "bots_per_user", paperOnlyUntilApproved = "paper_only_until_approved"
    }

    /// A refusal, naming the policy and its limit.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let policy: String
        public let message: String
        public var description: String { message }
    }

    // MARK: - The checks

    public func checkOrder(usdt: Decimal) -> Refusal? {
        guard let limit = maxOrderUsdt, usdt > limit else { return nil }
        return Refusal(
            policy: "max_order_usdt",
            message: "The platform's policy \"largest order\" allows \(DecimalText.format(limit, places: 2)) USDT; this order is \(DecimalText.format(usdt, places: 2)) USDT.")
    }

    public func checkSymbol(_ symbol: String) -> Refusal? {
        guard let allowed = allowedSymbols, !allowed.isEmpty, !allowed.contains(symbol) else { return nil }
        return Refusal(policy: "allowed_symbols", message: "The platform's policy \"allowed symbols\" allows \(allowed.joined(separator: ", ")); \(symbol) is not one.")
    }

    /// A live trade by an account not yet approved, when new accounts trade on paper only.
    public func checkLive(approved: Bool) -> Refusal? {
        guard paperOnlyUntilApproved, !approved else { return nil }
        return Refusal(
            policy: "paper_only_until_approved",
            message: "The platform's policy \"paper only until approved\" holds this account to paper trading until an administrator approves it.")
    }

    public func checkBotCount(existing: Int) -> Refusal? {
        guard let limit = botsPerUser, existing >= limit else { return nil }
        return Refusal(policy: "bots_per_user", message: "The platform's policy \"bots per user\" allows \(limit) bots; this account has \(existing).")
    }

    /// Everything a bot's definition must respect: its allocation, its symbols, its largest
    /// order, and (a live bot) the account's approval.
    public func checkBot(_ definition: BotDefinition, approved: Bool) -> Refusal? {
        if definition.mode == .live, let refusal = checkLive(approved: approved) { return refusal }
        if let limit = maxAllocationUsdt, definition.allocationUsdt > limit {
            return Refusal(
                policy: "max_allocation_usdt",
                message: "The platform's policy \"largest allocation per bot\" allows \(DecimalText.format(limit, places: 2)) USDT; this bot's is \(DecimalText.format(definition.allocationUsdt, places: 2)) USDT.")
        }
        for symbol in definition.symbols { if let refusal = checkSymbol(symbol) { return refusal } }
        return checkOrder(usdt: Self.largestOrder(definition))
    }

    /// The largest single order a bot's plan places, in USDT: a grid's cell, a DCA bot's largest
    /// (base or safety) order, a signals bot's largest position; a signal-hook bot may spend its
    /// whole allocation at once.
    public static func largestOrder(_ definition: BotDefinition) -> Decimal {
        switch definition.plan {
        case .grid(let grid): return grid.investment / Decimal(max(grid.levels - 1, 1))
        case .dca(let dca):
            var volume = dca.baseOrder
            var largest = volume
            for _ in 0..<max(dca.safetyOrders, 0) {
                largest = max(largest, volume)
                volume *= dca.volumeScale
            }
            return largest
        case .signals(let settings): return settings.risk.maxPositionUsdt
        case .signal: return definition.allocationUsdt
        }
    }

    // MARK: - The admin's form

    /// Reads the form's (or JSON's) fields, each problem named: a blank field is no limit.
    public static func parse(
        maxOrder: String?, maxAllocation: String?, symbols: String?, botsPerUser: String?, paperOnly: Bool
    ) -> Result<PlatformPolicies, Refusal> {
        func amount(_ text: String?, _ field: String) -> Result<Decimal?, Refusal> {
            let text = (text ?? "").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return .success(nil) }
            guard let value = DecimalText.parse(text), value > 0 else { return .failure(Refusal(policy: field, message: "\(field): \"\(text)\" is not an amount above 0 (blank: no limit).")) }
            return .success(value)
        }
        var policies = PlatformPolicies(paperOnlyUntilApproved: paperOnly)
        switch amount(maxOrder, "max_order_usdt") {
        case .success(let value): policies.maxOrderUsdt = value
        case .failure(let refusal): return .failure(refusal)
        }
        switch amount(maxAllocation, "max_allocation_usdt") {
        case .success(let value): policies.maxAllocationUsdt = value
        case .failure(let refusal): return .failure(refusal)
        }
        let words = (symbols ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { $0.uppercased() }
        for word in words where word.count > 20 || !word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            return .failure(Refusal(policy: "allowed_symbols", message: "allowed_symbols: \"\(word.prefix(30))\" is not a symbol such as BTCUSDT."))
        }
        policies.allowedSymbols = words.isEmpty ? nil : Array(Set(words)).sorted()
        let count = (botsPerUser ?? "").trimmingCharacters(in: .whitespaces)
        if !count.isEmpty {
            guard let value = Int(count), (1...1_000).contains(value) else {
                return .failure(Refusal(policy: "bots_per_user", message: "bots_per_user: \"\(count)\" is not a whole number from 1 to 1000 (blank: no limit)."))
            }
            policies.botsPerUser = value
        }
        return .success(policies)
    }
}
