import Common
import Foundation
import Testing

/// Streams of the simulator through our stream client (issue: client and simulator).
@Suite(.serialized, .timeLimit(.minutes(1))) struct BinanceStreamTests {
    /// Records a stream's events for the length of a test, so that it can be waited on
    /// several times (cancelling an AsyncStream's consumer would end the stream).
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [StreamEvent] = []
        private var task: Task<Void, Never>?

        init(_ stream: AsyncStream<StreamEvent>) {
            task = Task { [weak self] in
                for await event in stream {
                    guard let self else { return }
                    lock.withLock { recorded.append(event) }
                }
            }
        }

        var events: [StreamEvent] { lock.withLock { recorded } }

        /// Waits until the events recorded since `from` satisfy `done`, or `timeout` passes.
        func wait(from: Int = 0, timeout: Duration, until done: ([StreamEvent]) -> Bool) async -> [StreamEvent] {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let slice = Array(events.dropFirst(from))
                if done(slice) { return slice }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return Array(events.dropFirst(from))
        }

        func stop() { task?.cancel() }
    }

    static func collect(_ stream: AsyncStream<StreamEvent>, timeout: Duration, until done: @escaping @Sendable ([StreamEvent]) -> Bool) async -> [StreamEvent] {
        let recorder = Recorder(stream)
        defer { recorder.stop() }
        return await recorder.wait(timeout: timeout, until: done)
    }

    static func klines(_ events: [StreamEvent]) -> [(Kline, Bool)] {
        events.compactMap { if case .kline(_, _, let kline, let closed) = $0 { (kline, closed) } else { nil } }
    }

    static func executions(_ events: [StreamEvent]) -> [ExecutionReport] {
        events.compactMap { if case .execution(let report) = $0 { report } else { nil } }
    }

    @Test func klineStreamsPushEverySecondAndCloseCandles() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let stream = BinanceStream(url: "ws://127.0.0.1:\(sim.port)/ws/btcusdt@kline_1s")
            let events = await Self.collect(stream.events(), timeout: .seconds(6)) { Self.klines($0).contains { $0.1 } && Self.klines($0).count >= 3 }
            let klines = Self.klines(events)
            #expect(events.first == .connected)
            #expect(klines.count >= 3, "\(events)")
            #expect(klines.contains { $0.1 }, "a closed 1s candle within a few seconds")
            #expect(klines.allSatisfy { $0.0.closeTime == $0.0.openTime + 999 })
        }
    }

    @Test func combinedStreamsCarryTradesWhenThePriceMoves() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let stream = BinanceStream(url: "ws://127.0.0.1:\(sim.port)/stream?streams=ethusdt@trade/ethusdt@kline_1m")
            let recorder = Recorder(stream.events())
            defer { recorder.stop() }
            _ = await recorder.wait(timeout: .seconds(3)) { $0.contains(.connected) }
            try await sim.setPrice("ETHUSDT", "2500", hold: true)
            let seen = await recorder.wait(timeout: .seconds(6)) { events in
                events.contains { if case .trade(_, let price, _, _) = $0 { price == 2500 } else { false } } && !Self.klines(events).isEmpty
            }
            #expect(seen.contains { if case .trade("ETHUSDT", 2500, _, _) = $0 { true } else { false } }, "\(seen)")
            let afterMove = await recorder.wait(timeout: .seconds(4)) { Self.klines($0).last?.0.close == 2500 }
            #expect(Self.klines(afterMove).last?.0.close == 2500)
        }
    }

    @Test func theUserDataStreamReportsOrdersAndBalances() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "1000"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            let listenKey = try await client.createListenKey()
            #expect(try await client.createListenKey() == listenKey, "the same key while it lives")
            try await client.keepAlive(listenKey: listenKey)
            let recorder = Recorder(BinanceStream(url: client.streamBaseURL + "/ws/" + listenKey).events())
            defer { recorder.stop() }
            let first = await recorder.wait(timeout: .seconds(3)) { $0.contains(.connected) }
            #expect(first.contains(.connected))
            try await Task.sleep(for: .milliseconds(300))
            _ = try await client.place(NewOrder(symbol: "SOLUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "it-stream-1"))
            let seen = await recorder.wait(timeout: .seconds(5)) { events in
                events.contains { if case .balances = $0 { true } else { false } }
            }
            let reports = Self.executions(seen)
            #expect(reports.first?.executionType == "NEW" && reports.first?.clientOrderID == "it-stream-1", "\(seen)")
            #expect(reports.contains { $0.executionType == "TRADE" && $0.status == "FILLED" && $0.commissionAsset == "SOL" })
            #expect(reports.filter { $0.executionType == "TRADE" }.reduce(Decimal(0)) { $0 + $1.lastQuantity } == 1)
            let updates: [[AccountSnapshot.Balance]] = seen.compactMap { if case .balances(let list) = $0 { list } else { nil } }
            let balances = updates.last ?? []
            #expect(balances.first { $0.asset == "SOL" }?.free == Decimal(string: "0.999"))
        }
    }

    @Test func theWebSocketAPISubscriptionReportsACancel() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "1000"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            let recorder = Recorder(BinanceStream(url: client.webSocketAPIURL, subscribe: { client.userDataSubscription()! }).events())
            defer { recorder.stop() }
            _ = await recorder.wait(timeout: .seconds(3)) { $0.contains(.connected) }
            try await Task.sleep(for: .milliseconds(300))
            _ = try await client.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .limit(quantity: Decimal(string: "0.001")!, price: 20_000, timeInForce: "GTC"), clientOrderID: "it-wsapi-1"))
            _ = try await client.cancel(symbol: "BTCUSDT", clientOrderID: "it-wsapi-1")
            let seen = await recorder.wait(timeout: .seconds(5)) { Self.executions($0).contains { $0.executionType == "CANCELED" } }
            let reports = Self.executions(seen)
            #expect(reports.map(\.executionType) == ["NEW", "CANCELED"], "\(seen)")
            #expect(reports.allSatisfy { $0.clientOrderID == "it-wsapi-1" })
        }
    }

    @Test func aStreamReconnectsAfterAnOutageAndNoticesSilence() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let recorder = Recorder(BinanceStream(url: "ws://127.0.0.1:\(sim.port)/ws/xrpusdt@kline_1s", silenceTimeout: .seconds(2)).events())
            defer { recorder.stop() }
            _ = await recorder.wait(timeout: .seconds(4)) { !Self.klines($0).isEmpty }
            try await sim.setFaults(#"{"outage": true}"#)
            let mark = recorder.events.count
            let dropped = await recorder.wait(from: mark, timeout: .seconds(5)) { $0.contains { if case .disconnected = $0 { true } else { false } } }
            #expect(dropped.contains { if case .disconnected = $0 { true } else { false } })
            try await sim.setFaults(nil)
            let mark2 = recorder.events.count
            let back = await recorder.wait(from: mark2, timeout: .seconds(10)) { $0.contains(.connected) && !Self.klines($0).isEmpty }
            #expect(back.contains(.connected) && !Self.klines(back).isEmpty, "\(back)")
            // Connected but silent (every frame delayed 5 s): noticed after 2 s.
            try await sim.setFaults(#"{"latency_ms": 5000}"#)
            let mark3 = recorder.events.count
            let silent = await recorder.wait(from: mark3, timeout: .seconds(10)) { events in
                events.contains { if case .disconnected(let reason) = $0 { reason.contains("silence") } else { false } }
            }
            #expect(silent.contains { if case .disconnected(let reason) = $0 { reason.contains("silence") } else { false } }, "\(silent)")
            try await sim.setFaults(nil)
        }
    }
}
