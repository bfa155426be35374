import Common
import Foundation
import Logging

extension Trader {
    // MARK: - Orders, exactly once

    func place(symbol: String, side: SymbolFilters.Side, qty: Decimal, clientOrderID: String, reason: String) async {
        let now = Date()
        var order = OrderRecord(
            clientOrderID: clientOrderID, orderID: nil, symbol: symbol, side: side.rawValue, type: "MARKET", status: "INTENT", price: nil,
            origQty: qty, executedQty: 0, createdAt: now, updatedAt: now, reason: reason
        )
        do {
            guard try database.insertIntent(order) else { return }  // decided before: never sent twice
        } catch {
            event("error", "orders", "cannot record the order intent (\(error)); nothing was sent")
            return
        }
        reporter.send(.order(order))
        unknownSince[clientOrderID] = now
        do {
            let report = try await client.place(NewOrder(symbol: symbol, side: side, kind: .market(quantity: qty), clientOrderID: clientOrderID))
            await absorb(report, into: &order)
        } catch {
            switch error {
            case .unknownOrderState(_, let why):
                order.status = "UNKNOWN"
                order.reason = "\(reason); no answer (\(why)), looking it up"
                event("warning", "orders", "\(clientOrderID): state unknown (\(why)); it will be looked up, never resent")
            default:
                order.status = "REJECTED"
                order.reason = "\(reason); \(error)"
                unknownSince[clientOrderID] = nil
                event("error", "orders", "\(clientOrderID) refused: \(error)")
            }
            order.updatedAt = Date()
            try? database.updateOrder(order)
            reporter.send(.order(order))
        }
    }

    /// Takes the exchange's word for an order, and its fills.
    func absorb(_ report: OrderReport, into order: inout OrderRecord) async {
        order.orderID = report.orderID
        order.status = report.status
        order.executedQty = report.executedQty
        order.origQty = report.origQty
        if report.executedQty > 0 { order.price = report.cumulativeQuoteQty / report.executedQty }
        order.updatedAt = Date()
        try? database.updateOrder(order)
        reporter.send(.order(order))
        if !OrderRecord.openStatuses.contains(report.status) { unknownSince[order.clientOrderID] = nil }
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
        reportPositions()
    }

    func add(_ fill: BotFill) {
        guard (try? database.insertFill(fill)) == true else { return }
        record(fill)
        reporter.send(.fill(fill))
        logger.info("order.fill", metadata: ["symbol": "\(fill.symbol)", "side": "\(fill.side)", "qty": "\(fill.qty)", "price": "\(fill.price)"])
    }

    /// Looks up every order whose outcome is not known. One the exchange still does not know
    /// 15 s after it was sent was never placed.
    func resolveUnknown() async {
        guard let pending = try? database.orders(where: ["INTENT", "UNKNOWN", "NEW", "PARTIALLY_FILLED"]) else { return }
        for var order in pending {
            do {
                if let report = try await client.resolve(symbol: order.symbol, clientOrderID: order.clientOrderID) {
                    await absorb(report, into: &order)
                } else if order.status == "INTENT" || order.status == "UNKNOWN" {
                    let since = unknownSince[order.clientOrderID] ?? order.updatedAt
                    if Date().timeIntervalSince(since) > 15 {
                        order.status = "NOT_PLACED"
                        order.reason = (order.reason ?? "") + "; the exchange never received it"
                        order.updatedAt = Date()
                        try? database.updateOrder(order)
                        reporter.send(.order(order))
                        unknownSince[order.clientOrderID] = nil
                    }
                }
            } catch {
                return  // the exchange is away: try again at the next pass
            }
        }
    }

    /// At start: orders left unknown are looked up (an order filled while the worker was down
    /// is recorded once, by its trade ids); open orders on the exchange that the bot did not
    /// place are adopted (shown) or cancelled, as the settings say.
    func reconcile() async {
        await resolveUnknown()
        guard let open = try? await client.openOrders() else { return }
        let known = Set(((try? database.orders()) ?? []).map(\.clientOrderID))
        for report in open where !known.contains(report.clientOrderID) {
            if settings.unknownOrders == "cancel" {
                _ = try? await client.cancel(symbol: report.symbol, clientOrderID: report.clientOrderID)
                event("warning", "orders", "cancelled \(report.symbol) order \(report.orderID), which the bot did not place")
            } else {
                let now = Date()
                let adopted = OrderRecord(
                    clientOrderID: String(report.clientOrderID.prefix(36)), orderID: report.orderID, symbol: report.symbol, side: report.side,
                    type: report.type, status: report.status, price: report.price, origQty: report.origQty, executedQty: report.executedQty,
                    createdAt: now, updatedAt: now, reason: "adopted: open on the exchange, not placed by the bot"
                )
                if (try? database.insertIntent(adopted)) == true { reporter.send(.order(adopted)) }
            }
        }
    }
}
