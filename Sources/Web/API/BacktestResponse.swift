import Common
import Foundation

/// `POST /api/v1/backtests`: CONTRACT §7's result (metrics as numbers, `null` where undefined;
/// trades; the equity per candle), with the symbol, the number of candles and the buy-and-hold
/// curve to compare with.
struct BacktestResponse: Encodable, Sendable {
    struct Metrics: Encodable, Sendable {
        let totalReturn: Double
        let buyAndHoldReturn: Double
        let maxDrawdown: Double
        @Nullable var sharpe: Double?
        @Nullable var sortino: Double?
        @Nullable var winRate: Double?
        /// null without a losing trade.
        @Nullable var profitFactor: Double?
        let trades: Int
        @Nullable var cagr: Double?
        let maxDrawdownDurationSeconds: Double
        @Nullable var calmar: Double?
        @Nullable var expectancy: Double?
        let exposure: Double
    }

    struct Trade: Encodable, Sendable {
        let entryTime: Date
        let exitTime: Date
        let entryPrice: Double
        let exitPrice: Double
        let qty: Double
        let pnl: Double
    }

    let metrics: Metrics
    let trades: [Trade]
    let equity: [Double]
    let symbol: String
    let candles: Int
    let buyAndHoldEquity: [Double]

    init(_ result: Backtest.Result, symbol: String, buyAndHold: [Double]) {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        func time(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
        let m = result.metrics
        metrics = Metrics(
            totalReturn: m.totalReturn, buyAndHoldReturn: m.buyAndHoldReturn, maxDrawdown: m.maxDrawdown, sharpe: finite(m.sharpe),
            sortino: finite(m.sortino), winRate: finite(m.winRate), profitFactor: finite(m.profitFactor), trades: m.trades, cagr: finite(m.cagr),
            maxDrawdownDurationSeconds: m.maxDrawdownDuration, calmar: finite(m.calmar), expectancy: finite(m.expectancy), exposure: m.exposure
        )
        trades = result.trades.map {
            Trade(entryTime: time($0.entryTime), exitTime: time($0.exitTime), entryPrice: $0.entryPrice, exitPrice: $0.exitPrice, qty: $0.qty, pnl: $0.pnl)
        }
        equity = result.equity
        self.symbol = symbol
        candles = result.equity.count
        buyAndHoldEquity = buyAndHold
    }
}
