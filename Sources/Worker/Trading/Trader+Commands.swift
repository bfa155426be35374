import Common
import Foundation
import Logging

extension Trader {
    // MARK: - Commands

    func command(_ name: String, payload: String?) async -> String {
        do {
            switch name {
            case "start":
                try bot.set(.running)
                event("info", "bot", "started")
            case "stop":
                try bot.set(.stopped)
                // The web's `StopPayload`; none (the supervisor's own stop) keeps the positions.
                let close = payload.flatMap { try? JSONDecoder().decode(StopPayload.self, from: Data($0.utf8)) }?.closePositions ?? false
                event("info", "bot", close ? "stopped; closing positions" : "stopped; positions kept, still protected by their exits")
                // Selling everything: the exits come off the exchange and are not put back.
                if close { exitsInBot.formUnion(positions.keys) }
                await cancelOpenOrders(onlyConfigured: true, keepExits: !close)
                if close { await closeAll(purpose: "C", reason: "stop and close") }
            case "emergency_stop":
                return await emergencyStop(reason: "requested by the user")
            case "settings_changed":
                guard let payload else { return "ok" }
                return await apply(settingsJSON: payload)
            case "place_order":
                return await placeManual(payload: payload)
            case "cancel_order":
                guard let cancel = payload.flatMap({ try? JSONDecoder().decode(CancelOrderPayload.self, from: Data($0.utf8)) })
                else { return "refused: cancel_order needs order_id" }
                return await self.cancel(orderID: cancel.orderID)
            default:
                return "unknown command"
            }
        } catch {
            return "error: \(error)"
        }
        reporter.send(.heartbeat(state: bot.current.rawValue))
        return "ok"
    }

    /// Cancels every open order of the account on every symbol, sells the positions into USDT
    /// when the settings say so, and stays stopped across restarts until the next start.
    func emergencyStop(reason: String) async -> String {
        do {
            try bot.set(.emergencyStopped)
        } catch {
            return "error: \(error)"
        }
        reporter.send(.heartbeat(state: bot.current.rawValue))
        let cancelled = await cancelOpenOrders(onlyConfigured: false)
        if settings.emergencyClosePositions { await closeAll(purpose: "E", reason: "emergency stop") }
        event("warning", "bot", "emergency stop (\(reason)): \(cancelled) open orders cancelled\(settings.emergencyClosePositions ? ", positions sold" : "")")
        return "ok"
    }

    /// Cancels the account's open orders (on the configured symbols, or on all), an order list
    /// as a whole; `keepExits` leaves the positions' exits resting (a plain stop keeps them
    /// protected).
    @discardableResult
    func cancelOpenOrders(onlyConfigured: Bool, keepExits: Bool = false) async -> Int {
        var count = 0
        for attempt in 0..<3 {
            guard let open = try? await client.openOrders() else {
                if attempt == 2 { event("error", "orders", "cannot list the open orders to cancel them: the exchange does not answer") }
                try? await Task.sleep(for: .milliseconds(300))
                continue
            }
            let targets = open.filter { order in
                (!onlyConfigured || settings.symbols.contains(order.symbol)) && !(keepExits && OrderPurpose(order.clientOrderID).isExitLeg)
            }
            if targets.isEmpty { break }
            // One cancel per list: cancelling a list ends all its orders.
            var seenLists: Set<Int64> = []
            let unique = targets.filter { $0.orderListID < 0 || seenLists.insert($0.orderListID).inserted }
            await withTaskGroup(of: Int.self) { group in
                for order in unique {
                    group.addTask { [client] in
                        (try? await Trader.cancel(on: client, symbol: order.symbol, clientOrderID: order.clientOrderID, orderListID: order.orderListID))?.count
                            ?? 0
                    }
                }
                for await cancelled in group { count += cancelled }
            }
        }
        await resolveUnknown(force: true)
        return count
    }

    func closeAll(purpose: String, reason: String) async {
        let key = Int64(Date().timeIntervalSince1970)
        for symbol in positions.keys.sorted() where positions[symbol]?.isOpen == true {
            await knowSymbol(symbol)
            guard let position = positions[symbol], isActive(position) else { continue }
            await exit(symbol: symbol, purpose: purpose, reason: reason, key: key)
        }
    }

    func cancel(orderID: Int64) async -> String {
        let orders = (try? database.orders()) ?? []
        guard let order = orders.first(where: { $0.orderID == orderID }) else { return "refused: not an order of this bot" }
        do {
            for report in try await cancelOnExchange(symbol: order.symbol, clientOrderID: order.clientOrderID, orderListID: order.orderListID) {
                guard var updated = orders.first(where: { $0.clientOrderID == report.clientOrderID }) else { continue }
                await absorb(report, into: &updated)
            }
            if order.orderListID != nil { await resolveUnknown(force: true) }
            return "ok"
        } catch {
            return "refused: \(error)"
        }
    }
}
