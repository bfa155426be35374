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
                let close = payload.flatMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }?["close_positions"] as? Bool ?? false
                event("info", "bot", close ? "stopped; closing positions" : "stopped; positions kept, still protected by their exits")
                await cancelOpenOrders(onlyConfigured: true)
                if close { await closeAll(purpose: "C", reason: "stop and close") }
            case "emergency_stop":
                return await emergencyStop(reason: "requested by the user")
            case "settings_changed":
                guard let payload else { return "ok" }
                return await apply(settingsJSON: payload)
            case "cancel_order":
                guard let id = payload.flatMap({ (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] })?["order_id"] as? NSNumber
                else { return "refused: cancel_order needs order_id" }
                return await cancel(orderID: id.int64Value)
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

    @discardableResult
    func cancelOpenOrders(onlyConfigured: Bool) async -> Int {
        var count = 0
        for attempt in 0..<3 {
            guard let open = try? await client.openOrders() else {
                if attempt == 2 { event("error", "orders", "cannot list the open orders to cancel them: the exchange does not answer") }
                try? await Task.sleep(for: .milliseconds(300))
                continue
            }
            let targets = open.filter { !onlyConfigured || settings.symbols.contains($0.symbol) }
            if targets.isEmpty { break }
            await withTaskGroup(of: Bool.self) { group in
                for order in targets {
                    group.addTask { [client] in (try? await client.cancel(symbol: order.symbol, clientOrderID: order.clientOrderID)) != nil }
                }
                for await ok in group where ok { count += 1 }
            }
        }
        _ = await resolveUnknown()
        return count
    }

    func closeAll(purpose: String, reason: String) async {
        let key = Int64(Date().timeIntervalSince1970)
        for symbol in positions.keys.sorted() where positions[symbol]?.isOpen == true {
            if filters[symbol] == nil, let info = try? await client.exchangeInfo(symbols: [symbol]).first { filters[symbol] = info }
            if prices[symbol] == nil { prices[symbol] = try? await client.tickerPrices()[symbol] }
            guard let position = positions[symbol], isActive(position) else { continue }
            await exit(symbol: symbol, purpose: purpose, reason: reason, key: key)
        }
    }

    func cancel(orderID: Int64) async -> String {
        guard let order = ((try? database.orders()) ?? []).first(where: { $0.orderID == orderID }) else { return "refused: not an order of this bot" }
        do {
            let report = try await client.cancel(symbol: order.symbol, clientOrderID: order.clientOrderID)
            var updated = order
            await absorb(report, into: &updated)
            return "ok"
        } catch {
            return "refused: \(error)"
        }
    }
}
