import Common
import Foundation

/// The strategy a worker runs for one symbol.
enum LiveStrategy: Sendable {
    case sma(SMACross)
    case ml(MLStrategy)

    init(_ settings: BotSettings.Strategy, fee: Double) {
        if settings.name == "ml" {
            var ml = (try? MLStrategy.Settings(params: settings.params)) ?? MLStrategy.Settings()
            if settings.params["fee"] == nil { ml.fee = fee }
            self = .ml(MLStrategy(settings: ml))
        } else {
            self = .sma(SMACross(fast: Int(settings.params["fast"] ?? 9), slow: Int(settings.params["slow"] ?? 21)))
        }
    }

    /// Candles of history to warm up on (one page of klines).
    var history: Int {
        switch self {
        case .sma(let s): min(1_000, s.slow + 2)
        case .ml: 1_000
        }
    }

    mutating func onClose(_ candle: StrategyCandle) -> StrategySignal {
        switch self {
        case .sma(var s):
            let signal = s.onClose(candle)
            self = .sma(s)
            return signal
        case .ml(var s):
            let signal = s.onClose(candle)
            self = .ml(s)
            return signal
        }
    }

    var insight: MLStrategy.Insight? {
        if case .ml(let s) = self { return s.insight }
        return nil
    }

    var buyReason: String {
        switch self {
        case .sma: "SMA cross above"
        case .ml(let s): String(format: "ml: rise %.0f %% likely, %.2f %% expected", (s.insight.confidence ?? 0) * 100, (s.insight.expectedReturn ?? 0) * 100)
        }
    }

    var sellReason: String {
        switch self {
        case .sma: "SMA cross below"
        case .ml(let s): String(format: "ml: fall %.0f %% likely", (s.insight.confidence ?? 0) * 100)
        }
    }
}
