import CentralPostgres
import Common
import Foundation
import GRDB
import Testing

/// The central database on PostgreSQL (`database.url`): a whole installation runs on it with no
/// `central.sqlite`, and `supervisor migrate-to-postgres` moves a single-machine installation
/// onto it, every row verified.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PostgresCentralTests {
    @Test func aWholeInstallationRunsWithItsCentralDatabaseOnPostgreSQL() async throws {
        let location = try PostgresCluster.get().newDatabase()
        try await AccountTests.withSystem("postgres-central", environment: ["TRADER_DATABASE_URL": location.connectionURL]) { supervisor, web in
            let alice = try await web.signUp("alice", AccountTests.password)
            try await web.logIn("alice", AccountTests.password)
            try await ManualOrderAPITests.holdBTC(supervisor)
            try await ManualOrderAPITests.storeKey(supervisor, web)

            // The worker's report reaches the dashboard through PostgreSQL: 10,000 USDT.
            var report: [String: Any] = [:]
            let valued = try await waitUntilAsync(.seconds(20)) {
                report = try await PortfolioTests.portfolio(web)
                return report["total_usdt"] is String
            }
            #expect(valued, "\(report)\n\(supervisor.output)")
            #expect((report["total_usdt"] as? String).flatMap(DecimalText.parse) == 10_000, "\(report)")

            // An order placed from the dashboard is the worker's, and its row comes back.
            let placed = try await web.send(.POST, "/api/v1/orders", json: ["symbol": "BTCUSDT", "side": "BUY", "type": "market", "quantity": "0.001", "request_id": "pg1"])
            #expect(placed.status == 202, "\(placed.body)")
            let filled = try await waitUntilAsync(.seconds(20)) {
                try await TradingTests.items(web, "/api/v1/orders?limit=100").contains {
                    $0["client_order_id"] as? String == "u\(alice.rawValue)-BTCUSDT-pg1-M" && $0["status"] as? String == "FILLED"
                }
            }
            let orders = try await web.get("/api/v1/orders?limit=100").body
            #expect(filled, "\(orders)")

            // Everything is in PostgreSQL; the data directory has no central.sqlite.
            let central = try CentralDatabase.open(PostgresSession(location))
            #expect(try central.users.user(alice)?.username == "alice")
            #expect(try central.exchangeKeys.key(for: alice) != nil)
            #expect(try central.trading.orders(for: alice, symbol: nil, before: nil, limit: 10).contains { $0.status == .filled })
            #expect(try central.processes.all().contains { $0.process == ProcessStatus.workerName(alice) && $0.state == .running })
            #expect(!FileManager.default.fileExists(atPath: supervisor.directory.centralDatabase))
            // The web got the URL in a file only it may read, not on its command line.
            let attributes = try FileManager.default.attributesOfItem(atPath: supervisor.directory.databaseURLFile)
            #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o007 } == 0)
            #expect(supervisor.child("web")?.arguments.contains(location.connectionURL) == false)
        }
    }

    /// PostgreSQL restarted under a running installation: what the worker reported meanwhile
    /// (the exchange reachable again, said once) is kept and written when the database is back;
    /// the supervisor, its web and the worker carry on without a restart.
    @Test func whatAWorkerReportsWhilePostgreSQLRestartsIsWrittenWhenItIsBack() async throws {
        let cluster = try PostgresCluster.get()
        let location = try cluster.newDatabase()
        // A long lease: this test is about the reports, not about giving users up (LeaseKeeperTests).
        let environment = ["TRADER_DATABASE_URL": location.connectionURL, "TRADER_HOST_LEASE_MS": "60000"]
        try await AccountTests.withSystem("postgres-restart", environment: environment) { supervisor, web in
            let alice = try await web.signUp("alice", AccountTests.password)
            try await web.logIn("alice", AccountTests.password)
            try await ManualOrderAPITests.holdBTC(supervisor)
            try await ManualOrderAPITests.storeKey(supervisor, web)
            let valued = try await waitUntilAsync(.seconds(20)) { try await PortfolioTests.portfolio(web)["total_usdt"] is String }
            #expect(valued)
            let worker = try #require(supervisor.child("worker", user: alice))
            let sim = "http://127.0.0.1:\(supervisor.simPort)"
            // The exchange goes away, and the dashboard says so (written while the database answers).
            #expect(try await HTTP.post(sim + "/sim/v1/faults", json: #"{"outage":true}"#).status == 200)
            let unreachable = try await waitUntilAsync(.seconds(20)) { try await PortfolioTests.portfolio(web)["exchange_unreachable_since"] is String }
            #expect(unreachable)

            // The database stops; the exchange comes back meanwhile: the worker says so once.
            try cluster.stopServer(mode: "fast")
            do {
                #expect(try await HTTP.execute(.init(url: sim + "/sim/v1/faults", method: .DELETE)).status == 200)
                let userLog = supervisor.directory.userLog(alice)
                let said = await waitUntil(.seconds(40)) {
                    ((try? String(contentsOfFile: userLog, encoding: .utf8)) ?? "").contains("exchange.reachable_again")
                        && supervisor.output.contains("report.deferred")
                }
                #expect(said, "\(supervisor.output.suffix(2000))")
            } catch {
                try? cluster.startServer()
                throw error
            }
            try cluster.startServer()

            // Written now: the dashboard no longer says the exchange is unreachable.
            var report: [String: Any] = [:]
            let written = try await waitUntilAsync(.seconds(10)) {
                report = (try? await PortfolioTests.portfolio(web)) ?? [:]
                return report["total_usdt"] is String && report["exchange_unreachable_since"] == nil
            }
            #expect(written, "\(report)\n\(supervisor.output.suffix(2000))")
            // Logged just after the write the page saw (and read from the supervisor's pipe after that).
            #expect(await waitUntil(.seconds(5)) { supervisor.output.contains("report.backlog_written") }, "\(supervisor.output.suffix(2000))")
            #expect(supervisor.child("worker", user: alice)?.pid == worker.pid)
            #expect(try CentralDatabase.open(PostgresSession(location)).portfolios.exchangeStatus(for: alice)?.reachable == true)
        }
    }

    /// A central.sqlite with a row in every table, written through its stores.
    static func populate(_ directory: DataDirectory) throws -> (CentralDatabase, [UserID]) {
        let db = try Fixtures.prepare(directory)
        let t0 = Date(timeIntervalSince1970: 1_790_000_000.123)
        let ann = try Fixtures.addUser(db, "ann", key: ("ann-key-0123456789", "ann-secret-0123456789abcdef"), directory: directory)
        let bob = try Fixtures.addUser(db, "Bob", key: nil, directory: directory)
        try db.users.setLanguage("ko", for: bob)
        _ = try Fixtures.session(db, user: ann, remember: true)
        let bot = try db.bots.createBot(BotStoreConformanceTests.dca, for: ann, limits: BotLimits(), at: t0)
        _ = try db.bots.createBot(BotStoreConformanceTests.grid, for: bob, limits: BotLimits(), at: t0)
        _ = try db.bots.setWanted(bot.id, true, for: ann, at: t0)
        let command = try db.commands.record(user: ann, command: "start", payload: #"{"bot_id":1}"#, at: t0)
        try db.commands.markDelivered(id: command, at: t0 + 1)
        try db.workerEvents.record([WorkerEvent(userID: ann, time: t0, level: "info", kind: "started", message: "the bot started")])
        try db.supervisorInfo.set(["version": "test", "started_at": Timestamp.string(t0)])
        try db.processes.save([ProcessStatus(process: ProcessStatus.workerName(ann), userID: ann, state: .running)], at: t0)
        let valuation = PortfolioValuation(
            lines: [.init(asset: "USDT", free: Decimal(string: "1000.5")!, locked: 0, priceUSDT: 1, route: nil)], balancesAt: t0, pricesAt: t0)
        try db.portfolios.save(valuation, for: ann, at: t0)
        try db.portfolios.saveExchangeStatus(reachable: false, since: t0, reason: "timeout", for: ann, at: t0)
        try db.portfolios.addEquity(time: t0, totalUSDT: Decimal(string: "1000.5")!, for: ann, bot: nil)
        let order = OrderRecord(
            clientOrderID: "u1-BTCUSDT-a-M", orderID: 7, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: .filled, price: Decimal(string: "43000.01")!,
            origQty: Decimal(string: "0.00100000")!, executedQty: Decimal(string: "0.001")!, createdAt: t0, updatedAt: t0 + 2, reason: nil)
        try db.trading.saveOrder(order, for: ann)
        try db.trading.saveFill(
            BotFill(symbol: "BTCUSDT", tradeID: 9, orderID: 7, clientOrderID: order.clientOrderID, side: "BUY", price: Decimal(string: "43000.01")!,
                    qty: Decimal(string: "0.001")!, quoteQty: Decimal(string: "43.00001")!, commission: 0, commissionAsset: "BNB", time: t0 + 2), for: ann)
        var signal = SignalRecord(
            symbol: "BTCUSDT", time: t0, action: "BUY", confidence: 0.75, expectedReturn: nil, modelAccuracy: nil, modelPrecision: nil, trainedAt: nil,
            strategy: "dca", importances: [:])
        signal.botID = bot.id
        try db.trading.saveSignal(signal, for: ann)
        return (db, [ann, bob])
    }

    @Test func migrateToPostgresCopiesEveryRowAndVerifiesTheCopy() async throws {
        let temp = try TestDataDir("migrate-pg")
        let directory = DataDirectory(root: temp.path + "/data")
        let (sqlite, users) = try Self.populate(directory)
        let location = try PostgresCluster.get().newDatabase()

        let run = try Self.supervisor(["migrate-to-postgres", "--from", directory.root, "--to", location.connectionURL])
        try #require(run.status == 0, "\(run.output)")
        #expect(run.output.contains("verified:"), "\(run.output)")

        let postgres = try CentralDatabase.open(PostgresSession(location))
        for user in users {
            #expect(try postgres.users.user(user) == sqlite.users.user(user))
            #expect(try postgres.users.passwordHash(user) == sqlite.users.passwordHash(user))
            #expect(try postgres.exchangeKeys.key(for: user) == sqlite.exchangeKeys.key(for: user))
            #expect(try postgres.bots.bots(for: user) == sqlite.bots.bots(for: user))
            #expect(try postgres.trading.orders(for: user, symbol: nil, before: nil, limit: 10) == sqlite.trading.orders(for: user, symbol: nil, before: nil, limit: 10))
            #expect(try postgres.trading.fills(for: user, symbol: nil, before: nil, limit: 10) == sqlite.trading.fills(for: user, symbol: nil, before: nil, limit: 10))
            #expect(try postgres.portfolios.portfolio(for: user) == sqlite.portfolios.portfolio(for: user))
            #expect(try postgres.sessions.count(of: user) == sqlite.sessions.count(of: user))
            #expect(try postgres.workerEvents.events(for: user, limit: 10) == sqlite.workerEvents.events(for: user, limit: 10))
        }
        #expect(try postgres.supervisorInfo.all() == sqlite.supervisorInfo.all())
        // Ids go on from the copied ones.
        let carol = try postgres.users.createUser(username: "carol", passwordHash: "h", at: Date())
        #expect(carol.rawValue == 3)

        // Never into a database that holds rows; never a password on the command line.
        let again = try Self.supervisor(["migrate-to-postgres", "--from", directory.root, "--to", location.connectionURL])
        #expect(again.status == 1 && again.output.contains("already holds rows in users"), "\(again.output)")
        var withPassword = location
        withPassword.password = "pw-not-on-argv"
        let refused = try Self.supervisor(["migrate-to-postgres", "--from", directory.root, "--to", withPassword.connectionURL])
        #expect(refused.status == 1 && refused.output.contains("TRADER_DATABASE_PASSWORD"), "\(refused.output)")
    }

    /// Runs the supervisor executable to its end; its status and what it printed.
    static func supervisor(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/supervisor")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }.merging(environment) { $1 }
        let outputPath = TestPaths.artifacts + "/migrate-\(UUID().uuidString.prefix(6)).out"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        try? output.close()
        return (process.terminationStatus, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }
}
