import Common
import Foundation
import Logging

extension Trader {
    // MARK: - Entries, exits, risk

    /// A position large enough to sell: what is left below the lot size or the minimum order
    /// value after a sale (commission taken in the asset) is dust, not a position.
    func isActive(_ position: BotPosition) -> Bool {
        guard position.isOpen else { return false }
        guard let filter = filters[position.symbol] else { return true }
        let qty = filter.roundQuantity(position.qty)
        return qty >= filter.minQty && qty > 0 && qty * (prices[position.symbol] ?? 0) >= filter.minNotional
    }

    func enter(symbol: String, candle: Int64, reason: String) async {
        guard !(positions[symbol].map(isActive) ?? false) else { return }
        guard let filter = filters[symbol], let price = prices[symbol], price > 0 else { return }
        if let until = cooldownUntil[symbol], until > Date() {
            return refuse(symbol, "cooldown after a stop-loss until \(Timestamp.string(until))")
        }
        let open = positions.values.filter(isActive).count
        guard open < settings.risk.maxOpenPositions else {
            return refuse(symbol, "maximum open positions (\(settings.risk.maxOpenPositions)) reached")
        }
        let today = todayPnL()
        if settings.risk.dailyLossLimitUsdt > 0, today <= -settings.risk.dailyLossLimitUsdt {
            return refuse(symbol, "daily loss limit reached (today \(DecimalText.format(today, places: 2)) USDT); no new entries until tomorrow")
        }
        guard let valuation = portfolio.current else { return refuse(symbol, "the portfolio is not known yet") }
        let equity = valuation.totalUSDT
        let free = valuation.lines.first { $0.asset == "USDT" }?.free ?? 0
        var budget = min(equity * Decimal(settings.risk.maxPositionPct) / 100, settings.risk.maxPositionUsdt)
        budget = min(budget, free * Decimal(string: "0.995")!)
        let qty = filter.roundQuantity(budget / (price * Decimal(string: "1.002")!))
        guard qty > 0, qty * price >= filter.minNotional else {
            return refuse(symbol, "too little balance: \(DecimalText.format(free, places: 2)) USDT free allows no order above the minimum of \(filter.minNotional) USDT")
        }
        let id = clientOrderID(symbol: symbol, key: candle / 1000, purpose: "BE")
        await place(symbol: symbol, side: .buy, qty: qty, clientOrderID: id, reason: reason)
    }

    /// Sells the whole position at market.
    func exit(symbol: String, purpose: String, reason: String, key: Int64) async {
        guard let position = positions[symbol], position.isOpen, let filter = filters[symbol] else { return }
        let held = portfolio.current?.lines.first { $0.asset == position.baseAsset }?.free ?? position.qty
        let qty = filter.roundQuantity(min(position.qty, held))
        guard qty > 0 else { return refuse(symbol, "the position (\(position.qty)) is below the lot size; nothing to sell") }
        await place(symbol: symbol, side: .sell, qty: qty, clientOrderID: clientOrderID(symbol: symbol, key: key, purpose: "S" + purpose), reason: reason)
    }

    func checkExits(symbol: String) async {
        guard var position = positions[symbol], isActive(position), let price = prices[symbol], let entry = position.avgEntryPrice else { return }
        if price > position.peakPrice {
            position.peakPrice = price
            positions[symbol] = position
        }
        guard !hasOpenOrder(symbol: symbol) else { return }
        let key = Int64((position.openedAt ?? Date()).timeIntervalSince1970)
        let risk = settings.risk
        if risk.stopLossPct > 0, price <= entry * Decimal(1 - risk.stopLossPct / 100) {
            if risk.cooldownMinutes > 0 { cooldownUntil[symbol] = Date().addingTimeInterval(TimeInterval(risk.cooldownMinutes * 60)) }
            event("warning", "risk", "\(symbol): stop-loss at \(price) (entry \(DecimalText.format(entry, places: 2)), -\(risk.stopLossPct) %)")
            await exit(symbol: symbol, purpose: "L", reason: "stop-loss", key: key)
        } else if risk.takeProfitPct > 0, price >= entry * Decimal(1 + risk.takeProfitPct / 100) {
            event("info", "risk", "\(symbol): take-profit at \(price) (+\(risk.takeProfitPct) %)")
            await exit(symbol: symbol, purpose: "P", reason: "take-profit", key: key)
        } else if risk.trailingStopPct > 0, price <= position.peakPrice * Decimal(1 - risk.trailingStopPct / 100) {
            event("info", "risk", "\(symbol): trailing stop at \(price) (peak \(position.peakPrice), -\(risk.trailingStopPct) %)")
            await exit(symbol: symbol, purpose: "T", reason: "trailing stop", key: key)
        }
    }

    /// The maximum-drawdown kill switch, on every valuation.
    func checkDrawdown() async {
        guard let equity = portfolio.current?.totalUSDT, equity > 0 else { return }
        if equity > equityPeak {
            equityPeak = equity
            try? database.setState("equity_peak", DecimalText.format(equity))
        }
        let limit = settings.risk.maxDrawdownPct
        guard limit > 0, bot.current == .running, equity <= equityPeak * Decimal(1 - limit / 100) else { return }
        event("error", "risk", "maximum drawdown reached: equity \(DecimalText.format(equity, places: 2)) USDT is \(limit) % below its peak \(DecimalText.format(equityPeak, places: 2)); emergency stop")
        _ = await emergencyStop(reason: "maximum drawdown")
    }

    func refuse(_ symbol: String, _ reason: String) {
        logger.info("risk.refused", metadata: ["symbol": "\(symbol)", "reason": "\(reason)"])
        event("info", "risk", "\(symbol): no order — \(reason)")
    }

    func hasOpenOrder(symbol: String) -> Bool {
        ((try? database.orders(where: OrderRecord.openStatuses)) ?? []).contains { $0.symbol == symbol }
    }

    /// ≤ 36 characters, the same for the same decision: `u<user>-<symbol>-<key>-<purpose>`.
    func clientOrderID(symbol: String, key: Int64, purpose: String) -> String {
        ClientOrderID.make(user: user.rawValue, symbol: symbol, key: key, purpose: purpose)
    }

    func todayPnL() -> Decimal {
        let realized = realizedByDay[day(of: Date())] ?? 0
        let unrealized = positions.values.filter(\.isOpen).reduce(Decimal(0)) { sum, position in
            sum + (prices[position.symbol].map { position.unrealizedPnL(at: $0) } ?? 0)
        }
        return realized + unrealized
    }
}
