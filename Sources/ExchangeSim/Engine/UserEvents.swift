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
    static func executionReport(_ order: SimOrder, fill: SimFill?, executionType: String, now: Int64) -> [String: Any] {
        let d = DecimalText.format
        return [
            "e": "executionReport", "E": now, "s": order.symbol, "c": order.clientOrderID, "S": order.side.rawValue, "o": order.type,
            "f": order.timeInForce ?? "GTC", "q": d(order.origQty, 8), "p": d(order.price, 8), "P": d(0, 8), "F": d(0, 8), "g": -1,
            "C": executionType == "CANCELED" ? order.clientOrderID : "", "x": executionType, "X": order.status, "r": "NONE",
            "i": order.orderID, "l": d(fill?.qty ?? 0, 8), "z": d(order.executedQty, 8), "L": d(fill?.price ?? 0, 8),
            "n": d(fill?.commission ?? 0, 8), "N": fill?.commissionAsset ?? NSNull(), "T": fill?.time ?? now, "t": fill?.tradeID ?? -1,
            "I": now, "w": order.isOpen && order.type != "MARKET", "m": fill?.isMaker ?? false, "M": false, "O": order.time,
            "Z": d(order.cumulativeQuoteQty, 8), "Y": d(fill?.quoteQty ?? 0, 8), "Q": d(order.origQuoteOrderQty, 8), "W": order.time,
            "V": "NONE",
        ]
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
    static func recordEvents(_ state: inout State, key: String, order: SimOrder, fills: [SimFill], closing: String?, now: Int64, isNew: Bool) {
        guard (state.listeners[key] ?? 0) > 0, let account = state.accounts[key], let market = MarketCatalog.bySymbol[order.symbol] else { return }
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
        state.userEvents.append(key, accountPosition(account, assets: [market.filters.baseAsset, market.filters.quoteAsset], now: now))
    }
}
