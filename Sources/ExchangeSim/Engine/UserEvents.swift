import Common
import Foundation

/// The user data stream's events of every account (`executionReport`,
/// `outboundAccountPosition`), numbered so that each stream connection can follow from where it
/// is. Kept in memory only; the REST API is the record.
struct UserEventLog: Sendable {
    private(set) var events: [String: [(Int, String)]] = [:]
    private var sequence = 0
    static let kept = 5_000

    mutating func append(_ key: String, _ event: [String: Any]) {
        sequence += 1
        let data = (try? JSONSerialization.data(withJSONObject: event, options: [.withoutEscapingSlashes])) ?? Data()
        var list = events[key] ?? []
        list.append((sequence, String(decoding: data, as: UTF8.self)))
        if list.count > Self.kept { list.removeFirst(list.count - Self.kept) }
        events[key] = list
    }

    func after(_ key: String, _ cursor: Int) -> [(Int, String)] {
        (events[key] ?? []).filter { $0.0 > cursor }
    }

    var latest: Int { sequence }
}

extension SimExchange {
    /// Binance's `executionReport` for an order after an execution of type `executionType`.
    static func executionReport(_ order: SimOrder, fill: SimFill?, executionType: String, now: Int64, expiryReason: String? = nil) -> [String: Any] {
        let d = DecimalText.format
        var report: [String: Any] = [
            "e": "executionReport", "E": now, "s": order.symbol, "c": order.clientOrderID, "S": order.side.rawValue, "o": order.type,
            "f": order.timeInForce ?? "GTC", "q": d(order.origQty, 8), "p": d(order.price, 8), "P": d(order.stopPrice ?? 0, 8), "F": d(0, 8),
            "g": order.listID, "C": executionType == "CANCELED" ? order.clientOrderID : "", "x": executionType, "X": order.status, "r": "NONE",
            "i": order.orderID, "l": d(fill?.qty ?? 0, 8), "z": d(order.executedQty, 8), "L": d(fill?.price ?? 0, 8),
            "n": d(fill?.commission ?? 0, 8), "N": fill?.commissionAsset ?? NSNull(), "T": fill?.time ?? now, "t": fill?.tradeID ?? -1,
            "I": now, "w": order.isOpen && !order.executesAsMarket && !order.isWaiting, "m": fill?.isMaker ?? false, "M": false,
            "O": order.time, "Z": d(order.cumulativeQuoteQty, 8), "Y": d(fill?.quoteQty ?? 0, 8), "Q": d(order.origQuoteOrderQty, 8),
            "W": order.isWaiting ? -1 : order.workingTime ?? order.time, "V": "NONE",
        ]
        if let delta = order.trailingDelta {
            report["d"] = delta
            report["D"] = order.trailingTime ?? -1
        }
        if let expiryReason { report["eR"] = expiryReason }
        return report
    }

    /// Binance's `listStatus` event, sent with the reports of an order list's orders.
    static func listStatus(_ list: SimOrderList, orders: [SimOrder], now: Int64) -> [String: Any] {
        [
            "e": "listStatus", "E": now, "s": list.symbol, "g": list.orderListID, "c": list.contingencyType, "l": list.listStatusType,
            "L": list.listOrderStatus, "r": "NONE", "C": list.listClientOrderID, "T": list.transactionTime,
            "O": orders.map { ["s": $0.symbol, "i": $0.orderID, "c": $0.clientOrderID] as [String: Any] },
        ]
    }

    /// Records one event for an account someone listens to.
    static func recordReport(_ state: inout State, key: String, _ event: [String: Any]) {
        guard (state.listeners[key] ?? 0) > 0 else { return }
        state.userEvents.append(key, event)
    }

    static func accountPosition(_ account: SimAccount, assets: [String], now: Int64) -> [String: Any] {
        [
            "e": "outboundAccountPosition", "E": now, "u": now,
            "B": assets.sorted().map { asset in
                let balance = account.balances[asset] ?? Balance()
                return ["a": asset, "f": DecimalText.format(balance.free), "l": DecimalText.format(balance.locked)]
            },
        ]
    }

    /// Records what an order did: its reports, then the balances it moved.
    /// `account` is the account when it is out of `state.accounts` while it changes.
    static func recordEvents(
        _ state: inout State, key: String, account: SimAccount? = nil, order: SimOrder, fills: [SimFill], closing: String?, now: Int64, isNew: Bool,
        position: Bool = true
    ) {
        guard (state.listeners[key] ?? 0) > 0, let account = account ?? state.accounts[key], let market = MarketCatalog.bySymbol[order.symbol] else { return }
        var snapshot = order
        if isNew {
            snapshot.status = "NEW"
            snapshot.executedQty = 0
            snapshot.cumulativeQuoteQty = 0
            state.userEvents.append(key, executionReport(snapshot, fill: nil, executionType: "NEW", now: now))
        }
        for fill in fills {
            snapshot.executedQty += isNew ? fill.qty : 0
            snapshot.cumulativeQuoteQty += isNew ? fill.quoteQty : 0
            if !isNew { snapshot = order }
            snapshot.status = snapshot.executedQty >= snapshot.origQty ? "FILLED" : "PARTIALLY_FILLED"
            state.userEvents.append(key, executionReport(snapshot, fill: fill, executionType: "TRADE", now: now))
        }
        if let closing {
            state.userEvents.append(key, executionReport(order, fill: nil, executionType: closing, now: now))
        }
        guard position else { return }
        state.userEvents.append(key, accountPosition(account, assets: [market.filters.baseAsset, market.filters.quoteAsset], now: now))
    }
}
