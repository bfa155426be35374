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

    /// A grid's cycles and every fill with its level (a buy of cell i at level i is closed by a
    /// sell at level i + 1 of the same quantity).
    struct Grid: Encodable, Sendable {
        struct Fill: Encodable, Sendable {
            let time: Date
            let cell: Int
            let level: Int
            let side: String
            let price: Double
            let qty: Double
            let fee: Double
            let range: Int
        }

        struct Move: Encodable, Sendable {
            let time: Date
            let levels: [Double]
            let purchase: Double
        }

        let cycles: Int
        let gridProfit: Double
        let openingPurchase: Double
        @Nullable var ended: String?
        let levels: [Double]
        let fills: [Fill]
        let rangeMoves: [Move]
    }

    /// A DCA bot's deals.
    struct DCA: Encodable, Sendable {
        struct Deal: Encodable, Sendable {
            let opened: Date
            @Nullable var closed: Date?
            let entry: Double
            @Nullable var average: Double?
            let safetyOrdersFilled: Int
            @Nullable var takeProfitPrice: Double?
            @Nullable var pnl: Double?
            @Nullable var reason: String?
        }

        let deals: [Deal]
    }

    let metrics: Metrics
    let trades: [Trade]
    let equity: [Double]
    let symbol: String
    let candles: Int
    let buyAndHoldEquity: [Double]
    /// `sma_cross`, `ml`, `grid` or `dca`.
    let strategy: String
    /// Only for a grid.
    var grid: Grid?
    /// Only for a DCA bot.
    var dca: DCA?

    init(_ outcome: BacktestController.Outcome, symbol: String, strategy: String) {
        self.init(outcome.result, symbol: symbol, buyAndHold: outcome.buyAndHold, strategy: strategy)
        func time(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
        func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
        if let result = outcome.grid {
            grid = Grid(
                cycles: result.cycles.count, gridProfit: double(result.gridProfit), openingPurchase: double(result.openingPurchase), ended: result.ended,
                levels: result.levels.map(double),
                fills: result.fills.map {
                    Grid.Fill(
                        time: time($0.time), cell: $0.cell, level: $0.level, side: $0.side.rawValue, price: double($0.price), qty: double($0.quantity),
                        fee: double($0.fee), range: $0.range)
                },
                rangeMoves: result.moves.map { Grid.Move(time: time($0.time), levels: $0.levels.map(double), purchase: double($0.purchase)) }
            )
        }
        if let result = outcome.dca {
            dca = DCA(deals: result.deals.map {
                DCA.Deal(
                    opened: time($0.opened), closed: $0.closed.map(time), entry: double($0.entry), average: $0.average.map(double),
                    safetyOrdersFilled: $0.safetyFilled, takeProfitPrice: $0.takeProfitPrice.map(double), pnl: $0.pnl.map(double), reason: $0.reason
                )
            })
        }
    }

    init(_ result: Backtest.Result, symbol: String, buyAndHold: [Double], strategy: String = "sma_cross") {
        self.strategy = strategy
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
