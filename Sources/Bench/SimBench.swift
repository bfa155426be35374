import ArgumentParser
import Common
import Foundation

/// The simulator's throughput and our client's order round trip on loopback.
struct SimBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sim", abstract: "Measure the exchange simulator and the Binance client.")

    @Option(help: "Folder of the executables (release build).")
    var binDir: String
    @Option(help: "Seconds per throughput run.")
    var seconds: Int = 5
    @Option(help: "Concurrent requests in the throughput runs.")
    var concurrency: Int = 32

    func run() async throws {
        let root = "/tmp/ctp-simbench-\(UUID().uuidString.prefix(6))"
        let (process, port) = try Self.simulator(binDir: binDir, dataDir: root)
        defer {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: root)
        }
        let base = "http://127.0.0.1:\(port)"
        let anonymous = BinanceClient(baseURL: base, credentials: nil)
        for _ in 0..<100 where (try? await anonymous.ping()) == nil { try await Task.sleep(for: .milliseconds(100)) }
        let credentials = try await Self.account(base)
        let client = BinanceClient(baseURL: base, credentials: credentials)

        var latencies: [Double] = []
        for index in 0..<500 {
            let started = ContinuousClock.now
            _ = try await client.place(NewOrder(symbol: "XRPUSDT", side: index % 2 == 0 ? .buy : .sell, kind: .market(quantity: 10), clientOrderID: "lat-\(index)"))
            latencies.append(Self.ms(ContinuousClock.now - started))
        }
        latencies.sort()
        let orders = try await Self.throughput(seconds: seconds, concurrency: concurrency) { worker, index in
            _ = try await client.place(NewOrder(symbol: "XRPUSDT", side: index % 2 == 0 ? .buy : .sell, kind: .market(quantity: 10), clientOrderID: "tp-\(worker)-\(index)"))
        }
        let tickers = try await Self.throughput(seconds: seconds, concurrency: concurrency) { _, _ in _ = try await anonymous.tickerPrices() }
        let figures: [(String, String, String, String)] = [
            ("signed MARKET orders per second", String(format: "%.0f", orders), "≥ 2,000", "\(concurrency) concurrent, one account"),
            ("ticker/price requests per second", String(format: "%.0f", tickers), "—", "all symbols, \(concurrency) concurrent"),
            ("order round trip p50", String(format: "%.2f ms", latencies[latencies.count / 2]), "—", "client → simulator → client, loopback"),
            ("order round trip p99", String(format: "%.2f ms", latencies[latencies.count * 99 / 100]), "< 5 ms", "500 sequential orders"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "sim")
    }

    /// The simulator from `binDir` on a free loopback port, with a weight limit no bench reaches.
    static func simulator(binDir: String, dataDir: String) throws -> (Process, Int) {
        let port = LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: URL(fileURLWithPath: binDir).standardizedFileURL.path + "/exchange-sim")
        process.arguments = ["--port", String(port), "--data-dir", dataDir, "--weight-limit", "100000000"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, port)
    }

    static func ms(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
    }

    static func account(_ base: String) async throws -> BinanceClient.Credentials {
        var request = URLRequestless(url: base + "/sim/v1/accounts", body: #"{"balances":{"USDT":"100000000","XRP":"100000000"}}"#)
        let object = try await request.post()
        guard let key = object["apiKey"] as? String, let secret = object["secretKey"] as? String else { throw BenchError("no simulator account") }
        return .init(apiKey: key, secret: secret)
    }

    /// Requests per second over `seconds`, `concurrency` at a time.
    static func throughput(seconds: Int, concurrency: Int, _ body: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> Double {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        try await body(worker, count)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ms(ContinuousClock.now - started) / 1_000)
    }
}

/// A JSON POST without Foundation's networking (not in every toolchain): AsyncHTTPClient.
struct URLRequestless {
    let url: String
    let body: String

    init(url: String, body: String) {
        self.url = url
        self.body = body
    }

    mutating func post() async throws -> [String: Any] {
        let data = try await SimAdmin.post(url: url, json: body)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
