import Foundation
import Logging
import NIOCore
import Synchronization
import WSClient

/// What a stream reports.
public enum StreamEvent: Sendable, Equatable {
    case connected
    case disconnected(String)
    case kline(symbol: String, interval: String, kline: Kline, closed: Bool)
    case trade(symbol: String, price: Decimal, quantity: Decimal, time: Int64)
    case execution(ExecutionReport)
    case balances([AccountSnapshot.Balance])
}

/// An order update from the user data stream (`executionReport`).
public struct ExecutionReport: Sendable, Equatable {
    public let symbol: String
    public let orderID: Int64
    public let clientOrderID: String
    public let side: String
    public let executionType: String
    public let status: String
    public let lastQuantity: Decimal
    public let lastPrice: Decimal
    public let cumulativeQuantity: Decimal
    public let cumulativeQuote: Decimal
    public let commission: Decimal
    public let commissionAsset: String?
    public let tradeID: Int64
}

/// A Binance WebSocket stream that stays up: it reconnects with backoff (0.5 s doubling to
/// 30 s) after a drop, and treats a connection that is open but silent for `silenceTimeout`
/// as dropped. Combined-stream and WebSocket-API wrappers are unwrapped.
public struct BinanceStream: Sendable {
    public let url: String
    /// Sent after each connect (a WebSocket API subscription, freshly signed).
    public let subscribe: (@Sendable () -> String)?
    public let silenceTimeout: Duration
    let logger: Logger

    public init(url: String, silenceTimeout: Duration = .seconds(30), logger: Logger = Logger(label: "stream"), subscribe: (@Sendable () -> String)? = nil) {
        self.url = url
        self.subscribe = subscribe
        self.silenceTimeout = silenceTimeout
        self.logger = logger
    }

    /// The events, until the consumer stops listening.
    public func events() -> AsyncStream<StreamEvent> {
        let (stream, continuation) = AsyncStream<StreamEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let task = Task { await run(continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func run(_ continuation: AsyncStream<StreamEvent>.Continuation) async {
        var delay = Duration.milliseconds(500)
        while !Task.isCancelled {
            let heard = Box(false)
            do {
                try await connectOnce(continuation, heard: heard)
                continuation.yield(.disconnected("closed by the server"))
            } catch {
                continuation.yield(.disconnected("\(error)"))
            }
            if heard.withLock({ $0 }) { delay = .milliseconds(500) }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
        continuation.finish()
    }

    struct Silence: Error, CustomStringConvertible {
        let description = "no message within the silence timeout"
    }

    /// A value shared between a connection's tasks.
    final class Box<Value: Sendable>: Sendable {
        private let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
    }

    private func connectOnce(_ continuation: AsyncStream<StreamEvent>.Continuation, heard: Box<Bool>) async throws {
        let subscribe = subscribe
        let silenceTimeout = silenceTimeout
        try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
            continuation.yield(.connected)
            if let subscribe { try await outbound.write(.text(subscribe())) }
            let last = Box(ContinuousClock.now)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if Task.isCancelled { break }
                        last.withLock { $0 = .now }
                        heard.withLock { $0 = true }
                        guard case .text(let text) = message else { continue }
                        for event in StreamDecoding.events(text) { continuation.yield(event) }
                    }
                }
                // The watchdog: on silence, or when the stream is no longer wanted, it closes the
                // connection, which ends the reader too.
                group.addTask {
                    do {
                        while true {
                            try await Task.sleep(for: .milliseconds(250))
                            if ContinuousClock.now - last.withLock({ $0 }) > silenceTimeout { throw Silence() }
                        }
                    } catch {
                        try? await outbound.close(.goingAway, reason: nil)
                        throw error
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Reads stream messages into events; anything else (subscription answers) is skipped.
enum StreamDecoding {
    static func events(_ text: String) -> [StreamEvent] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return [] }
        if let data = object["data"] as? [String: Any] { object = data }
        if let event = object["event"] as? [String: Any] { object = event }
        func d(_ value: Any?) -> Decimal? { (value as? String).flatMap(DecimalText.parse) }
        func i(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }
        switch object["e"] as? String {
        case "kline":
            guard let symbol = object["s"] as? String, let k = object["k"] as? [String: Any], let interval = k["i"] as? String,
                let open = d(k["o"]), let high = d(k["h"]), let low = d(k["l"]), let close = d(k["c"]), let volume = d(k["v"]),
                let start = i(k["t"]), let end = i(k["T"])
            else { return [] }
            let kline = Kline(openTime: start, open: open, high: high, low: low, close: close, volume: volume, closeTime: end, trades: Int(i(k["n"]) ?? 0))
            return [.kline(symbol: symbol, interval: interval, kline: kline, closed: k["x"] as? Bool ?? false)]
        case "trade":
            guard let symbol = object["s"] as? String, let price = d(object["p"]), let quantity = d(object["q"]), let time = i(object["T"]) else { return [] }
            return [.trade(symbol: symbol, price: price, quantity: quantity, time: time)]
        case "executionReport":
            guard let symbol = object["s"] as? String, let orderID = i(object["i"]), let clientID = object["c"] as? String,
                let side = object["S"] as? String, let type = object["x"] as? String, let status = object["X"] as? String,
                let lastQty = d(object["l"]), let lastPrice = d(object["L"]), let cumulative = d(object["z"]), let quote = d(object["Z"]),
                let commission = d(object["n"])
            else { return [] }
            let original = (object["C"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            return [.execution(ExecutionReport(
                symbol: symbol, orderID: orderID, clientOrderID: original ?? clientID, side: side, executionType: type, status: status,
                lastQuantity: lastQty, lastPrice: lastPrice, cumulativeQuantity: cumulative, cumulativeQuote: quote, commission: commission,
                commissionAsset: object["N"] as? String, tradeID: i(object["t"]) ?? -1))]
        case "outboundAccountPosition":
            guard let list = object["B"] as? [[String: Any]] else { return [] }
            return [.balances(list.compactMap { entry in
                guard let asset = entry["a"] as? String, let free = d(entry["f"]), let locked = d(entry["l"]) else { return nil }
                return AccountSnapshot.Balance(asset: asset, free: free, locked: locked)
            })]
        default:
            return []
        }
    }
}
