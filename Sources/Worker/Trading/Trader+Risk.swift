import Common
import Foundation
import Logging

extension Trader {
    // MARK: - Intents, entries, risk

    /// A position large enough to sell: what is left below the lot size or the minimum order
    /// value after a sale (commission taken in the asset) is dust, not a position.
    func isActive(_ position: BotPosition) -> Bool {
        guard position.isOpen else { return false }
        guard let filter = filters[position.symbol] else { return true }
        let qty = filter.roundQuantity(position.qty)
        return qty >= filter.minQty && qty > 0 && qty * (prices[position.symbol] ?? 0) >= filter.minNotional
    }

    /// Carries out what a strategy decided.
    func carryOut(_ intent: OrderIntent) async {
        let id = { (purpose: String) in self.clientOrderID(symbol: intent.symbol, key: intent.key, purpose: purpose) }
        switch intent.action {
        case .enter(let quantity):
            await enter(symbol: intent.symbol, key: intent.key, quantity: quantity, reason: intent.reason)
        case .exit:
            await exit(symbol: intent.symbol, purpose: "X", reason: intent.reason, key: intent.key)
        case .limit(let side, let quantity, let price, let timeInForce):
            await send(NewOrder(symbol: intent.symbol, side: side, kind: .limit(quantity: quantity, price: price, timeInForce: timeInForce), clientOrderID: id("LM")), reason: intent.reason)
        case .stopLimit(let side, let quantity, let stop, let limit):
            let conditional = ConditionalOrder(trigger: .stopLossLimit, quantity: quantity, stopPrice: stop, limitPrice: limit, timeInForce: "GTC")
            await send(NewOrder(symbol: intent.symbol, side: side, kind: .conditional(conditional), clientOrderID: id("SLL")), reason: intent.reason)
        case .exitPair:
            await ensureExits(symbol: intent.symbol)
        case .cancel(let clientOrderID):
            guard let order = ((try? database.orders()) ?? []).first(where: { $0.clientOrderID == clientOrderID }), let orderID = order.orderID else { return }
            _ = await cancel(orderID: orderID)
        }
    }

    /// Rounds an order to the symbol's filters and places it; one the filters refuse is
    /// reported with the filter's name and never sent.
    @discardableResult
    func send(_ order: NewOrder, reason: String) async -> OrderRecord? {
        guard let filter = filters[order.symbol], let price = prices[order.symbol] else {
            refuse(order.symbol, "the symbol's filters or price are not known yet")
            return nil
        }
        do {
            return await place(try BinanceClient.prepare(order, filters: filter, referencePrice: price), reason: reason)
        } catch {
            refuse(order.symbol, "\(error)")
            return nil
        }
    }

    func enter(symbol: String, key: Int64, quantity: Decimal?, reason: String) async {
        guard let filter = filters[symbol], let price = prices[symbol], price > 0 else { return }
        guard !hasOpenEntry(symbol: symbol) else { return }
        let valuation = portfolio.current
        let context = RiskCheck.Context(
            now: Date(), price: price, filters: filter, equityUSDT: valuation?.totalUSDT,
            freeUSDT: valuation?.lines.first { $0.asset == "USDT" }?.free ?? 0, openPositions: positions.values.filter(isActive).count,
            todayPnL: todayPnL(), cooldownUntil: cooldownUntil[symbol], hasActivePosition: positions[symbol].map(isActive) ?? false)
        let decision = RiskCheck(limits: settings.risk).entry(context, requested: quantity)
        switch decision {
        case .refuse(let why): return refuse(symbol, why)
        case .reduce(_, let why): event("info", "risk", "\(symbol): \(why)")
        case .allow: break
        }
        guard let qty = decision.quantity else { return }
        let order = EntryPlan.order(
            symbol: symbol, quantity: qty, bestPrice: price, execution: settings.execution, filters: filter,
            clientOrderID: clientOrderID(symbol: symbol, key: key, purpose: "BE"))
        await send(order, reason: reason)
    }

    /// Sells the whole position at market, after taking its exits off the exchange (they hold
    /// the coins it sells).
    func exit(symbol: String, purpose: String, reason: String, key: Int64) async {
        // From here the bot owns the sale: no new exits for this position while it sells.
        exitsInBot.insert(symbol)
        await cancelExits(symbol: symbol)
        guard let position = positions[symbol], position.isOpen, let filter = filters[symbol] else { return }
        // What the account holds of the coin, free or locked (the exits that locked it were just
        // cancelled, and the valuation may not have seen that yet), when the valuation is newer
        // than the position: coins sold elsewhere are not sold twice. An older one may predate the
        // entry's fill, so the position's own quantity stands.
        let valuation = portfolio.current
        let seenSinceOpen = (valuation?.balancesAt ?? .distantPast) > (position.openedAt ?? .distantFuture)
        let held = (seenSinceOpen ? valuation?.lines.first { $0.asset == position.baseAsset }?.total ?? 0 : nil) ?? position.qty
        let qty = filter.roundQuantity(min(position.qty, held))
        guard qty > 0 else { return refuse(symbol, "the position (\(position.qty)) is below the lot size; nothing to sell") }
        await place(NewOrder(symbol: symbol, side: .sell, kind: .market(quantity: qty), clientOrderID: clientOrderID(symbol: symbol, key: key, purpose: "S" + purpose)), reason: reason)
    }

    /// A limit entry not filled in time is cancelled, or re-priced to the market (settings).
    func checkEntryTimeouts() async {
        guard let open = try? database.orders(where: [.new, .partiallyFilled]) else { return }
        for var order in open where order.type == "LIMIT" && OrderPurpose(order.clientOrderID).isEntry && !OrderPurpose(order.clientOrderID).isManual {
            guard let filter = filters[order.symbol], let price = prices[order.symbol], let limit = order.price else { continue }
            switch EntryPlan.onTimeout(placedAt: order.createdAt, now: Date(), currentLimit: limit, bestPrice: price, execution: settings.execution, filters: filter) {
            case .wait:
                continue
            case .cancel(let why):
                event("info", "orders", "\(order.symbol): limit entry \(order.clientOrderID) \(why); cancelled")
                if let report = try? await client.cancel(symbol: order.symbol, clientOrderID: order.clientOrderID) { await absorb(report, into: &order) }
            case .reprice(let newPrice):
                await reprice(&order, to: newPrice, filter: filter)
            }
        }
    }

    /// Cancel-replace of a limit entry: the rest of its quantity at the new price, under the next
    /// client id of the same decision (`…-BE`, `…-B1`, … `…-B9`, then it is only cancelled).
    func reprice(_ order: inout OrderRecord, to price: Decimal, filter: SymbolFilters) async {
        let purpose = OrderPurpose(order.clientOrderID)
        let rest = filter.roundQuantity(order.origQty - order.executedQty)
        guard let nextID = purpose.nextReprice, rest >= filter.minQty, rest * price >= filter.minNotional else {
            if let report = try? await client.cancel(symbol: order.symbol, clientOrderID: order.clientOrderID) { await absorb(report, into: &order) }
            return
        }
        let new = NewOrder(symbol: order.symbol, side: .buy, kind: .limit(quantity: rest, price: price, timeInForce: "GTC"), clientOrderID: nextID)
        var replacement = OrderRecord(new, at: Date(), reason: "limit entry re-priced from \(order.price.map { DecimalText.format($0) } ?? "?") to \(price)")
        guard recordIntent(replacement) else { return }
        do {
            let result = try await client.cancelReplace(symbol: order.symbol, cancelClientOrderID: order.clientOrderID, with: new)
            if let cancelled = result.cancelled { await absorb(cancelled, into: &order) }
            if let placed = result.placed { await absorb(placed, into: &replacement) } else { failed(&replacement, .rejected(code: -2021, message: "not placed"), reason: "re-price") }
        } catch {
            failed(&replacement, error, reason: "re-price")
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

    func hasOpenOrder(symbol: String, except: (OrderPurpose) -> Bool = { _ in false }) -> Bool {
        ((try? database.orders(where: OrderRecord.openStatuses)) ?? []).contains { $0.symbol == symbol && !except(OrderPurpose($0.clientOrderID)) }
    }

    func hasOpenEntry(symbol: String) -> Bool {
        ((try? database.orders(where: OrderRecord.openStatuses)) ?? []).contains { $0.symbol == symbol && OrderPurpose($0.clientOrderID).isEntry }
    }

    /// ≤ 36 characters, the same for the same decision in every process (``ClientOrderID``).
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
