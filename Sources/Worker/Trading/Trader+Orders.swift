import Common
import Foundation
import Logging

extension Trader {
    // MARK: - Orders, exactly once

    /// Places an order exactly once: the intent is stored under its client id before it is sent
    /// (a second decision with the same id sends nothing), a refusal is recorded with the reason,
    /// and an answer that never came leaves it `UNKNOWN`, to be looked up, never resent.
    /// Returns the order as it stands afterwards, or nil when it had been decided before.
    @discardableResult
    func place(_ new: NewOrder, reason: String) async -> OrderRecord? {
        let now = Date()
        var order = OrderRecord(new, at: now, reason: reason)
        guard recordIntent(order) else { return nil }
        do {
            let report = try await client.place(new)
            await absorb(report, into: &order)
        } catch {
            failed(&order, error, reason: reason)
        }
        return order
    }

    /// Stores an intent; false (and nothing to send) when this client id was decided before or
    /// cannot be recorded.
    func recordIntent(_ order: OrderRecord) -> Bool {
        do {
            guard try database.insertIntent(order) else { return false }  // decided before: never sent twice
        } catch {
            event("error", "orders", "cannot record the order intent (\(error)); nothing was sent")
            return false
        }
        reporter.send(.order(order))
        unknownSince[order.clientOrderID] = order.createdAt
        return true
    }

    /// A send that failed: unknown outcome (looked up later) or refused (final).
    func failed(_ order: inout OrderRecord, _ error: ExchangeError, reason: String) {
        var lifecycle = OrderLifecycle(order.status)
        switch error {
        case .unknownOrderState(_, let why):
            lifecycle.apply(.noAnswer)
            order.reason = "\(reason); no answer (\(why)), looking it up"
            event("warning", "orders", "\(order.clientOrderID): state unknown (\(why)); it will be looked up, never resent")
        default:
            lifecycle.apply(.refused)
            order.reason = "\(reason); \(error)"
            unknownSince[order.clientOrderID] = nil
            event("error", "orders", "\(order.clientOrderID) refused: \(error)")
        }
        order.status = lifecycle.status
        order.updatedAt = Date()
        try? database.updateOrder(order)
        reporter.send(.order(order))
    }

    /// Takes the exchange's word for an order, and its fills. A status the lifecycle does not
    /// allow from where the order stands (a stale answer after a newer one) is not applied.
    func absorb(_ report: OrderReport, into order: inout OrderRecord) async {
        guard let reported = OrderStatus(rawValue: report.status), OrderStatus.exchangeStatuses.contains(reported) else {
            event("warning", "orders", "\(order.clientOrderID): the exchange reported the unknown status \(report.status.prefix(30)); kept as \(order.status)")
            return
        }
        var lifecycle = OrderLifecycle(order.status)
        if case .illegal(let from, _) = lifecycle.apply(.reported(reported)) {
            logger.info("order.stale_report", metadata: ["order.client_id": "\(order.clientOrderID)", "from": "\(from)", "to": "\(reported)"])
            return
        }
        let wasOpen = order.isOpen
        order.orderID = report.orderID
        order.status = lifecycle.status
        order.executedQty = report.executedQty
        order.origQty = report.origQty
        if report.orderListID >= 0 { order.orderListID = report.orderListID }
        if let stop = report.stopPrice { order.stopPrice = stop }
        if report.executedQty > 0 {
            order.price = report.cumulativeQuoteQty / report.executedQty
        } else if report.price > 0 {
            order.price = report.price
        }
        order.updatedAt = Date()
        try? database.updateOrder(order)
        reporter.send(.order(order))
        if !order.isOpen { unknownSince[order.clientOrderID] = nil }
        var fills = report.fills.map { fill in
            BotFill(
                symbol: report.symbol, tradeID: fill.tradeID, orderID: report.orderID, clientOrderID: report.clientOrderID, side: report.side,
                price: fill.price, qty: fill.quantity, quoteQty: fill.price * fill.quantity, commission: fill.commission,
                commissionAsset: fill.commissionAsset, time: Date()
            )
        }
        if fills.isEmpty, report.executedQty > 0, let trades = try? await client.myTrades(symbol: report.symbol, orderID: report.orderID) {
            fills = trades.map { trade in
                BotFill(
                    symbol: trade.symbol, tradeID: trade.tradeID, orderID: trade.orderID, clientOrderID: report.clientOrderID,
                    side: trade.isBuyer ? "BUY" : "SELL", price: trade.price, qty: trade.quantity, quoteQty: trade.quoteQuantity,
                    commission: trade.commission, commissionAsset: trade.commissionAsset, time: Date(timeIntervalSince1970: TimeInterval(trade.time) / 1000)
                )
            }
        }
        for fill in fills { add(fill) }
        if wasOpen, !order.isOpen { await closed(order) }
        reportPositions()
    }

    func add(_ fill: BotFill) {
        guard (try? database.insertFill(fill)) == true else { return }
        record(fill)
        reporter.send(.fill(fill))
        logger.info("order.fill", metadata: ["symbol": "\(fill.symbol)", "side": "\(fill.side)", "qty": "\(fill.qty)", "price": "\(fill.price)"])
    }

    /// Looks up every order whose outcome is not known (each pass), and the orders resting on
    /// the exchange (an exit may fill while nobody watches) every `restingCheckSeconds`, one
    /// `openOrders` call per symbol: what is still open unchanged costs no more, what changed or
    /// left the list is looked up alone. One the exchange still does not know 15 s after it was
    /// sent was never placed.
    func resolveUnknown(force: Bool = false) async {
        guard let pending = try? database.orders(where: OrderRecord.openStatuses) else { return }
        let now = Date()
        let checkResting = force || now.timeIntervalSince(restingCheckedAt) >= Self.restingCheckSeconds
        var resting: [String: [OrderRecord]] = [:]
        for order in pending where order.status.isOnExchange { resting[order.symbol, default: []].append(order) }
        if checkResting { restingCheckedAt = now }
        var lookups = pending.filter { !$0.status.isOnExchange }
        if checkResting {
            for (symbol, orders) in resting.sorted(by: { $0.key < $1.key }) {
                guard let open = try? await client.openOrders(symbol: symbol) else { return }
                let byID = Dictionary(open.map { ($0.clientOrderID, $0) }, uniquingKeysWith: { first, _ in first })
                for var order in orders {
                    if let report = byID[order.clientOrderID] {
                        if report.status != order.status.rawValue || report.executedQty != order.executedQty { await absorb(report, into: &order) }
                    } else {
                        lookups.append(order)
                    }
                }
            }
        }
        for var order in lookups {
            do {
                if let report = try await client.resolve(symbol: order.symbol, clientOrderID: order.clientOrderID) {
                    await absorb(report, into: &order)
                } else {
                    let since = unknownSince[order.clientOrderID] ?? order.updatedAt
                    var lifecycle = OrderLifecycle(order.status)
                    guard case .moved = lifecycle.apply(.notFound(secondsSinceSent: Date().timeIntervalSince(since))) else { continue }
                    order.status = lifecycle.status
                    order.reason = (order.reason ?? "") + "; the exchange never received it"
                    order.updatedAt = Date()
                    try? database.updateOrder(order)
                    reporter.send(.order(order))
                    unknownSince[order.clientOrderID] = nil
                }
            } catch {
                return  // the exchange is away: try again at the next pass
            }
        }
    }

    /// At start: orders left unknown are looked up (an order filled while the worker was down
    /// is recorded once, by its trade ids); open orders on the exchange that the bot did not
    /// place are adopted (shown) or cancelled, as the settings say — except those of the user's
    /// other bots (a grid's, a DCA deal's), which are theirs to keep.
    func reconcile() async {
        await resolveUnknown(force: true)
        await recordOrdersNeverReported()
        guard let open = try? await client.openOrders() else { return }
        let known = Set(((try? database.orders()) ?? []).map(\.clientOrderID))
        for report in open where !known.contains(report.clientOrderID) && !OrderPurpose(report.clientOrderID).isOtherBots(user: user.rawValue) {
            if settings.unknownOrders == "cancel" {
                _ = try? await cancelOnExchange(symbol: report.symbol, clientOrderID: report.clientOrderID, orderListID: report.orderListID)
                event("warning", "orders", "cancelled \(report.symbol) order \(report.orderID), which the bot did not place")
            } else {
                let now = Date()
                let adopted = OrderRecord(
                    clientOrderID: String(report.clientOrderID.prefix(36)), orderID: report.orderID, symbol: report.symbol, side: report.side,
                    type: report.type, status: OrderStatus(rawValue: report.status) ?? .new, price: report.price, origQty: report.origQty,
                    executedQty: report.executedQty, createdAt: now, updatedAt: now, reason: "adopted: open on the exchange, not placed by the bot",
                    orderListID: report.orderListID >= 0 ? report.orderListID : nil, stopPrice: report.stopPrice
                )
                if (try? database.insertIntent(adopted)) == true { reporter.send(.order(adopted)) }
            }
        }
    }

    /// At start: the bot's own orders that traded on the exchange and that neither this database
    /// nor the central one's history holds — a worker killed between the exchange's answer and
    /// its report (its host lost, another host running the user now) — are recorded from the
    /// exchange, with their fills by trade id, so every trade is recorded once. One `allOrders`
    /// per symbol of the settings.
    func recordOrdersNeverReported() async {
        guard let recorded = try? database.orders() else { return }
        let known = Set(recorded.map(\.clientOrderID))
        let mine = "u\(user.rawValue)-"
        for symbol in settings.symbols {
            guard let reports = try? await client.allOrders(symbol: symbol) else { return }
            for report in reports where report.executedQty > 0 && report.clientOrderID.hasPrefix(mine) && !known.contains(report.clientOrderID) {
                guard !OrderPurpose(report.clientOrderID).isHostedBotOrder else { continue }
                let now = Date()
                var order = OrderRecord(
                    clientOrderID: report.clientOrderID, orderID: report.orderID, symbol: report.symbol, side: report.side, type: report.type,
                    status: .unknown, price: report.price, origQty: report.origQty, executedQty: 0, createdAt: now, updatedAt: now,
                    reason: "recorded from the exchange: its worker stopped before reporting it",
                    orderListID: report.orderListID >= 0 ? report.orderListID : nil, stopPrice: report.stopPrice
                )
                guard (try? database.insertIntent(order)) == true else { continue }
                await absorb(report, into: &order)
                event("warning", "orders", "\(report.symbol) order \(report.orderID) traded on the exchange without being recorded (its worker stopped first); recorded now")
            }
        }
    }

    /// Cancels one order on the exchange, or its whole list when it belongs to one.
    func cancelOnExchange(symbol: String, clientOrderID: String, orderListID: Int64?) async throws(ExchangeError) -> [OrderReport] {
        try await Self.cancel(on: client, symbol: symbol, clientOrderID: clientOrderID, orderListID: orderListID)
    }

    /// The cancel itself, off the actor, so that many can run at once (``cancelOpenOrders``).
    /// Returns the orders it ended: a list's every leg.
    nonisolated static func cancel(
        on client: any ExchangeClient, symbol: String, clientOrderID: String, orderListID: Int64?
    ) async throws(ExchangeError) -> [OrderReport] {
        if let list = orderListID, list >= 0 {
            let report = try await client.cancelOrderList(symbol: symbol, orderListID: list)
            return report.orderReports
        }
        return [try await client.cancel(symbol: symbol, clientOrderID: clientOrderID)]
    }
}

extension OrderRecord {
    /// The intent of a new order, before it is sent.
    init(_ new: NewOrder, at now: Date, reason: String) {
        let (type, price, qty, stop): (String, Decimal?, Decimal, Decimal?) =
            switch new.kind {
            case .market(let quantity): ("MARKET", nil, quantity, nil)
            case .marketQuote: ("MARKET", nil, 0, nil)
            case .limit(let quantity, let price, _): ("LIMIT", price, quantity, nil)
            case .limitMaker(let quantity, let price): ("LIMIT_MAKER", price, quantity, nil)
            case .conditional(let c): (c.trigger.rawValue, c.limitPrice, c.quantity, c.stopPrice)
            }
        self.init(
            clientOrderID: new.clientOrderID, orderID: nil, symbol: new.symbol, side: new.side.rawValue, type: type, status: .intent, price: price,
            origQty: qty, executedQty: 0, createdAt: now, updatedAt: now, reason: reason, stopPrice: stop)
    }
}
