import ArgumentParser
import Common
import Foundation

/// A worker running 10 grid and DCA bots (issue 16): 5 grids of 20 levels and 5 DCA bots on five
/// symbols of the simulator (prices moving every second), live on one account; its CPU and
/// memory, and what the bots did.
struct BotsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bots", abstract: "A worker running 10 grid and DCA bots: CPU and memory.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Seconds of running.")
    var seconds: Int = 60

    func run() async throws {
        let cluster = try await Cluster.start(binDir: binDir, name: "bots")
        defer { cluster.stop() }
        let (sim, credentials) = try await cluster.simulatorAccount()
        let user = try cluster.database.users.createUser(username: "bench-bots", passwordHash: "$2b$12$bench", at: Date())
        try cluster.vault.store(user: user, apiKey: credentials.apiKey, apiSecret: credentials.secret, canTrade: true, verifiedAt: Date())
        try await cluster.waitForHeartbeats(of: [user], timeout: 30)
        let prices = try await BinanceClient(baseURL: sim, credentials: credentials).tickerPrices()
        var ids: [Int64] = []
        for symbol in ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"] {
            guard let price = prices[symbol] else { throw BenchError("the simulator lists no price for \(symbol)") }
            let grid = GridParameters(
                symbol: symbol, lowerPrice: price * Decimal(string: "0.95")!, upperPrice: price * Decimal(string: "1.05")!, levels: 20, spacing: .arithmetic,
                investment: 2_000)
            let dca = DCAParameters(symbol: symbol, baseOrder: 20, safetyOrders: 5, deviationPct: 1, stepScale: Decimal(string: "1.5")!, volumeScale: Decimal(string: "1.5")!, takeProfitPct: 1)
            for (name, plan) in [("grid \(symbol)", BotDefinition.Plan.grid(grid)), ("dca \(symbol)", .dca(dca))] {
                let bot = try cluster.database.bots.createBot(
                    BotDefinition(name: name, mode: .live, allocationUsdt: 10_000, plan: plan), for: user, limits: BotLimits(), at: Date())
                ids.append(bot.id)
                _ = try cluster.database.bots.setWanted(bot.id, true, for: user, at: Date())
                let payload = WireJSON.text(BotCommandPayload(botID: bot.id, definition: String(decoding: bot.definition.encoded(), as: UTF8.self)))
                _ = try await TradingBench.control(cluster.directory.controlSocket, "/v1/users/\(user.rawValue)/commands", ["command": "bot_start", "payload": payload])
            }
        }
        let deadline = Date().addingTimeInterval(60)
        var statuses: [Int64: BotRunStatus] = [:]
        while Date() < deadline {
            statuses = try cluster.database.bots.statuses(for: user)
            if ids.allSatisfy({ ["running", "error"].contains(statuses[$0]?.state ?? "") }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let refused = ids.compactMap { id in statuses[id].flatMap { $0.state == "error" ? "\(id): \($0.reason ?? "")" : nil } }
        guard refused.isEmpty else { throw BenchError("bots refused: \(refused.joined(separator: "; "))") }

        let worker = ProcessTable.children(of: cluster.pid).first { $0.program == "worker" }?.pid
        let cpuStart = worker.flatMap(ProcessTable.cpuSeconds) ?? 0
        let started = Date()
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = Date().timeIntervalSince(started)
        let cpu = ((worker.flatMap(ProcessTable.cpuSeconds) ?? 0) - cpuStart) / elapsed
        let rss = worker.flatMap(ProcessTable.residentBytes)
        statuses = try cluster.database.bots.statuses(for: user)
        let running = ids.filter { statuses[$0]?.state == "running" }.count
        let orders = ids.reduce(0) { $0 + (statuses[$1]?.openOrders.count ?? 0) }
        let cycles = ids.reduce(0) { $0 + (statuses[$1]?.cycles ?? 0) }
        let figures: [(String, String, String, String)] = [
            ("worker running 10 bots (5 grids of 20 levels, 5 DCA): CPU", String(format: "%.2f %% of one core", cpu * 100), "—", "\(Int(elapsed)) s"),
            ("worker running 10 bots (5 grids of 20 levels, 5 DCA): RSS", rss.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "unavailable", "—", "—"),
            ("10 bots at the end: running / resting orders / grid cycles", "\(running) / \(orders) / \(cycles)", "10 running", "—"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "bots")
    }
}
