import Foundation

/// The backtester (CONTRACT §7): one strategy path with the live worker (``TradingStrategy``),
/// signals on closed candles, an order decided on candle t filled at candle t+1's open;
/// long-only, all-in, fractional quantities; in `Double`.
public struct Backtest: Sendable {
    public struct Trade: Sendable, Equatable {
        public let entryTime: Int64
        public let exitTime: Int64
        public let entryPrice: Double
        public let exitPrice: Double
        public let qty: Double
        public let pnl: Double
    }

    public struct Metrics: Sendable, Equatable {
        public let totalReturn: Double
        public let buyAndHoldReturn: Double
        public let maxDrawdown: Double
        public let sharpe: Double?
        public let sortino: Double?
        public let winRate: Double?
        public let profitFactor: Double?
        public let trades: Int
        /// Compound annual growth over the period (365-day years); nil under a day.
        public var cagr: Double? = nil
        /// The longest time under a previous equity peak, in seconds.
        public var maxDrawdownDuration: Double = 0
        /// CAGR / maximum drawdown; nil without a drawdown.
        public var calmar: Double? = nil
        /// The mean PnL of a trade.
        public var expectancy: Double? = nil
        /// The share of candles with a position open.
        public var exposure: Double = 0
    }

    public struct Result: Sendable {
        public let metrics: Metrics
        public let trades: [Trade]
        public let equity: [Double]

        public init(metrics: Metrics, trades: [Trade], equity: [Double]) {
            self.metrics = metrics
            self.trades = trades
            self.equity = equity
        }
    }

    /// What all-in at the first open would be worth at each close (for the chart).
    public func buyAndHold(_ candles: [StrategyCandle]) -> [Double] {
        guard let first = candles.first else { return [] }
        let held = cash / (first.open * (1 + fee))
        return candles.map { held * $0.close }
    }

    public let fee: Double
    public let cash: Double
    /// Fills this fraction worse than the open (a buy higher, a sale lower); 0 by default.
    public let slippage: Double
    /// Quantities floored to this lot size; nil: fractional, as CONTRACT §7.
    public let lotSize: Double?

    public init(fee: Double = 0.001, cash: Double = 10_000, slippage: Double = 0, lotSize: Double? = nil) {
        self.fee = fee
        self.cash = cash
        self.slippage = slippage
        self.lotSize = lotSize
    }

    /// `from`: the candles before this index only warm the strategy up (its indicators see them;
    /// nothing trades and the figures start there; a signal on the candle just before fills at
    /// `from`'s open), as a walk-forward's test window reads the history before it.
    public func run<S: TradingStrategy>(_ candles: [StrategyCandle], strategy: S, from start: Int = 0) -> Result {
        var strategy = strategy
        let start = min(max(0, start), candles.count)
        var signal = StrategySignal.hold
        for t in 0..<start { signal = strategy.onClose(candles[t]) }
        return trade(candles, strategy: strategy, from: start, pending: signal)
    }

    private func trade<S: TradingStrategy>(_ candles: [StrategyCandle], strategy: S, from start: Int, pending signal: StrategySignal) -> Result {
        var strategy = strategy
        var cash = self.cash
        var qty = 0.0
        var pending = start < candles.count ? signal : .hold
        var entry: (time: Int64, price: Double, cost: Double, qty: Double)?
        var trades: [Trade] = []
        var exposed = 0
        var equity: [Double] = []
        equity.reserveCapacity(candles.count - start)
        let last = candles.count - 1
        /// Sells the whole position at `price` (less slippage and the fee).
        func sell(at reference: Double, time: Int64, _ opened: (time: Int64, price: Double, cost: Double, qty: Double)) {
            let price = reference * (1 - slippage)
            let proceeds = qty * price * (1 - fee)
            cash += proceeds
            trades.append(Trade(entryTime: opened.time, exitTime: time, entryPrice: opened.price, exitPrice: price, qty: opened.qty, pnl: proceeds - opened.cost))
            qty = 0
            entry = nil
        }
        for t in start..<candles.count {
            let candle = candles[t]
            // The decision of candle t−1 fills at this candle's open.
            if pending == .buy, qty == 0, cash > 0 {
                let price = candle.open * (1 + slippage)
                var bought = cash / (price * (1 + fee))
                if let lotSize, lotSize > 0 { bought = (bought / lotSize).rounded(.down) * lotSize }
                if bought > 0 {
                    let spent = lotSize == nil ? cash : bought * price * (1 + fee)
                    qty = bought
                    cash -= spent
                    if lotSize == nil { cash = 0 }
                    entry = (candle.openTime, price, spent, qty)
                }
            } else if pending == .sell, qty > 0, let opened = entry {
                sell(at: candle.open, time: candle.openTime, opened)
            }
            if qty > 0 { exposed += 1 }
            pending = .hold
            let signal = strategy.onClose(candle)
            if t < last { pending = signal }  // a signal on the last candle is ignored
            if t == last, qty > 0, let opened = entry {
                sell(at: candle.close, time: candle.closeTime, opened)
            }
            equity.append(cash + qty * candle.close)
        }
        let judged = start == 0 ? candles : Array(candles[start...])
        var metrics = metrics(judged, equity: equity, trades: trades, finalCash: cash)
        metrics.exposure = judged.isEmpty ? 0 : Double(exposed) / Double(judged.count)
        return Result(metrics: metrics, trades: trades, equity: equity)
    }

    func metrics(_ candles: [StrategyCandle], equity: [Double], trades: [Trade], finalCash: Double) -> Metrics {
        guard let first = candles.first, let lastCandle = candles.last else {
            return Metrics(totalReturn: 0, buyAndHoldReturn: 0, maxDrawdown: 0, sharpe: nil, sortino: nil, winRate: nil, profitFactor: nil, trades: 0)
        }
        // Buy and hold: all in at the first open, out at the last close, with the same fee.
        let buyAndHold = lastCandle.close * (1 - fee) / (first.open * (1 + fee)) - 1
        var peak = cash
        var drawdown = 0.0
        for value in equity {
            peak = max(peak, value)
            if peak > 0 { drawdown = max(drawdown, (peak - value) / peak) }
        }
        let wins = trades.filter { $0.pnl > 0 }
        let losses = trades.filter { $0.pnl < 0 }
        let grossLoss = -losses.reduce(0) { $0 + $1.pnl }
        let (sharpe, sortino) = Self.ratios(candles, equity: equity, initial: cash)
        var metrics = Metrics(
            totalReturn: finalCash / cash - 1, buyAndHoldReturn: buyAndHold, maxDrawdown: drawdown, sharpe: sharpe, sortino: sortino,
            winRate: trades.isEmpty ? nil : Double(wins.count) / Double(trades.count),
            profitFactor: losses.isEmpty ? nil : wins.reduce(0) { $0 + $1.pnl } / grossLoss, trades: trades.count
        )
        let years = Double(lastCandle.closeTime + 1 - first.openTime) / 1000 / (365 * 86_400)
        if years >= 1.0 / 365, finalCash > 0 { metrics.cagr = pow(finalCash / cash, 1 / years) - 1 }
        if let cagr = metrics.cagr, drawdown > 0 { metrics.calmar = cagr / drawdown }
        metrics.expectancy = trades.isEmpty ? nil : trades.reduce(0) { $0 + $1.pnl } / Double(trades.count)
        // The longest stretch under a previous peak, from the peak's candle to the recovery (or the end).
        var peakValue = cash
        var peakTime = first.openTime
        var longest: Int64 = 0
        for (index, value) in equity.enumerated() {
            if value >= peakValue {
                longest = max(longest, candles[index].closeTime - peakTime)
                peakValue = value
                peakTime = candles[index].closeTime
            }
        }
        longest = max(longest, lastCandle.closeTime - peakTime)
        metrics.maxDrawdownDuration = peakValue == cash && drawdown == 0 ? 0 : Double(longest) / 1000
        return metrics
    }

    /// Sharpe and Sortino from daily returns of the equity (the last value of each UTC day,
    /// the day before the first starting at the initial cash), annualised with √365; nil with
    /// under two days of candles or no variation.
    static func ratios(_ candles: [StrategyCandle], equity: [Double], initial: Double) -> (Double?, Double?) {
        guard let first = candles.first, let last = candles.last, last.closeTime - first.openTime >= 2 * 86_400_000 else { return (nil, nil) }
        var closes: [Double] = [initial]
        var day = first.openTime / 86_400_000
        for (index, candle) in candles.enumerated() {
            let candleDay = candle.openTime / 86_400_000
            if candleDay != day {
                closes.append(equity[index - 1])
                day = candleDay
            }
        }
        closes.append(equity[equity.count - 1])
        var returns: [Double] = []
        for i in 1..<closes.count where closes[i - 1] > 0 { returns.append(closes[i] / closes[i - 1] - 1) }
        guard returns.count >= 2 else { return (nil, nil) }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)
        let downside = (returns.reduce(0) { $0 + min($1, 0) * min($1, 0) } / Double(returns.count)).squareRoot()
        let annual = Double(365).squareRoot()
        let sharpe = variance > 0 ? mean / variance.squareRoot() * annual : nil
        let sortino = downside > 0 ? mean / downside * annual : nil
        return (sharpe, sortino)
    }
}

extension Backtest.Result {
    /// CONTRACT §7's JSON (metrics as numbers, null where undefined; trades; equity), written directly: a million-point equity curve in a fraction
    /// of the time JSONSerialization takes. Keys sorted, numbers in round-trip precision.
    public func jsonText(symbol: String) -> String {
        var out = ""
        out.reserveCapacity(equity.count * 20 + trades.count * 200 + 512)
        func number(_ value: Double?) -> String {
            guard let value, value.isFinite else { return "null" }
            return value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)"
        }
        func string(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        out += "{\"equity\":["
        var first = true
        for value in equity {
            if !first { out += "," }
            first = false
            out += number(value)
        }
        let m = metrics
        out += "],\"metrics\":{\"buy_and_hold_return\":\(number(m.buyAndHoldReturn)),\"max_drawdown\":\(number(m.maxDrawdown))"
        out += ",\"profit_factor\":\(number(m.profitFactor)),\"sharpe\":\(number(m.sharpe)),\"sortino\":\(number(m.sortino))"
        out += ",\"total_return\":\(number(m.totalReturn)),\"trades\":\(m.trades),\"win_rate\":\(number(m.winRate))"
        out += ",\"cagr\":\(number(m.cagr)),\"max_drawdown_duration_seconds\":\(number(m.maxDrawdownDuration)),\"calmar\":\(number(m.calmar))"
        out += ",\"expectancy\":\(number(m.expectancy)),\"exposure\":\(number(m.exposure))}"
        out += ",\"symbol\":\(string(symbol)),\"trades\":["
        for (index, trade) in trades.enumerated() {
            if index > 0 { out += "," }
            let entry = Timestamp.string(Date(timeIntervalSince1970: TimeInterval(trade.entryTime) / 1000))
            let exit = Timestamp.string(Date(timeIntervalSince1970: TimeInterval(trade.exitTime) / 1000))
            out += "{\"entry_price\":\(number(trade.entryPrice)),\"entry_time\":\"\(entry)\",\"exit_price\":\(number(trade.exitPrice))"
            out += ",\"exit_time\":\"\(exit)\",\"pnl\":\(number(trade.pnl)),\"qty\":\(number(trade.qty))}"
        }
        out += "]}"
        return out
    }
}

extension Backtest.Result {
    /// The trades and the equity curve as CSV (the export of `--csv`).
    public func tradesCSV() -> String {
        var text = "entry_time,exit_time,entry_price,exit_price,qty,pnl\n"
        for t in trades {
            let entry = Timestamp.string(Date(timeIntervalSince1970: TimeInterval(t.entryTime) / 1000))
            let exit = Timestamp.string(Date(timeIntervalSince1970: TimeInterval(t.exitTime) / 1000))
            text += "\(entry),\(exit),\(t.entryPrice),\(t.exitPrice),\(t.qty),\(t.pnl)\n"
        }
        return text
    }

    public func equityCSV(_ candles: [StrategyCandle]) -> String {
        var text = "time,equity\n"
        for (candle, value) in zip(candles, equity) {
            text += "\(Timestamp.string(Date(timeIntervalSince1970: TimeInterval(candle.closeTime + 1) / 1000))),\(value)\n"
        }
        return text
    }
}
