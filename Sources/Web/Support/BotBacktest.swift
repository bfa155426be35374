import Common
import Foundation

/// A grid or DCA bot's backtest settings, from the API's `strategy.params` or the page's form
/// (whose fields carry a `grid_` or `dca_` prefix), each checked with a 400 naming it; whether the
/// bot could start is the live bot's own check, made on the symbol's filters when it runs.
enum BotBacktest {
    case grid(GridParameters)
    case dca(DCAParameters)

    static let names: Set<String> = ["grid", "dca"]
    static let gridKeys = ["lower", "upper", "levels", "investment", "stop_loss", "take_profit", "spacing"]
    static let dcaKeys = ["base_order", "safety_orders", "deviation", "step_scale", "volume_scale", "take_profit", "trailing", "stop_loss", "max_deals"]

    /// `value(key)` is the raw text of a parameter, nil when not given.
    static func parse(name: String, symbol: String, cash: Double, value: (String) -> String?) throws(APIError) -> BotBacktest {
        func decimal(_ key: String) throws(APIError) -> Decimal? {
            guard let raw = value(key)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let number = Decimal(string: raw, locale: Locale(identifier: "en_US_POSIX")), Double(raw)?.isFinite == true else {
                throw APIError.invalid("strategy.params.\(key) must be a number.")
            }
            return number
        }
        func required(_ key: String) throws(APIError) -> Decimal {
            guard let number = try decimal(key) else { throw APIError.invalid("strategy.params.\(key) is needed for a \(name) backtest.") }
            return number
        }
        func whole(_ key: String, _ fallback: Int?) throws(APIError) -> Int {
            guard let number = try decimal(key) else {
                guard let fallback else { throw APIError.invalid("strategy.params.\(key) is needed for a \(name) backtest.") }
                return fallback
            }
            guard let whole = Int(exactly: NSDecimalNumber(decimal: number).doubleValue), Decimal(whole) == number else {
                throw APIError.invalid("strategy.params.\(key) must be a whole number.")
            }
            return whole
        }
        if name == "grid" {
            let spacingText = value("spacing")?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard let spacing = spacingText.isEmpty ? .arithmetic : GridParameters.Spacing(rawValue: spacingText) else {
                throw APIError.invalid("strategy.params.spacing must be arithmetic or geometric.")
            }
            return .grid(GridParameters(
                symbol: symbol, lowerPrice: try required("lower"), upperPrice: try required("upper"), levels: try whole("levels", nil), spacing: spacing,
                investment: try decimal("investment") ?? Decimal.exactly(cash), stopLossPrice: try decimal("stop_loss"),
                takeProfitPrice: try decimal("take_profit")
            ))
        }
        return .dca(DCAParameters(
            symbol: symbol, baseOrder: try required("base_order"), safetyOrders: try whole("safety_orders", 0), deviationPct: try decimal("deviation") ?? 1,
            stepScale: try decimal("step_scale") ?? 1, volumeScale: try decimal("volume_scale") ?? 1, takeProfitPct: try required("take_profit"),
            trailingPct: try decimal("trailing"), stopLossPct: try decimal("stop_loss"), maxActiveDeals: try whole("max_deals", 1)
        ))
    }
}
