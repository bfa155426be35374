import Common
import Foundation
import HummingbirdWebSocket
import Synchronization

/// Market streams of one connection (`<symbol>@kline_<interval>`, `<symbol>@trade`), with live
/// SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS. Klines are pushed every second (Binance: every
/// 2 s, every 1 s for `1s`), and once more, closed (`"x":true`), when a candle ends.
struct MarketStream {
    let exchange: SimExchange
    let faults: Faults
    let combined: Bool
    let initial: [String]

    final class Subscriptions: Sendable {
        let names: Mutex<[String]>
        init(_ names: [String]) { self.names = Mutex(names) }
    }

    func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        let subscriptions = Subscriptions(initial)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await message in inbound.messages(maxSize: 64 * 1024) {
                    guard case .text(let text) = message, let request = StreamJSON.object(text) else { continue }
                    try await outbound.write(.text(answer(request, subscriptions)))
                }
            }
            group.addTask {
                // When pushing stops (an outage), close: that also ends the reader.
                try await push(outbound, subscriptions)
                try? await outbound.close(.goingAway, reason: nil)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func answer(_ request: [String: Any], _ subscriptions: Subscriptions) -> String {
        let id = request["id"] ?? NSNull()
        let params = request["params"] as? [String] ?? []
        switch request["method"] as? String {
        case "SUBSCRIBE":
            subscriptions.names.withLock { names in names += params.filter { !names.contains($0) } }
            return StreamJSON.text(["result": NSNull(), "id": id])
        case "UNSUBSCRIBE":
            subscriptions.names.withLock { names in names.removeAll { params.contains($0) } }
            return StreamJSON.text(["result": NSNull(), "id": id])
        case "LIST_SUBSCRIPTIONS":
            return StreamJSON.text(["result": subscriptions.names.withLock { $0 }, "id": id])
        default:
            return StreamJSON.text(["error": ["code": 2, "msg": "Invalid request: unknown method"], "id": id])
        }
    }

    private func push(_ outbound: WebSocketOutboundWriter, _ subscriptions: Subscriptions) async throws {
        var lastCandles: [String: Int64] = [:]
        var lastPrices: [String: Decimal] = [:]
        var tradeID: Int64 = 1
        while !Task.isCancelled {
            if faults.current.outage { return }
            let now = exchange.nowMs
            for name in subscriptions.names.withLock({ $0 }) {
                for event in events(name, now: now, lastCandles: &lastCandles, lastPrices: &lastPrices, tradeID: &tradeID) {
                    if faults.current.latencyMs > 0 { try await Task.sleep(for: .milliseconds(faults.current.latencyMs)) }
                    try await outbound.write(.text(combined ? StreamJSON.text(["stream": name, "data": event]) : StreamJSON.text(event)))
                }
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    private func events(
        _ name: String, now: Int64, lastCandles: inout [String: Int64], lastPrices: inout [String: Decimal], tradeID: inout Int64
    ) -> [[String: Any]] {
        let parts = name.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return [] }
        let symbol = parts[0].uppercased()
        guard MarketCatalog.bySymbol[symbol] != nil else { return [] }
        if parts[1] == "trade" {
            guard let price = exchange.price(symbol), lastPrices[name] != price else { return [] }
            lastPrices[name] = price
            tradeID += 1
            return [[
                "e": "trade", "E": now, "s": symbol, "t": tradeID, "p": DecimalText.format(price), "q": DecimalText.format(Decimal(string: "0.01")!),
                "T": now, "m": tradeID % 2 == 0, "M": true,
            ]]
        }
        guard parts[1].hasPrefix("kline_"), let interval = KlineInterval(rawValue: String(parts[1].dropFirst(6))),
            let candles = exchange.klines(symbol, interval: interval, start: nil, end: nil, limit: 2), let current = candles.last
        else { return [] }
        var events: [[String: Any]] = []
        if let previous = lastCandles[name], previous != current.openTime, candles.count == 2, candles[0].openTime == previous {
            events.append(kline(symbol, interval, candles[0], closed: true, now: now))
        }
        lastCandles[name] = current.openTime
        events.append(kline(symbol, interval, current, closed: false, now: now))
        return events
    }

    private func kline(_ symbol: String, _ interval: KlineInterval, _ candle: Candle, closed: Bool, now: Int64) -> [String: Any] {
        let api = { (value: Double, symbol: String) in SimAPI.priceText(value, symbol) }
        return [
            "e": "kline", "E": now, "s": symbol,
            "k": [
                "t": candle.openTime, "T": candle.openTime + interval.milliseconds - 1, "s": symbol, "i": interval.rawValue, "f": 0, "L": 0,
                "o": api(candle.open, symbol), "c": api(candle.close, symbol), "h": api(candle.high, symbol), "l": api(candle.low, symbol),
                "v": DecimalText.format(Decimal(candle.volume)), "n": candle.trades, "x": closed,
                "q": DecimalText.format(Decimal(candle.volume * candle.close)), "V": DecimalText.format(Decimal(candle.volume / 2)),
                "Q": DecimalText.format(Decimal(candle.volume * candle.close / 2)), "B": "0",
            ] as [String: Any],
        ]
    }
}
