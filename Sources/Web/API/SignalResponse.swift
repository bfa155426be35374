import Common
import Foundation

/// A signal of the bot's strategy (CONTRACT §6 "signal"), in `GET /api/v1/signals` and the
/// `signal` event. A model figure that is not a finite number is `null`.
struct SignalResponse: Encodable, Sendable {
    let symbol: String
    let time: Date
    let action: String
    @Nullable var confidence: Double?
    @Nullable var expectedReturn: Double?
    @Nullable var modelAccuracy: Double?
    @Nullable var modelPrecision: Double?
    @Nullable var trainedAt: Date?
    let strategy: String
    /// Feature name → share of the forest's impurity decrease.
    let featureImportances: [String: Double]

    /// The bot the row belongs to (CONTRACT §9); null for rows from before bots.
    @Nullable var botId: Int64?

    init(_ signal: SignalRecord) {
        botId = signal.botID
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        symbol = signal.symbol
        time = signal.time
        action = signal.action
        confidence = finite(signal.confidence)
        expectedReturn = finite(signal.expectedReturn)
        modelAccuracy = finite(signal.modelAccuracy)
        modelPrecision = finite(signal.modelPrecision)
        trainedAt = signal.trainedAt
        strategy = signal.strategy
        featureImportances = signal.importances.filter { $0.value.isFinite }
    }
}
