import Foundation

/// A grid bot over historical candles, through the live bot's ``GridBook``. The grid opens at the
/// first candle's open (buying at that price what its opening sells need); an order placed on a
/// candle can fill from the next one on, at its own price, in the order ``CandlePath`` says the
/// price reached it. A stop-loss or take-profit ends the grid at its own price on the first candle
/// whose low (or high) reaches it, after that candle's fills.
public struct GridBacktest: Sendable {
    /// One filled grid order; `level` is the index of its price among the levels (a buy of cell i
    /// is at level i, its sell at level i + 1).
    public struct Fill: Sendable, Equatable {
        public let time: Int64
        public let cell: Int
        public let sequence: Int
        public let level: Int
        public let side: SymbolFilters.Side
        public let price: Decimal
        public let quantity: Decimal
        public let fee: Decimal
        /// Which range the fill belongs to: 0 the first, n after the range's n-th move up
        /// (a trailing grid); its `level` is an index into that range's levels.
        public var range = 0
    }

    /// A trailing grid's move up (``GridTrail``): at the close of the candle at `time`, its
    /// buys cancelled and the grid opened again on these levels.
    public struct Move: Sendable, Equatable {
        public let time: Int64
        public let levels: [Decimal]
        /// What the new range's opening sells needed, bought at the close.
        public let purchase: Decimal
    }

    public struct Result: Sendable {
        /// The grid's level prices, lowest first.
        public let levels: [Decimal]
        public let fills: [Fill]
        public let cycles: [GridCycle]
        public let gridProfit: Decimal
        /// The market purchase at the opening, for the opening sells.
        public let openingPurchase: Decimal
        public let ended: String?
        /// A trailing grid's moves up, oldest first (``levels`` are the first range's).
        public let moves: [Move]
        /// As for the other strategies; `trades` are the completed cycles.
        public let metrics: Backtest.Metrics
        public let trades: [Backtest.Trade]
        public let equity: [Double]
    }

    public let fee: Decimal

    public init(fee: Decimal = Decimal(string: "0.001")!) {
        self.fee = fee
    }

    /// `filters`: the symbol's, with which a trailing grid plans each new range (without them the
    /// range stays where it is).
    public func run(plan: GridPlan, candles: [StrategyCandle], filters: SymbolFilters? = nil) -> Result {
        var state = Run(plan: plan, fee: fee, opening: candles.first)
        state.filters = plan.parameters.trailing ? filters : nil
        var equity: [Double] = []
        equity.reserveCapacity(candles.count)
        for index in candles.indices {
            let candle = candles[index]
            // The cheap test first: most candles reach no order.
            if index > 0, candle.low <= state.highestBuy || candle.high >= state.lowestSell {
                state.fill(candle)
            }
            if index > 0, candle.low <= state.stopLoss || candle.high >= state.takeProfit {
                state.exit(candle)
            }
            if state.filters != nil, candle.close >= state.upper { state.trail(candle) }
            equity.append(state.cash + state.base * candle.close)
        }
        let metrics = Backtest.botMetrics(candles, equity: equity, trades: state.trades, cash: plan.parameters.investment, fee: fee)
        return Result(
            levels: plan.levels, fills: state.fills, cycles: state.earlierCycles + state.book.cycles, gridProfit: state.earlierProfit + state.book.gridProfit,
            openingPurchase: state.openingPurchase, ended: state.book.ended, moves: state.moves, metrics: metrics, trades: state.trades, equity: equity
        )
    }
}

extension GridBacktest {
    /// The state of one run: the book, the money in `Double` for the equity curve, and the
    /// prices at which the next candle can do anything.
    struct Run {
        var book: GridBook
        let fee: Decimal
        var cash: Double
        var base: Double
        let openingPurchase: Decimal
        var fills: [Fill] = []
        var trades: [Backtest.Trade] = []
        var boughtAt: [Int64]
        var highestBuy = -Double.infinity
        var lowestSell = Double.infinity
        var stopLoss: Double
        var takeProfit: Double
        /// A trailing grid's: the symbol's filters, its top level, and what its earlier ranges did.
        var filters: SymbolFilters?
        var upper: Double
        var moves: [Move] = []
        var earlierCycles: [GridCycle] = []
        var earlierProfit: Decimal = 0

        init(plan: GridPlan, fee: Decimal, opening candle: StrategyCandle?) {
            let price = candle.map { Decimal.exactly($0.open) } ?? plan.levels[0]
            self.fee = fee
            openingPurchase = candle == nil ? 0 : GridBook.openingPurchase(plan: plan, price: price)
            book = GridBook(plan: plan, openingPrice: price, openingBuy: (price: price, feePerUnit: price * fee))
            if candle == nil { _ = book.end(reason: "no candles") }
            cash = (plan.parameters.investment - openingPurchase * price * (1 + fee)).double
            base = openingPurchase.double
            boughtAt = Array(repeating: candle?.openTime ?? 0, count: plan.cellCount)
            stopLoss = plan.parameters.stopLossPrice?.double ?? -Double.infinity
            takeProfit = plan.parameters.takeProfitPrice?.double ?? Double.infinity
            upper = plan.levels[plan.levels.count - 1].double
            bounds()
        }

        /// The close is at or above the top level: with every cell sold (no coins held), the
        /// range moves up (``GridTrail``) and the grid opens again at the close, as the live
        /// grid does at its next look. A new range the filters or the money refuse ends it.
        mutating func trail(_ candle: StrategyCandle) {
            guard let filters, book.ended == nil, !book.orders.contains(where: { $0.side == .sell }) else { return }
            let price = Decimal.exactly(candle.close)
            guard let moved = GridTrail.movedUp(book.plan.parameters, price: price, tickSize: filters.tickSize) else { return }
            let free = Decimal.exactly(cash) + book.orders.reduce(0) { $0 + $1.price * $1.quantity }
            switch GridPlan.make(moved, filters: filters, price: price, makerFee: fee, freeQuote: free, allocation: nil) {
            case .failure(let refusals):
                _ = book.end(reason: "the range could not move up to \(moved.lowerPrice)–\(moved.upperPrice): \(refusals)")
                self.filters = nil
            case .success(let plan):
                earlierCycles += book.cycles
                earlierProfit += book.gridProfit
                let purchase = GridBook.openingPurchase(plan: plan, price: price)
                book = GridBook(plan: plan, openingPrice: price, openingBuy: (price: price, feePerUnit: price * fee))
                cash -= (purchase * price * (1 + fee)).double
                base += purchase.double
                boughtAt = Array(repeating: candle.openTime, count: plan.cellCount)
                upper = plan.levels[plan.levels.count - 1].double
                moves.append(Move(time: candle.openTime, levels: plan.levels, purchase: purchase))
            }
            bounds()
        }

        mutating func fill(_ candle: StrategyCandle) {
            let resting = book.orders.map { CandlePath.Resting(id: $0, side: $0.side, price: $0.price) }
            let reached = CandlePath.fills(
                resting, open: .exactly(candle.open), high: .exactly(candle.high), low: .exactly(candle.low), close: .exactly(candle.close)
            )
            for hit in reached {
                let order = hit.id
                let fee = order.price * order.quantity * self.fee
                let cyclesBefore = book.cycles.count
                _ = book.apply(GridFill(cell: order.cell, sequence: order.sequence, side: order.side, price: order.price, quantity: order.quantity, feeQuote: fee))
                let value = (order.price * order.quantity).double
                switch order.side {
                case .buy:
                    cash -= value + fee.double
                    base += order.quantity.double
                    boughtAt[order.cell] = candle.openTime
                case .sell:
                    cash += value - fee.double
                    base -= order.quantity.double
                }
                fills.append(Fill(
                    time: candle.openTime, cell: order.cell, sequence: order.sequence, level: order.side == .buy ? order.cell : order.cell + 1,
                    side: order.side, price: order.price, quantity: order.quantity, fee: fee, range: moves.count
                ))
                if book.cycles.count > cyclesBefore, let cycle = book.cycles.last {
                    trades.append(Backtest.Trade(
                        entryTime: boughtAt[order.cell], exitTime: candle.openTime, entryPrice: cycle.buyPrice.double,
                        exitPrice: cycle.sellPrice.double, qty: cycle.quantity.double, pnl: cycle.profit.double
                    ))
                }
            }
            bounds()
        }

        /// Ends the grid at its stop-loss or take-profit price, selling what it holds there.
        mutating func exit(_ candle: StrategyCandle) {
            let parameters = book.plan.parameters
            let (price, reason): (Decimal, String)
            if candle.low <= stopLoss, let stop = parameters.stopLossPrice {
                (price, reason) = (stop, "stop-loss at \(stop)")
            } else if let take = parameters.takeProfitPrice {
                (price, reason) = (take, "take-profit at \(take)")
            } else {
                return
            }
            let (_, sold) = book.end(reason: reason)
            cash += (sold * price * (1 - fee)).double
            base = 0
            stopLoss = -Double.infinity
            takeProfit = Double.infinity
            bounds()
        }

        /// The highest resting buy and the lowest resting sell: a candle between them fills nothing.
        mutating func bounds() {
            highestBuy = -Double.infinity
            lowestSell = Double.infinity
            for order in book.orders {
                if order.side == .buy { highestBuy = max(highestBuy, order.price.double) } else { lowestSell = min(lowestSell, order.price.double) }
            }
            if book.ended != nil {
                highestBuy = -Double.infinity
                lowestSell = Double.infinity
            }
        }
    }
}

extension Backtest {
    /// The metrics of a bot that is in the market from the first candle (a grid, DCA deals):
    /// as for the strategies, against the money it was given, with full exposure.
    static func botMetrics(_ candles: [StrategyCandle], equity: [Double], trades: [Trade], cash: Decimal, fee: Decimal) -> Metrics {
        let backtest = Backtest(fee: fee.double, cash: cash.double)
        var metrics = backtest.metrics(candles, equity: equity, trades: trades, finalCash: equity.last ?? cash.double)
        metrics.exposure = candles.isEmpty ? 0 : 1
        return metrics
    }
}

extension Decimal {
    /// The decimal a `Double` prints as (its shortest round-trip form), not its binary expansion:
    /// a candle's 0.1 is 0.1.
    public static func exactly(_ value: Double) -> Decimal {
        Decimal(string: "\(value)") ?? Decimal(value)
    }

    var double: Double { NSDecimalNumber(decimal: self).doubleValue }
}

extension GridBacktest.Result {
    /// The part every strategy's result has: metrics, trades (here the cycles or closed deals), equity.
    public var summary: Backtest.Result { Backtest.Result(metrics: metrics, trades: trades, equity: equity) }

    /// The sma_cross result's JSON (metrics, the cycles as trades, equity) and the grid's own:
    /// `strategy`, `cycles`, `grid_profit`, `opening_purchase`, `ended`, and every fill with its level.
    public func jsonText(symbol: String) -> String {
        var out = String(summary.jsonText(symbol: symbol).dropLast())
        out += ",\"strategy\":\"grid\",\"cycles\":\(cycles.count),\"grid_profit\":\(gridProfit),\"opening_purchase\":\(openingPurchase)"
        out += ",\"ended\":" + (ended.map { "\"\($0)\"" } ?? "null") + ",\"fills\":["
        for (index, fill) in fills.enumerated() {
            if index > 0 { out += "," }
            let time = Timestamp.string(Date(timeIntervalSince1970: TimeInterval(fill.time) / 1000))
            out += "{\"time\":\"\(time)\",\"cell\":\(fill.cell),\"level\":\(fill.level),\"side\":\"\(fill.side.rawValue)\""
            out += ",\"price\":\(fill.price),\"qty\":\(fill.quantity),\"fee\":\(fill.fee),\"range\":\(fill.range)}"
        }
        out += "],\"range_moves\":["
        for (index, move) in moves.enumerated() {
            if index > 0 { out += "," }
            let time = Timestamp.string(Date(timeIntervalSince1970: TimeInterval(move.time) / 1000))
            out += "{\"time\":\"\(time)\",\"lower\":\(move.levels.first ?? 0),\"upper\":\(move.levels.last ?? 0),\"purchase\":\(move.purchase)}"
        }
        return out + "]}"
    }
}
