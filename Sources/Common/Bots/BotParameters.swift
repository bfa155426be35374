import Foundation

/// A grid or DCA bot's parameters from their raw texts (an API object's `strategy.params`, a
/// form's fields), each checked with an error naming it: one reading for a bot and its backtest.
/// Whether the bot could start on its symbol is the live bot's own check (``GridPlan``,
/// ``DCAPlan``), made on the exchange's filters.
public enum BotParameters: Sendable, Equatable {
    case grid(GridParameters)
    case dca(DCAParameters)
    /// A `signal` bot: its symbol, no parameters.
    case signal(SignalBotParameters)

    public static let names: Set<String> = ["grid", "dca", "signal"]
    /// `trail`: `off` (the default) or `up`, the range following the price up (``GridTrail``).
    public static let gridKeys = ["lower", "upper", "levels", "investment", "stop_loss", "take_profit", "spacing", "trail"]
    public static let dcaKeys = [
        "base_order", "safety_orders", "deviation", "step_scale", "volume_scale", "take_profit", "trailing", "stop_loss", "max_deals", "start", "start_fast",
        "start_slow",
    ]

    public static func keys(of name: String) -> [String] {
        switch name {
        case "grid": gridKeys
        case "signal": []
        default: dcaKeys
        }
    }

    /// `value(key)` is the raw text of a parameter, nil when not given; `investment`: a grid's
    /// when its own is not given. `purpose`: "backtest" or "bot", for the messages.
    public static func parse(
        name: String, symbol: String, investment: Decimal, purpose: String = "bot", value: (String) -> String?
    ) throws(SettingsError) -> BotParameters {
        if name == "signal" {
            // Its orders come from its hook: nothing for a backtest to replay.
            guard purpose != "backtest" else { throw SettingsError(field: "strategy.name", "signal trades on a bot's hook only; a backtest has no signals to replay") }
            return .signal(SignalBotParameters(symbol: symbol))
        }
        func field(_ key: String) -> String { "strategy.params.\(key)" }
        func decimal(_ key: String) throws(SettingsError) -> Decimal? {
            guard let raw = value(key)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let number = Decimal(string: raw, locale: Locale(identifier: "en_US_POSIX")), Double(raw)?.isFinite == true else {
                throw SettingsError(field: field(key), "must be a number")
            }
            return number
        }
        func required(_ key: String) throws(SettingsError) -> Decimal {
            guard let number = try decimal(key) else { throw SettingsError(field: field(key), "is needed for a \(name) \(purpose)") }
            return number
        }
        func whole(_ key: String, _ fallback: Int?) throws(SettingsError) -> Int {
            guard let number = try decimal(key) else {
                guard let fallback else { throw SettingsError(field: field(key), "is needed for a \(name) \(purpose)") }
                return fallback
            }
            guard let whole = Int(exactly: NSDecimalNumber(decimal: number).doubleValue), Decimal(whole) == number else {
                throw SettingsError(field: field(key), "must be a whole number")
            }
            return whole
        }
        if name == "grid" {
            let spacingText = value("spacing")?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard let spacing = spacingText.isEmpty ? .arithmetic : GridParameters.Spacing(rawValue: spacingText) else {
                throw SettingsError(field: field("spacing"), "must be arithmetic or geometric")
            }
            let trailing: Bool
            switch value("trail")?.trimmingCharacters(in: .whitespaces).lowercased() ?? "" {
            case "", "off", "false", "no", "0": trailing = false
            case "up", "true", "yes", "1": trailing = true
            default: throw SettingsError(field: field("trail"), "must be off or up")
            }
            return .grid(GridParameters(
                symbol: symbol, lowerPrice: try required("lower"), upperPrice: try required("upper"), levels: try whole("levels", nil), spacing: spacing,
                investment: try decimal("investment") ?? investment, stopLossPrice: try decimal("stop_loss"),
                takeProfitPrice: try decimal("take_profit"), trailing: trailing
            ))
        }
        let start: DCAParameters.Start
        switch value("start")?.trimmingCharacters(in: .whitespaces).lowercased() ?? "" {
        case "", "immediately": start = .immediately
        case "sma_cross": start = .smaCross(fast: try whole("start_fast", 9), slow: try whole("start_slow", 21))
        case "ml": start = .ml
        case "signal":
            // Its deals open on its hook's signals, which a backtest does not have.
            guard purpose != "backtest" else { throw SettingsError(field: field("start"), "signal opens deals on a bot's hook only; a backtest has none") }
            start = .signal
        default: throw SettingsError(field: field("start"), "must be immediately, sma_cross, ml or signal")
        }
        return .dca(DCAParameters(
            symbol: symbol, baseOrder: try required("base_order"), safetyOrders: try whole("safety_orders", 0), deviationPct: try decimal("deviation") ?? 1,
            stepScale: try decimal("step_scale") ?? 1, volumeScale: try decimal("volume_scale") ?? 1, takeProfitPct: try required("take_profit"),
            trailingPct: try decimal("trailing"), stopLossPct: try decimal("stop_loss"), start: start, maxActiveDeals: try whole("max_deals", 1)
        ))
    }

    /// The parameters as the texts ``parse(name:symbol:investment:purpose:value:)`` reads back.
    public var texts: [String: String] {
        func text(_ value: Decimal?) -> String? { value.map { DecimalText.plain($0) } }
        switch self {
        case .grid(let g):
            let all: [String: String?] = [
                "lower": text(g.lowerPrice), "upper": text(g.upperPrice), "levels": String(g.levels), "spacing": g.spacing.rawValue,
                "investment": text(g.investment), "stop_loss": text(g.stopLossPrice), "take_profit": text(g.takeProfitPrice),
                "trail": g.trailing ? "up" : "off",
            ]
            return all.compactMapValues { $0 }
        case .dca(let d):
            let all: [String: String?] = [
                "base_order": text(d.baseOrder), "safety_orders": String(d.safetyOrders), "deviation": text(d.deviationPct), "step_scale": text(d.stepScale),
                "volume_scale": text(d.volumeScale), "take_profit": text(d.takeProfitPct), "trailing": text(d.trailingPct), "stop_loss": text(d.stopLossPct),
                "max_deals": String(d.maxActiveDeals), "start": d.start.name,
            ]
            var texts = all.compactMapValues { $0 }
            if case .smaCross(let fast, let slow) = d.start {
                texts["start_fast"] = String(fast)
                texts["start_slow"] = String(slow)
            }
            return texts
        case .signal:
            return [:]
        }
    }

    public var name: String {
        switch self {
        case .grid: "grid"
        case .dca: "dca"
        case .signal: "signal"
        }
    }

    public var symbol: String {
        switch self {
        case .grid(let g): g.symbol
        case .dca(let d): d.symbol
        case .signal(let s): s.symbol
        }
    }
}
