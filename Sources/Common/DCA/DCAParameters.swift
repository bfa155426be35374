import Foundation

/// What a user sets for a DCA bot: a base order, safety orders below it that lower the average,
/// and a take-profit from that average.
public struct DCAParameters: Sendable, Equatable {
    /// When a new deal opens.
    public enum Start: Sendable, Equatable {
        /// As soon as there is room for another deal.
        case immediately
        /// On a buy signal of `sma_cross` with these SMAs (in candles) on a closed candle.
        case smaCross(fast: Int, slow: Int)
        /// On a buy signal of the `ml` strategy (its default settings) on a closed candle.
        case ml
        /// On a `start_deal` from the bot's signal hook only (`POST /hooks/{id}`).
        case signal

        /// The parameter's text: `immediately`, `sma_cross` or `ml`.
        public var name: String {
            switch self {
            case .immediately: "immediately"
            case .smaCross: "sma_cross"
            case .ml: "ml"
            case .signal: "signal"
            }
        }

        /// The strategy whose buy signals open deals; nil when deals open at once (or, for
        /// `signal`, on the hook's word alone).
        public func strategy() -> (any TradingStrategy)? {
            switch self {
            case .immediately, .signal: nil
            case .smaCross(let fast, let slow): SMACross(fast: fast, slow: slow)
            case .ml: MLStrategy()
            }
        }
    }

    public var symbol: String
    /// The first buy of a deal, at market, in USDT; the first safety order is the same size.
    public var baseOrder: Decimal
    public var safetyOrders: Int
    /// How far below the deal's entry the first safety order rests, in percent.
    public var deviationPct: Decimal
    /// Each further safety order's distance from the one before, as a multiple of the previous
    /// distance.
    public var stepScale: Decimal
    /// Each further safety order's size, as a multiple of the one before.
    public var volumeScale: Decimal
    /// The take-profit above the average entry, in percent.
    public var takeProfitPct: Decimal
    /// When set, the take-profit trails: once reached, the deal sells when the price falls this
    /// far (percent) from its peak.
    public var trailingPct: Decimal?
    /// The stop-loss below the average entry, in percent.
    public var stopLossPct: Decimal?
    public var start: Start
    public var maxActiveDeals: Int

    public static let safetyOrderRange = 0...50
    public static let activeDealRange = 1...50

    public init(
        symbol: String, baseOrder: Decimal, safetyOrders: Int, deviationPct: Decimal, stepScale: Decimal, volumeScale: Decimal,
        takeProfitPct: Decimal, trailingPct: Decimal? = nil, stopLossPct: Decimal? = nil, start: Start = .immediately, maxActiveDeals: Int = 1
    ) {
        self.symbol = symbol
        self.baseOrder = baseOrder
        self.safetyOrders = safetyOrders
        self.deviationPct = deviationPct
        self.stepScale = stepScale
        self.volumeScale = volumeScale
        self.takeProfitPct = takeProfitPct
        self.trailingPct = trailingPct
        self.stopLossPct = stopLossPct
        self.start = start
        self.maxActiveDeals = maxActiveDeals
    }
}
