import ArgumentParser
import Common
import Foundation

/// `make bench`, scale: many users' workers (100 by default) trading on 1 s candles against the
/// simulator on this machine: CPU of every process against the machine's cores, memory, and the
/// exchange's request weight used against its limit (targets: under 50 % CPU, under the limit),
/// in the steady state after 150 s of start-up, whose own peak and refusals are reported apart.
struct ScaleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Many workers trading at once: CPU, memory, request weight.")

    @Option(help: "Folder of the executables (release build).")
    var binDir: String
    @Option(help: "Users, each with a trading bot.")
    var users: Int = 100
    @Option(help: "Seconds measured, after a 30 s warm-up.")
    var seconds: Int = 60

    func run() async throws {
        let cluster = try await Cluster.start(binDir: binDir, name: "scale")
        defer { cluster.stop() }
        let sim = "http://127.0.0.1:\(cluster.simPort)"
        _ = try await cluster.webBase()
        let symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]
        var people: [UserID] = []
        for index in 0..<users {
            let credentials = try await SimBench.account(sim)
            let user = try cluster.database.users.createUser(username: "scale-\(index)", passwordHash: "$2b$12$bench", at: Date())
            var settings = BotSettings.defaults
            settings.symbols = [symbols[index % symbols.count]]
            settings.interval = "1s"
            settings.strategy = .init(name: "sma_cross", params: ["fast": 2, "slow": Double(3 + index % 3)])
            settings.risk.maxPositionPct = 1
            settings.risk.dailyLossLimitUsdt = 0
            settings.risk.maxDrawdownPct = 0
            try cluster.database.bots.saveSettings(settings, for: user, at: Date())
            try cluster.vault.store(user: user, apiKey: credentials.apiKey, apiSecret: credentials.secret, canTrade: true, verifiedAt: Date())
            people.append(user)
        }
        let startedAt = Date()
        try await cluster.waitForHeartbeats(of: people, timeout: 600)
        let allUp = Date().timeIntervalSince(startedAt)
        for user in people {
            _ = try await TradingBench.control(cluster.directory.controlSocket, "/v1/users/\(user.rawValue)/commands", ["command": "start"])
        }
        // The start-up minutes (every worker's first reads, then the first orders) apart from the
        // steady state: their peak weight and refusals are figures of their own.
        print("scale: \(users) workers up in \(String(format: "%.1f", allUp)) s; start-up for 150 s, then measuring \(seconds) s")
        var startupPeak = 0
        let startup = Date()
        while Date().timeIntervalSince(startup) < 150 {
            startupPeak = max(startupPeak, try cluster.database.processes.all().compactMap(\.weightUsed).max() ?? 0)
            try await Task.sleep(for: .seconds(1))
        }
        let startupRefused = try cluster.database.processes.all().map { ($0.exchangeErrors["http_429"] ?? 0) + ($0.exchangeErrors["http_418"] ?? 0) }.reduce(0, +)

        func processes() -> [ProcessTable.Entry] { [ProcessTable.entry(cluster.pid)].compactMap { $0 } + ProcessTable.children(of: cluster.pid) }
        let before = Dictionary(processes().compactMap { entry in ProcessTable.cpuSeconds(entry.pid).map { (entry.pid, $0) } }) { a, _ in a }
        let fillsBefore = try people.map { try cluster.database.trading.fills(for: $0, symbol: nil, before: nil, limit: 100_000).count }.reduce(0, +)
        let measuring = Date()
        var peakWeight = 0
        while Date().timeIntervalSince(measuring) < Double(seconds) {
            let statuses = try cluster.database.processes.all()
            peakWeight = max(peakWeight, statuses.compactMap(\.weightUsed).max() ?? 0)
            try await Task.sleep(for: .seconds(1))
        }
        let elapsed = Date().timeIntervalSince(measuring)
        let now = processes()
        var cpu: [String: Double] = [:]
        for entry in now {
            guard let start = before[entry.pid], let end = ProcessTable.cpuSeconds(entry.pid) else { continue }
            let group = entry.pid == cluster.pid ? "supervisor" : entry.program == "worker" ? "workers" : entry.program
            cpu[group, default: 0] += (end - start) / elapsed
        }
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let total = cpu.values.reduce(0, +)
        let workers = now.filter { $0.program == "worker" }
        let rss = now.compactMap { ProcessTable.residentBytes($0.pid) }.reduce(0, +)
        let pss = now.compactMap { ProcessTable.proportionalBytes($0.pid) }.reduce(0, +)
        let fills = try people.map { try cluster.database.trading.fills(for: $0, symbol: nil, before: nil, limit: 100_000).count }.reduce(0, +) - fillsBefore
        let statuses = try cluster.database.processes.all()
        let rateLimited = statuses.map { ($0.exchangeErrors["http_429"] ?? 0) + ($0.exchangeErrors["http_418"] ?? 0) }.reduce(0, +) - startupRefused
        let limit = 6_000
        let figures: [(String, String, String, String)] = [
            ("workers trading on 1 s candles", "\(workers.count) of \(users)", "\(users)", "up in \(String(format: "%.0f", allUp)) s"),
            ("CPU of every process, share of the machine", String(format: "%.1f %% of %.0f cores", total / cores * 100, cores), "< 50 %",
             cpu.sorted { $0.key < $1.key }.map { String(format: "%@ %.0f %%", $0.key, $0.value * 100) }.joined(separator: ", ") + " of one core"),
            ("memory of every process: RSS / PSS", String(format: "%.0f MB / %.0f MB", Double(rss) / 1e6, Double(pss) / 1e6), "—",
             String(format: "%.1f MB PSS per worker", Double(workers.compactMap { ProcessTable.proportionalBytes($0.pid) }.reduce(0, +)) / 1e6 / Double(max(workers.count, 1)))),
            ("exchange request weight used, peak per minute", "\(peakWeight) of \(limit)", "< \(limit)", "the exchange's X-MBX-USED-WEIGHT-1M for this address"),
            ("requests refused by the exchange (429/418), measured minute", "\(rateLimited)", "0", "—"),
            ("start-up (150 s from the workers' start): peak weight per minute / refusals", "\(startupPeak) of \(limit) / \(startupRefused)", "< \(limit) / 0",
             "all \(users) keys stored within seconds while the supervisor runs"),
            ("fills while measured", "\(fills)", "—", "\(seconds) s"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "scale")
    }
}
