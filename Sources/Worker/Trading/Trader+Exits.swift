import Common
import Foundation
import Logging

extension Trader {
    // MARK: - Exits on the exchange

    /// Every open position gets its take-profit and stop-loss on the exchange as one OCO
    /// (`exits: on_exchange`), so the exchange sells even while this worker is down. Runs at
    /// start, after every fill of an entry, and on every pass.
    func ensureExits() async {
        guard bot.current != .emergencyStopped, bot.current != .error else { return }
        for symbol in positions.keys.sorted() { await ensureExits(symbol: symbol) }
    }

    func ensureExits(symbol: String) async {
        guard let position = positions[symbol], isActive(position) else {
            exitsInBot.remove(symbol)
            return
        }
        guard settings.execution.exits == .onExchange, !exitsInBot.contains(symbol), !hasOpenExit(symbol: symbol) else { return }
        guard let filter = filters[symbol], let price = prices[symbol], let entry = position.avgEntryPrice else { return }
        let key = Int64((position.openedAt ?? Date()).timeIntervalSince1970)
        // The position's own quantity (its fills, less commission taken in the coin): the
        // portfolio's balances may not have seen the entry's fill yet. Coins sold elsewhere make
        // the exchange refuse the list, and the bot then watches the position itself.
        switch ExitPlan.oco(
            user: user.rawValue, symbol: symbol, quantity: position.qty, averageEntry: entry, risk: settings.risk, filters: filter,
            lastPrice: price, key: key)
        {
        case .none:
            return
        case .impossible(let why):
            exitsInBot.insert(symbol)
            event("warning", "risk", "\(symbol): exits stay with the bot — \(why)")
        case .single(let order):
            if await place(order, reason: "exit of the position opened \(Timestamp.string(position.openedAt ?? Date())): \(OrderPurpose(order.clientOrderID).isStopLossLeg ? "stop-loss" : "take-profit")") == nil {
                exitsInBot.insert(symbol)
                event("warning", "risk", "\(symbol): the exit on the exchange ended with the position still open; the bot watches it itself")
            }
        case .oco(let list):
            if await placeList(list, reason: "exits of the position opened \(Timestamp.string(position.openedAt ?? Date()))") == nil {
                // These exits were placed before and are gone (cancelled or expired on the
                // exchange) while the position stays: the bot watches it itself from now on.
                exitsInBot.insert(symbol)
                event("warning", "risk", "\(symbol): the exits on the exchange ended with the position still open; the bot watches it itself")
            }
        }
    }

    /// Places an OCO exactly once: both legs are stored as intents first. Returns nil when the
    /// list was decided before.
    @discardableResult
    func placeList(_ list: NewOCO, reason: String) async -> [OrderRecord]? {
        let now = Date()
        func leg(_ leg: NewOCO.Leg) -> OrderRecord {
            OrderRecord(
                clientOrderID: leg.clientOrderID, orderID: nil, symbol: list.symbol, side: list.side.rawValue, type: leg.type, status: .intent,
                price: leg.price, origQty: list.quantity, executedQty: 0, createdAt: now, updatedAt: now,
                reason: "\(reason): \(leg.type == "LIMIT_MAKER" ? "take-profit" : "stop-loss")", stopPrice: leg.stopPrice)
        }
        var legs = [leg(list.above), leg(list.below)]
        guard recordIntent(legs[0]) else { return nil }
        _ = recordIntent(legs[1])
        do {
            let report = try await client.placeOCO(list)
            for index in legs.indices {
                if let found = report.orderReports.first(where: { $0.clientOrderID == legs[index].clientOrderID }) {
                    await absorb(found, into: &legs[index])
                } else if let member = report.orders.first(where: { $0.clientOrderID == legs[index].clientOrderID }) {
                    legs[index].orderID = member.orderID
                    legs[index].orderListID = report.orderListID
                    legs[index].status = .new
                    legs[index].updatedAt = Date()
                    try? database.updateOrder(legs[index])
                    reporter.send(.order(legs[index]))
                }
            }
            logger.info("exits.placed", metadata: ["symbol": "\(list.symbol)", "order_list.id": "\(report.orderListID)"])
        } catch {
            for index in legs.indices { failed(&legs[index], error, reason: reason) }
        }
        return legs
    }

    func hasOpenExit(symbol: String) -> Bool {
        ((try? database.orders(where: OrderRecord.openStatuses)) ?? []).contains { $0.symbol == symbol && OrderPurpose($0.clientOrderID).isExitLeg }
    }

    /// Takes a symbol's exit lists off the exchange (before the bot sells at market, or when
    /// the user stops and sells). True when it cancelled any.
    @discardableResult
    func cancelExits(symbol: String) async -> Bool {
        let open = ((try? database.orders(where: OrderRecord.openStatuses)) ?? []).filter { $0.symbol == symbol && OrderPurpose($0.clientOrderID).isExitLeg }
        var cancelledLists: Set<Int64> = []
        for var order in open {
            if let list = order.orderListID, cancelledLists.contains(list) { continue }
            do {
                let reports = try await cancelOnExchange(symbol: symbol, clientOrderID: order.clientOrderID, orderListID: order.orderListID)
                if let list = order.orderListID { cancelledLists.insert(list) }
                for report in reports {
                    if report.clientOrderID == order.clientOrderID {
                        await absorb(report, into: &order)
                    } else if var other = open.first(where: { $0.clientOrderID == report.clientOrderID }) {
                        await absorb(report, into: &other)
                    }
                }
            } catch {
                event("warning", "orders", "\(symbol): cannot cancel the exit \(order.clientOrderID): \(error)")
            }
        }
        if !open.isEmpty { await resolveUnknown(force: true) }
        return !cancelledLists.isEmpty
    }

    /// What happens when an order of ours ends: an entry's fill gets its exits; an exit leg's
    /// fill is told, and a stop-loss starts the cool-down.
    func closed(_ order: OrderRecord) async {
        let purpose = OrderPurpose(order.clientOrderID)
        if purpose.isExitLeg, order.status == .filled {
            let what = purpose.isStopLossLeg ? "stop-loss" : "take-profit"
            event(purpose.isStopLossLeg ? "warning" : "info", "risk", "\(order.symbol): \(what) filled on the exchange (\(order.executedQty) at \(order.price.map { DecimalText.format($0) } ?? "?"))")
            if purpose.isStopLossLeg, settings.risk.cooldownMinutes > 0 {
                cooldownUntil[order.symbol] = Date().addingTimeInterval(TimeInterval(settings.risk.cooldownMinutes * 60))
            }
        }
        if purpose.isEntry, order.executedQty > 0, order.side == "BUY" {
            if purpose.isManual {
                await placeManualExits(for: order)
            } else {
                await ensureExits(symbol: order.symbol)
            }
        }
    }

    /// The exits shown with a position: those resting on the exchange, or the settings' levels
    /// the bot watches itself.
    /// - Parameter openOrders: the open orders, read once by the caller for every position.
    func exitPrices(symbol: String, averageEntry: Decimal?, openOrders: [OrderRecord]) -> (stopLoss: Decimal?, takeProfit: Decimal?) {
        let legs = openOrders.filter { $0.symbol == symbol && OrderPurpose($0.clientOrderID).isExitLeg }
        let risk = settings.risk
        let bySettings = (
            averageEntry.flatMap { risk.stopLossPct > 0 ? $0 * Decimal(1 - risk.stopLossPct / 100) : nil },
            averageEntry.flatMap { risk.takeProfitPct > 0 ? $0 * Decimal(1 + risk.takeProfitPct / 100) : nil }
        )
        guard !legs.isEmpty else { return bySettings }
        // A trailing stop on the exchange has no fixed price: the settings' stop-loss is shown.
        return (
            legs.first { OrderPurpose($0.clientOrderID).isStopLossLeg }.flatMap { $0.stopPrice ?? bySettings.0 },
            legs.first { OrderPurpose($0.clientOrderID).isTakeProfitLeg }?.price
        )
    }

    // MARK: - Exits the bot watches

    /// `exits: in_bot`, or a position whose exits the exchange could not hold: the worker sells
    /// at market when the price reaches them.
    func checkExits(symbol: String) async {
        guard var position = positions[symbol], isActive(position), let price = prices[symbol], let entry = position.avgEntryPrice else { return }
        if price > position.peakPrice {
            position.peakPrice = price
            positions[symbol] = position
        }
        let risk = settings.risk
        let watched: BotSettings.Risk
        if settings.execution.exits == .inBot || exitsInBot.contains(symbol) {
            guard !hasOpenOrder(symbol: symbol) else { return }
            watched = risk
        } else if ExitPlan.trailingStaysWithBot(risk), hasOpenExit(symbol: symbol), !hasOpenOrder(symbol: symbol, except: \.isExitLeg) {
            // The exchange holds the fixed stop; the wider trailing stop is the bot's to watch.
            var trailingOnly = risk
            trailingOnly.stopLossPct = 0
            trailingOnly.takeProfitPct = 0
            watched = trailingOnly
        } else {
            return
        }
        guard let exit = InBotExit.decide(price: price, averageEntry: entry, peak: position.peakPrice, risk: watched) else { return }
        let key = Int64((position.openedAt ?? Date()).timeIntervalSince1970)
        switch exit {
        case .stopLoss:
            if risk.cooldownMinutes > 0 { cooldownUntil[symbol] = Date().addingTimeInterval(TimeInterval(risk.cooldownMinutes * 60)) }
            event("warning", "risk", "\(symbol): stop-loss at \(price) (entry \(DecimalText.format(entry, places: 2)), -\(risk.stopLossPct) %)")
            await self.exit(symbol: symbol, purpose: exit.purpose, reason: "stop-loss", key: key)
        case .takeProfit:
            event("info", "risk", "\(symbol): take-profit at \(price) (+\(risk.takeProfitPct) %)")
            await self.exit(symbol: symbol, purpose: exit.purpose, reason: "take-profit", key: key)
        case .trailingStop:
            event("info", "risk", "\(symbol): trailing stop at \(price) (peak \(position.peakPrice), -\(risk.trailingStopPct) %)")
            await self.exit(symbol: symbol, purpose: exit.purpose, reason: "trailing stop", key: key)
        }
    }
}
