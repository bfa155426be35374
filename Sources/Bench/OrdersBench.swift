import ArgumentParser
import Common
import Foundation
import Synchronization

/// Resting orders: what they cost the simulator (a new order's round trip beside 10,000 of them,
/// 1,000 of them filled by one price move) and what following them costs the worker. The
/// simulator enforces no order-count limit (it only advertises Binance's), so one account holds
/// every resting order: the worst case for its per-account scans.
struct OrdersBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "orders", abstract: "Resting-order figures: order latency, one price move filling many, the worker following them.")

    @Option(help: "Folder of the executables (release build).")
    var binDir: String
    @Option(help: "Resting orders beside the timed ones.")
    var resting: Int = 10_000
    @Option(help: "Sequential orders timed.")
    var samples: Int = 500
    @Option(help: "Resting orders one price move fills.")
    var triggered: Int = 1_000
    @Option(help: "Seconds the worker's CPU is sampled.")
    var cpuSeconds: Int = 30

    func run() async throws {
        var figures: [(String, String, String, String)] = []
        figures += try await latencyFigures()
        figures += try await triggerFigures()
        figures += try await workerFigures()
        print(Report.table(figures))
        try Report.save(figures, name: "orders")
    }

    // MARK: - 1. A new order beside many resting ones

    func latencyFigures() async throws -> [(String, String, String, String)] {
        let sim = try await SimProcess.start(binDir: binDir)
        defer { sim.stop() }
        let client = BinanceClient(baseURL: sim.base, credentials: try await sim.account(#"{"balances":{"USDT":"1000000000","BTC":"100000"}}"#))
        guard let price = try await client.tickerPrices()["BTCUSDT"] else { throw BenchError("no BTCUSDT price") }
        let far = SymbolFilters.floor(price / 2, step: 1)
        // Buys at 2,000 price levels below half the price: they rest and never fill.
        let order: @Sendable (String, Int) -> NewOrder = { tag, index in
            NewOrder(symbol: "BTCUSDT", side: .buy, kind: .limit(quantity: Decimal(string: "0.001")!, price: far - Decimal(index % 2_000), timeInForce: "GTC"), clientOrderID: "\(tag)-\(index)")
        }
        let empty = try await timed(samples) { index in _ = try await client.place(order("ref", index)) }
        _ = try await client.cancelOpenOrders(symbol: "BTCUSDT")
        let filling = ContinuousClock.now
        try await Self.concurrently(resting, lanes: 16) { index in _ = try await client.place(order("rest", index)) }
        let fillRate = Double(resting) / max(SimBench.ms(ContinuousClock.now - filling) / 1_000, 0.001)
        let full = try await timed(samples) { index in _ = try await client.place(order("lat", index)) }
        let open = try await client.openOrders(symbol: "BTCUSDT").count
        return [
            ("new order p50 with \(Self.count(resting)) resting orders", Self.ms(full.p50), "—", "0 resting: \(Self.ms(empty.p50))"),
            (
                "new order p99 with \(Self.count(resting)) resting orders", Self.ms(full.p99), "< 5 ms",
                "0 resting: \(Self.ms(empty.p99)); \(samples) sequential LIMIT buys, one account, \(open) open at the end; resting ones placed at \(Int(fillRate))/s, 16 concurrent"
            ),
        ]
    }

    func timed(_ count: Int, _ body: (Int) async throws -> Void) async throws -> (p50: Double, p99: Double) {
        var latencies: [Double] = []
        for index in 0..<count {
            let started = ContinuousClock.now
            try await body(index)
            latencies.append(SimBench.ms(ContinuousClock.now - started))
        }
        latencies.sort()
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    // MARK: - 2. One price move fills many

    func triggerFigures() async throws -> [(String, String, String, String)] {
        let sim = try await SimProcess.start(binDir: binDir)
        defer { sim.stop() }
        let client = BinanceClient(baseURL: sim.base, credentials: try await sim.account(#"{"balances":{"USDT":"100000000","ETH":"1000000"}}"#))
        guard let price = try await client.tickerPrices()["ETHUSDT"] else { throw BenchError("no ETHUSDT price") }
        _ = try await SimAdmin.post(url: sim.base + "/sim/v1/prices", json: #"{"symbol":"ETHUSDT","price":"\#(price)","hold":true}"#)
        // Sells one tick apart just above the frozen price.
        try await Self.concurrently(triggered, lanes: 16) { index in
            let limit = price + Decimal(string: "0.01")! * Decimal(index + 1)
            _ = try await client.place(NewOrder(symbol: "ETHUSDT", side: .sell, kind: .limit(quantity: Decimal(string: "0.01")!, price: limit, timeInForce: "GTC"), clientOrderID: "up-\(index)"))
        }
        let listenKey = try await client.createListenKey()
        let events = BinanceStream(url: "ws://127.0.0.1:\(sim.port)/ws/\(listenKey)").events()
        let progress = StreamProgress()
        let consumer = Task {
            for await event in events {
                switch event {
                case .connected: progress.connected()
                case .execution(let report) where report.status == "FILLED": progress.filled()
                default: break
                }
            }
        }
        defer { consumer.cancel() }
        let connectDeadline = ContinuousClock.now + .seconds(10)
        while !progress.state.withLock({ $0.connected }), ContinuousClock.now < connectDeadline { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(500))  // the server counts the listener once its push loop runs

        let moved = price + Decimal(triggered) * Decimal(string: "0.01")! + 1
        let posted = ContinuousClock.now
        _ = try await SimAdmin.post(url: sim.base + "/sim/v1/prices", json: #"{"symbol":"ETHUSDT","price":"\#(moved)","hold":true}"#)
        let postLatency = SimBench.ms(ContinuousClock.now - posted)
        let deadline = posted + .seconds(30)
        while progress.state.withLock({ $0.filled < triggered }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let (filled, last) = progress.state.withLock { ($0.filled, $0.last) }
        let arrival = filled >= triggered ? last.map { Self.ms(SimBench.ms($0 - posted)) } ?? "—" : "\(filled) of \(triggered) in 30 s"
        return [
            (
                "\(Self.count(triggered)) resting orders triggered by one price move", arrival, "—",
                "POST /sim/v1/prices → the \(Self.count(triggered))th FILLED executionReport on /ws/<listenKey> (the simulator pushes every 100 ms)"
            ),
            ("price POST that fills \(Self.count(triggered)) resting orders", Self.ms(postLatency), "—", "one ETHUSDT move across \(triggered) price levels"),
        ]
    }

    /// What the user stream has delivered so far.
    final class StreamProgress: Sendable {
        struct State {
            var connected = false
            var filled = 0
            var last: ContinuousClock.Instant?
        }

        let state = Mutex(State())
        func connected() { state.withLock { $0.connected = true } }
        func filled() {
            let now = ContinuousClock.now
            state.withLock {
                $0.filled += 1
                $0.last = now
            }
        }
    }

    // MARK: - 3. The worker following resting orders

    func workerFigures() async throws -> [(String, String, String, String)] {
        let cluster = try await Cluster.start(binDir: binDir, name: "orders")
        defer { cluster.stop() }
        let sim = "http://127.0.0.1:\(cluster.simPort)"
        let anonymous = BinanceClient(baseURL: sim, credentials: nil)
        for _ in 0..<300 where (try? await anonymous.ping()) == nil { try await Task.sleep(for: .milliseconds(100)) }
        let credentials = try await SimBench.account(sim)
        let client = BinanceClient(baseURL: sim, credentials: credentials)
        let symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]
        let quantities = ["BTCUSDT": "0.001", "ETHUSDT": "0.01", "BNBUSDT": "0.1", "SOLUSDT": "1", "XRPUSDT": "100"].compactMapValues { Decimal(string: $0) }
        let ticks = ["BTCUSDT": "0.01", "ETHUSDT": "0.01", "BNBUSDT": "0.01", "SOLUSDT": "0.01", "XRPUSDT": "0.0001"].compactMapValues { Decimal(string: $0) }
        let prices = try await client.tickerPrices()
        for (index, symbol) in (0..<20).map({ ($0, symbols[$0 % symbols.count]) }) {
            // Half the price, a tick lower for each: they rest and never fill.
            guard let price = prices[symbol], let tick = ticks[symbol] else { throw BenchError("no \(symbol) price") }
            let limit = SymbolFilters.floor(price / 2, step: tick) - tick * Decimal(index)
            _ = try await client.place(NewOrder(symbol: symbol, side: .buy, kind: .limit(quantity: quantities[symbol]!, price: limit, timeInForce: "GTC"), clientOrderID: "manual-\(index)"))
        }
        let user = try cluster.database.users.createUser(username: "bench-orders", passwordHash: "$2b$12$bench", at: Date())
        var settings = BotSettings.defaults
        settings.symbols = symbols
        settings.interval = "1m"
        settings.strategy = .init(name: "sma_cross", params: ["fast": 50, "slow": 100])
        settings.unknownOrders = "adopt"
        try cluster.database.bots.saveSettings(settings, for: user, at: Date())
        try cluster.vault.store(user: user, apiKey: credentials.apiKey, apiSecret: credentials.secret, canTrade: true, verifiedAt: Date())
        try await cluster.waitForHeartbeats(of: [user], timeout: 30)
        _ = try await TradingBench.control(cluster.directory.controlSocket, "/v1/users/\(user.rawValue)/commands", ["command": "start"])
        try await Task.sleep(for: .seconds(10))
        guard let worker = ProcessTable.children(of: cluster.pid).first(where: { $0.program == "worker" })?.pid, let before = ProcessTable.cpuSeconds(worker) else {
            throw BenchError("no worker process")
        }
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(cpuSeconds))
        guard let after = ProcessTable.cpuSeconds(worker) else { throw BenchError("the worker exited while sampled") }
        let cpu = (after - before) / (SimBench.ms(ContinuousClock.now - started) / 1_000)
        let adopted = try cluster.database.trading.orders(for: user, symbol: nil, before: nil, limit: 100).filter { $0.clientOrderID.hasPrefix("manual-") }.count
        let open = try await client.openOrders().count
        return [
            (
                "worker CPU with 20 resting orders on 5 symbols", String(format: "%.2f %% of one core", cpu * 100), "—",
                "compares its resting orders with the exchange's openOrders every 3 s, per symbol; \(adopted) of 20 adopted, \(open) open; 1 m candles, SMA 50/100; \(cpuSeconds) s after 10 s settling"
            )
        ]
    }

    // MARK: - Helpers

    /// `count` calls of `body`, `lanes` at a time.
    static func concurrently(_ count: Int, lanes: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    for index in stride(from: lane, to: count, by: lanes) { try await body(index) }
                }
            }
            try await group.waitForAll()
        }
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
    /// 10000 as "10,000".
    static func count(_ value: Int) -> String {
        let digits = String(value)
        return digits.enumerated().map { ($0.offset > 0 && (digits.count - $0.offset) % 3 == 0 ? "," : "") + String($0.element) }.joined()
    }
}

/// An `exchange-sim` of its own, in a temporary data directory, with the weight limit raised.
struct SimProcess {
    let process: Process
    let root: String
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    static func start(binDir: String) async throws -> SimProcess {
        let port = LoopbackPort.free()
        let root = "/tmp/ctp-ordersbench-\(UUID().uuidString.prefix(6))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: URL(fileURLWithPath: binDir).standardizedFileURL.path + "/exchange-sim")
        process.arguments = ["--port", String(port), "--data-dir", root, "--weight-limit", "100000000"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let simulator = SimProcess(process: process, root: root, port: port)
        let anonymous = BinanceClient(baseURL: simulator.base, credentials: nil)
        for _ in 0..<100 where (try? await anonymous.ping()) == nil { try await Task.sleep(for: .milliseconds(100)) }
        return simulator
    }

    func account(_ json: String) async throws -> BinanceClient.Credentials {
        var request = URLRequestless(url: base + "/sim/v1/accounts", body: json)
        let object = try await request.post()
        guard let key = object["apiKey"] as? String, let secret = object["secretKey"] as? String else { throw BenchError("no simulator account") }
        return .init(apiKey: key, secret: secret)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
    }
}
