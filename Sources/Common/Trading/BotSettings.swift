import Foundation

/// A user's bot settings (CONTRACT §6): written by the web into central.sqlite, handed to the
/// worker by the supervisor at its start and with every "settings changed".
public struct BotSettings: Sendable, Equatable, Codable {
    public struct Strategy: Sendable, Equatable, Codable {
        public var name: String
        public var params: [String: Double]
        public init(name: String, params: [String: Double]) {
            self.name = name
            self.params = params
        }
    }

    public struct Risk: Sendable, Equatable, Codable {
        /// Largest position as a share of equity, in percent.
        public var maxPositionPct: Double
        public var maxPositionUsdt: Decimal
        public var maxOpenPositions: Int
        public var stopLossPct: Double
        public var takeProfitPct: Double
        /// 0: no trailing stop.
        public var trailingStopPct: Double
        public var dailyLossLimitUsdt: Decimal
        /// Equity below its peak by this much triggers the emergency stop.
        public var maxDrawdownPct: Double
        public var cooldownMinutes: Int

        enum CodingKeys: String, CodingKey {
            case maxPositionPct = "max_position_pct"
            case maxPositionUsdt = "max_position_usdt"
            case maxOpenPositions = "max_open_positions"
            case stopLossPct = "stop_loss_pct"
            case takeProfitPct = "take_profit_pct"
            case trailingStopPct = "trailing_stop_pct"
            case dailyLossLimitUsdt = "daily_loss_limit_usdt"
            case maxDrawdownPct = "max_drawdown_pct"
            case cooldownMinutes = "cooldown_minutes"
        }

        public init(
            maxPositionPct: Double, maxPositionUsdt: Decimal, maxOpenPositions: Int, stopLossPct: Double, takeProfitPct: Double,
            trailingStopPct: Double, dailyLossLimitUsdt: Decimal, maxDrawdownPct: Double, cooldownMinutes: Int
        ) {
            self.maxPositionPct = maxPositionPct
            self.maxPositionUsdt = maxPositionUsdt
            self.maxOpenPositions = maxOpenPositions
            self.stopLossPct = stopLossPct
            self.takeProfitPct = takeProfitPct
            self.trailingStopPct = trailingStopPct
            self.dailyLossLimitUsdt = dailyLossLimitUsdt
            self.maxDrawdownPct = maxDrawdownPct
            self.cooldownMinutes = cooldownMinutes
        }

        /// Amounts of money are decimal strings (a number is accepted too).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func amount(_ key: CodingKeys) throws -> Decimal {
                if let text = try? c.decode(String.self, forKey: key) {
                    guard let value = DecimalText.parse(text) else {
                        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\"\(text.prefix(40))\" is not a decimal amount")
                    }
                    return value
                }
                return try c.decode(Decimal.self, forKey: key)
            }
            maxPositionPct = try c.decode(Double.self, forKey: .maxPositionPct)
            maxPositionUsdt = try amount(.maxPositionUsdt)
            maxOpenPositions = try c.decode(Int.self, forKey: .maxOpenPositions)
            stopLossPct = try c.decode(Double.self, forKey: .stopLossPct)
            takeProfitPct = try c.decode(Double.self, forKey: .takeProfitPct)
            trailingStopPct = try c.decode(Double.self, forKey: .trailingStopPct)
            dailyLossLimitUsdt = try amount(.dailyLossLimitUsdt)
            maxDrawdownPct = try c.decode(Double.self, forKey: .maxDrawdownPct)
            cooldownMinutes = try c.decode(Int.self, forKey: .cooldownMinutes)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(maxPositionPct, forKey: .maxPositionPct)
            try c.encode(DecimalText.format(maxPositionUsdt), forKey: .maxPositionUsdt)
            try c.encode(maxOpenPositions, forKey: .maxOpenPositions)
            try c.encode(stopLossPct, forKey: .stopLossPct)
            try c.encode(takeProfitPct, forKey: .takeProfitPct)
            try c.encode(trailingStopPct, forKey: .trailingStopPct)
            try c.encode(DecimalText.format(dailyLossLimitUsdt), forKey: .dailyLossLimitUsdt)
            try c.encode(maxDrawdownPct, forKey: .maxDrawdownPct)
            try c.encode(cooldownMinutes, forKey: .cooldownMinutes)
        }
    }

    public var symbols: [String]
    public var interval: String
    public var strategy: Strategy
    public var risk: Risk
    public var emergencyClosePositions: Bool
    /// `adopt` or `cancel`: what to do with open orders on the exchange the bot did not place.
    public var unknownOrders: String
    public var timezone: String
    /// How entries are sent and where exits live.
    public var execution: Execution = .defaults

    enum CodingKeys: String, CodingKey {
        case symbols, interval, strategy, risk, timezone, execution
        case emergencyClosePositions = "emergency_close_positions"
        case unknownOrders = "unknown_orders"
    }

    public init(
        symbols: [String], interval: String, strategy: Strategy, risk: Risk, emergencyClosePositions: Bool, unknownOrders: String, timezone: String,
        execution: Execution = .defaults
    ) {
        self.symbols = symbols
        self.interval = interval
        self.strategy = strategy
        self.risk = risk
        self.emergencyClosePositions = emergencyClosePositions
        self.unknownOrders = unknownOrders
        self.timezone = timezone
        self.execution = execution
    }

    /// Settings stored before `execution` existed read as its defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbols = try c.decode([String].self, forKey: .symbols)
        interval = try c.decode(String.self, forKey: .interval)
        strategy = try c.decode(Strategy.self, forKey: .strategy)
        risk = try c.decode(Risk.self, forKey: .risk)
        emergencyClosePositions = try c.decode(Bool.self, forKey: .emergencyClosePositions)
        unknownOrders = try c.decode(String.self, forKey: .unknownOrders)
        timezone = try c.decode(String.self, forKey: .timezone)
        execution = try c.decodeIfPresent(Execution.self, forKey: .execution) ?? .defaults
    }

    /// What a new account starts with: one symbol, SMA 9/21 on 1-minute candles, cautious limits.
    public static let defaults = BotSettings(
        symbols: ["BTCUSDT"], interval: "1m", strategy: Strategy(name: "sma_cross", params: ["fast": 9, "slow": 21]),
        risk: Risk(
            maxPositionPct: 10, maxPositionUsdt: 1_000, maxOpenPositions: 3, stopLossPct: 2, takeProfitPct: 4, trailingStopPct: 0,
            dailyLossLimitUsdt: 200, maxDrawdownPct: 20, cooldownMinutes: 30
        ),
        emergencyClosePositions: false, unknownOrders: "adopt", timezone: "UTC"
    )

    public static let intervals = ["1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d"]
    public static let strategies = ["sma_cross", "ml"]

    /// Reads settings from JSON, checking every field; the message names the field.
    public static func decode(_ data: Data) throws(SettingsError) -> BotSettings {
        let settings: BotSettings
        do {
            settings = try JSONDecoder().decode(BotSettings.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw SettingsError(field: (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."), "is required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw SettingsError(field: context.codingPath.map(\.stringValue).joined(separator: "."), "has the wrong type")
        } catch let DecodingError.dataCorrupted(context) {
            throw SettingsError(field: context.codingPath.map(\.stringValue).joined(separator: "."), "is not valid: \(context.debugDescription)")
        } catch {
            throw SettingsError(field: "body", "is not a settings object")
        }
        try settings.validate()
        return settings
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// A symbol's shape: a …USDT pair in upper case (whether the exchange lists it is the caller's).
    public static func checkSymbol(_ symbol: String) throws(SettingsError) {
        guard symbol.hasSuffix("USDT"), symbol.count > 4, symbol.count <= 20, symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw SettingsError(field: "symbols", "\(symbol.prefix(30)) is not a …USDT pair (upper case, such as BTCUSDT)")
        }
    }

    /// Checks what can be checked without the exchange (symbols listed: the caller checks).
    public func validate() throws(SettingsError) {
        guard !symbols.isEmpty, symbols.count <= 20 else { throw SettingsError(field: "symbols", "must list 1 to 20 symbols") }
        for symbol in symbols { try Self.checkSymbol(symbol) }
        guard Set(symbols).count == symbols.count else { throw SettingsError(field: "symbols", "lists a symbol twice") }
        guard Self.intervals.contains(interval) else { throw SettingsError(field: "interval", "must be one of \(Self.intervals.joined(separator: ", "))") }
        guard Self.strategies.contains(strategy.name) else { throw SettingsError(field: "strategy.name", "must be one of \(Self.strategies.joined(separator: ", "))") }
        if strategy.name == "sma_cross" {
            let fast = strategy.params["fast"] ?? 9
            let slow = strategy.params["slow"] ?? 21
            guard fast >= 1, slow <= 1_000, fast == fast.rounded(), slow == slow.rounded() else {
                throw SettingsError(field: "strategy.params", "fast and slow are whole numbers of candles, 1 to 1000")
            }
            guard fast < slow else { throw SettingsError(field: "strategy.params", "fast must be smaller than slow") }
            guard Set(strategy.params.keys).isSubset(of: ["fast", "slow"]) else {
                throw SettingsError(field: "strategy.params", "sma_cross takes only fast and slow")
            }
        } else if strategy.name == "ml" {
            _ = try MLStrategy.Settings(params: strategy.params)
        }
        guard risk.maxPositionPct > 0, risk.maxPositionPct <= 100 else { throw SettingsError(field: "risk.max_position_pct", "must be above 0 and at most 100") }
        guard risk.maxPositionUsdt > 0 else { throw SettingsError(field: "risk.max_position_usdt", "must be above 0") }
        guard (1...50).contains(risk.maxOpenPositions) else { throw SettingsError(field: "risk.max_open_positions", "must be 1 to 50") }
        for (name, value) in [("stop_loss_pct", risk.stopLossPct), ("take_profit_pct", risk.takeProfitPct), ("trailing_stop_pct", risk.trailingStopPct)] {
            guard value >= 0, value < 100 else { throw SettingsError(field: "risk.\(name)", "must be 0 (off) or a percentage below 100") }
        }
        guard risk.dailyLossLimitUsdt >= 0 else { throw SettingsError(field: "risk.daily_loss_limit_usdt", "must be 0 (off) or more") }
        guard risk.maxDrawdownPct >= 0, risk.maxDrawdownPct <= 100 else { throw SettingsError(field: "risk.max_drawdown_pct", "must be 0 (off) to 100") }
        guard (0...10_080).contains(risk.cooldownMinutes) else { throw SettingsError(field: "risk.cooldown_minutes", "must be 0 to 10080") }
        guard ["adopt", "cancel"].contains(unknownOrders) else { throw SettingsError(field: "unknown_orders", "must be adopt or cancel") }
        try execution.validate()
        guard TimeZone(identifier: timezone) != nil else { throw SettingsError(field: "timezone", "\(timezone.prefix(60)) is not a time zone name such as UTC or Asia/Seoul") }
    }
}

extension BotSettings {
    /// The user's time zone (the field is checked to name one; UTC should it not).
    public var timeZone: TimeZone { TimeZone(identifier: timezone) ?? .gmt }
}

public struct SettingsError: Error, Equatable, CustomStringConvertible {
    public let field: String
    public let problem: String
    public init(field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }
    public var description: String { "\(field) \(problem)" }
}
