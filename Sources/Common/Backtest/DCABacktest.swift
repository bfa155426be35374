import Foundation

/// A DCA bot over historical candles, through the live bot's ``DCADeal``. A deal opens at a
/// candle's open (a market buy at that price) whenever fewer than the maximum are active and,
/// when its start is a strategy's signal, that strategy said `buy` on the candle before (closed
/// candles only, as CONTRACT §7: one deal per signal; a signal while the maximum is open is
/// dropped, not queued); its
/// safety orders and take-profit fill from the next candle on, at their own prices, in the order
/// ``CandlePath`` says the price reached them. A take-profit re-placed after a safety fill waits
/// for the next candle too. The stop-loss sells at its price (or the candle's open, if that is
/// already below it); a trailing take-profit at its trailing price.
public struct DCABacktest: Sendable {
    public struct Deal: Sendable, Equatable {
        public let opened: Int64
        public var closed: Int64?
        public let entry: Decimal
        public var average: Decimal?
        public var safetyFilled: Int
        public var takeProfitPrice: Decimal?
        public var pnl: Decimal?
        public var reason: String?
    }

    public struct Result: Sendable {
        public let deals: [Deal]
        public let metrics: Backtest.Metrics
        public let trades: [Backtest.Trade]
        public let equity: [Double]
    }

    public let fee: Decimal

    public init(fee: Decimal = Decimal(string: "0.001")!) {
        self.fee = fee
    }

    public func run(plan: DCAPlan, filters: SymbolFilters, candles: [StrategyCandle]) -> Result {
        let budget = plan.budget
        var cash = budget
        var active: [Active] = []
        var deals: [Deal] = []
        var trades: [Backtest.Trade] = []
        var equity: [Double] = []
        equity.reserveCapacity(candles.count)
        var starts = plan.parameters.start.strategy()
        /// Whether the start strategy said `buy` on the last closed candle and no deal used it yet.
        var signalled = false
        for (index, candle) in candles.enumerated() {
            let open = Decimal.exactly(candle.open)
            // A deal opens only when its whole budget is there (and never more than the maximum).
            while active.count < min(max(plan.parameters.maxActiveDeals, 1), DCAParameters.activeDealRange.upperBound),
                starts == nil || signalled, cash >= plan.dealBudget,
                let opened = Active.open(plan: plan, filters: filters, price: open, fee: fee, candle: index, time: candle.openTime)
            {
                signalled = false
                var opened = opened
                opened.number = deals.count
                cash -= opened.spent
                deals.append(opened.record)
                active.append(opened)
            }
            for slot in active.indices {
                cash += active[slot].step(candle, index: index, fee: fee)
                deals[active[slot].number] = active[slot].record
                if let pnl = active[slot].record.pnl {
                    let record = active[slot].record
                    trades.append(Backtest.Trade(
                        entryTime: record.opened, exitTime: candle.openTime, entryPrice: record.entry.double,
                        exitPrice: active[slot].exitPrice.double, qty: active[slot].deal.boughtQuantity.double, pnl: pnl.double
                    ))
                }
            }
            active.removeAll { $0.record.closed != nil }
            if let signal = starts?.onClose(candle) { signalled = signal == .buy }
            let held = active.reduce(Decimal(0)) { $0 + $1.deal.heldQuantity }
            equity.append(cash.double + held.double * candle.close)
        }
        let metrics = Backtest.botMetrics(candles, equity: equity, trades: trades, cash: budget, fee: fee)
        return Result(deals: deals, metrics: metrics, trades: trades, equity: equity)
    }
}

extension DCABacktest {
    /// One open deal: the live deal, when each of its orders was placed, and its record.
    struct Active {
        var deal: DCADeal
        var record: Deal
        /// Its place in the result's deals.
        var number = 0
        let spent: Decimal
        /// The candle each resting order went out on (safety orders by index; the take-profit).
        var safetyPlacedAt: Int
        var takeProfitPlacedAt: Int
        var exitPrice: Decimal = 0

        static func open(plan: DCAPlan, filters: SymbolFilters, price: Decimal, fee: Decimal, candle: Int, time: Int64) -> Active? {
            let quantity = filters.roundQuantity(plan.parameters.baseOrder / price)
            guard quantity > 0 else { return nil }
            var deal = DCADeal(plan: plan, filters: filters)
            let feeQuote = quantity * price * fee
            _ = deal.baseFilled(DCAFill(price: price, quantity: quantity, feeQuote: feeQuote))
            let record = Deal(opened: time, entry: price, average: deal.averageEntry, safetyFilled: 0, takeProfitPrice: deal.takeProfitPrice)
            return Active(deal: deal, record: record, spent: quantity * price + feeQuote, safetyPlacedAt: candle, takeProfitPlacedAt: candle)
        }


        /// Plays one candle on the deal; returns the cash it moved (negative for buys).
        mutating func step(_ candle: StrategyCandle, index: Int, fee: Decimal) -> Decimal {
            var cash: Decimal = 0
            let trails = deal.plan.parameters.trailingPct != nil
            var resting: [CandlePath.Resting<Int>] = []
            if safetyPlacedAt < index {
                for order in deal.safetyOrders.dropFirst(deal.safetyFilled) { resting.append(.init(id: order.index, side: .buy, price: order.price)) }
            }
            if !trails, takeProfitPlacedAt < index, let price = deal.takeProfitPrice { resting.append(.init(id: 0, side: .sell, price: price)) }
            let open = Decimal.exactly(candle.open)
            let high = Decimal.exactly(candle.high)
            let low = Decimal.exactly(candle.low)
            let close = Decimal.exactly(candle.close)
            for hit in CandlePath.fills(resting, open: open, high: high, low: low, close: close) {
                guard record.closed == nil else { break }
                if hit.id == 0 {
                    // Skip a take-profit a safety fill earlier in this candle replaced.
                    guard takeProfitPlacedAt < index, hit.price == deal.takeProfitPrice else { continue }
                    cash += sell(at: hit.price, fee: fee, time: candle.openTime, reason: "take-profit")
                } else if let order = deal.safetyOrders.first(where: { $0.index == hit.id }) {
                    let feeQuote = order.quantity * order.price * fee
                    _ = deal.safetyFilled(index: order.index, DCAFill(price: order.price, quantity: order.quantity, feeQuote: feeQuote))
                    cash -= order.quantity * order.price + feeQuote
                    takeProfitPlacedAt = index
                }
            }
            // The stop-loss and the trailing take-profit, along the candle's path.
            for price in CandlePath.waypoints(open: open, high: high, low: low, close: close) where record.closed == nil {
                guard let average = deal.averageEntry else { break }
                let actions = deal.onPrice(price)
                guard case .sellAtMarket(_, let reason)? = actions.last else { continue }
                var at = price
                if let stop = deal.plan.parameters.stopLossPct, reason.hasPrefix("stop-loss") {
                    at = min(open, average * (1 - stop / 100))
                } else if let trailing = deal.plan.parameters.trailingPct, let peak = deal.peak {
                    at = peak * (1 - trailing / 100)
                }
                cash += sell(at: at, fee: fee, time: candle.openTime, reason: reason)
            }
            record.average = deal.averageEntry
            record.safetyFilled = deal.safetyFilled
            record.takeProfitPrice = deal.takeProfitPrice
            return cash
        }

        private mutating func sell(at price: Decimal, fee: Decimal, time: Int64, reason: String) -> Decimal {
            let quantity = deal.filters.roundQuantity(deal.heldQuantity)
            let feeQuote = quantity * price * fee
            _ = deal.exitFilled(price: price, quantity: quantity, feeQuote: feeQuote, reason: reason)
            if case .closed(_, let pnl) = deal.phase { record.pnl = pnl }
            record.closed = time
            record.reason = reason
            exitPrice = price
            return quantity * price - feeQuote
        }
    }
}

extension DCABacktest.Result {
    /// The part every strategy's result has: metrics, trades (here the cycles or closed deals), equity.
    public var summary: Backtest.Result { Backtest.Result(metrics: metrics, trades: trades, equity: equity) }

    /// The sma_cross result's JSON (metrics, the closed deals as trades, equity) and the deals.
    public func jsonText(symbol: String) -> String {
        var out = String(summary.jsonText(symbol: symbol).dropLast())
        out += ",\"strategy\":\"dca\",\"deals\":["
        func time(_ value: Int64?) -> String {
            value.map { "\"" + Timestamp.string(Date(timeIntervalSince1970: TimeInterval($0) / 1000)) + "\"" } ?? "null"
        }
        func number(_ value: Decimal?) -> String { value.map { "\($0)" } ?? "null" }
        for (index, deal) in deals.enumerated() {
            if index > 0 { out += "," }
            out += "{\"opened\":\(time(deal.opened)),\"closed\":\(time(deal.closed)),\"entry\":\(deal.entry),\"average\":\(number(deal.average))"
            out += ",\"safety_orders_filled\":\(deal.safetyFilled),\"take_profit_price\":\(number(deal.takeProfitPrice)),\"pnl\":\(number(deal.pnl))"
            out += ",\"reason\":" + (deal.reason.map { "\"\($0)\"" } ?? "null") + "}"
        }
        return out + "]}"
    }
}
