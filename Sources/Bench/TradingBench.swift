import ArgumentParser
import AsyncHTTPClient
import Common
import Foundation
import NIOCore

/// The trading worker's figures: a fill on the exchange → its row in central.sqlite, a command →
/// its acknowledgement, and the CPU and memory of a worker trading 5 symbols on 1 s candles.
struct TradingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trading", abstract: "Fill, command and worker-load figures.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Seconds of trading.")
    var seconds: Int = 60
    @Option(help: "Commands to time.")
    var commands: Int = 50

    func run() async throws {
        let cluster = try await Cluster.start(binDir: binDir, name: "trading")
        defer { cluster.stop() }
        let (sim, credentials) = try await cluster.simulatorAccount()
        let user = try cluster.database.users.createUser(username: "bench-trader", passwordHash: "$2b$12$bench", at: Date())
        var settings = BotSettings.defaults
        settings.symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]
        settings.interval = "1s"
        settings.strategy = .init(name: "sma_cross", params: ["fast": 2, "slow": 3])
        settings.risk.maxPositionPct = 1
        settings.risk.maxOpenPositions = 5
        settings.risk.dailyLossLimitUsdt = 0
        settings.risk.maxDrawdownPct = 0
        try cluster.database.bots.saveSettings(settings, for: user, at: Date())
        try cluster.vault.store(user: user, apiKey: credentials.apiKey, apiSecret: credentials.secret, canTrade: true, verifiedAt: Date())
        try await cluster.waitForHeartbeats(of: [user], timeout: 30)
        let client = BinanceClient(baseURL: sim, credentials: credentials)

        // Command → acknowledgement, through the control socket as the web sends them.
        let payload = String(decoding: settings.encoded(), as: UTF8.self)
        var ackLatencies: [Double] = []
        for _ in 0..<commands {
            let sent = Date()
            let answer = try await Self.control(cluster.directory.controlSocket, "/v1/users/\(user.rawValue)/commands", ["command": "settings_changed", "payload": payload])
            guard let id = (answer["command_id"] as? NSNumber)?.int64Value else { throw BenchError("no command id: \(answer)") }
            while Date().timeIntervalSince(sent) < 5 {
                if let acknowledged = try cluster.database.commands.command(id: id)?.acknowledgedAt {
                    ackLatencies.append(acknowledged.timeIntervalSince(sent) * 1000)
                    break
                }
                try await Task.sleep(for: .milliseconds(2))
            }
        }

        // Trading: every new fill row is timed against the exchange's trade time.
        _ = try await Self.control(cluster.directory.controlSocket, "/v1/users/\(user.rawValue)/commands", ["command": "start"])
        let worker = ProcessTable.children(of: cluster.pid).first { $0.program == "worker" }?.pid
        let cpuStart = worker.flatMap(ProcessTable.cpuSeconds) ?? 0
        let started = Date()
        var seen: [Int64: Date] = [:]
        while Date().timeIntervalSince(started) < TimeInterval(seconds) {
            for fill in try cluster.database.trading.fills(for: user, symbol: nil, before: nil, limit: 200) where seen[fill.tradeID] == nil {
                seen[fill.tradeID] = Date()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = Date().timeIntervalSince(started)
        let cpu = ((worker.flatMap(ProcessTable.cpuSeconds) ?? 0) - cpuStart) / elapsed
        let rss = worker.flatMap(ProcessTable.residentBytes)
        var fillLatencies: [Double] = []
        for symbol in settings.symbols {
            for trade in try await client.myTrades(symbol: symbol) {
                if let appeared = seen[trade.tradeID] {
                    fillLatencies.append(appeared.timeIntervalSince1970 * 1000 - Double(trade.time))
                }
            }
        }
        func pct(_ values: [Double]) -> String {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return "no samples" }
            return String(format: "%.1f ms / %.1f ms", sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))])
        }
        let figures: [(String, String, String, String)] = [
            ("fill on the exchange → row in central.sqlite, p50 / p99", pct(fillLatencies), "p99 < 500 ms", "\(fillLatencies.count) fills, polled every 5 ms"),
            ("command → acknowledgement, p50 / p99", pct(ackLatencies), "p99 < 500 ms", "\(ackLatencies.count) commands"),
            ("worker trading 5 symbols on 1 s candles: CPU", String(format: "%.2f %% of one core", cpu * 100), "—", "\(Int(elapsed)) s"),
            ("worker trading 5 symbols on 1 s candles: RSS", rss.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "unavailable", "—", "—"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "trading")
    }

    static func control(_ socket: String, _ path: String, _ json: [String: Any]) async throws -> [String: Any] {
        let host = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket
        var request = HTTPClientRequest(url: "http+unix://\(host)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
}
