import Common
import Foundation
import GRDB
import Testing

/// Recovery (issue: end-to-end, faults): `kill -9` of each process in turn (the supervisor started
/// again as systemd would), a long reader on `central.sqlite`, an exchange outage of 60 s and an
/// exchange answering in 3 s, all while a bot trades. Every exchange fill is recorded exactly
/// once, no order is sent twice, everything comes back by itself, and the dashboard says what is
/// degraded while it lasts.
@Suite(.serialized, .timeLimit(.minutes(6))) struct RecoveryTests {
    static func fillCount(_ web: WebClient) async throws -> Int {
        try await TradingTests.items(web, "/api/v1/fills?limit=500").count
    }

    /// Waits until the bot has recorded more fills than `count`.
    static func tradesAgain(_ web: WebClient, after count: Int, within timeout: Duration = .seconds(60)) async throws -> Bool {
        try await waitUntilAsync(timeout) { try await fillCount(web) > count }
    }

    @Test func killsOutagesSlowAnswersAndALongReaderLoseNothingAndDuplicateNothing() async throws {
        let temp = try TestDataDir("recovery")
        let dataDir = temp.path + "/data"
        var supervisor = try SupervisorProcess(dataDir: dataDir, name: "recovery")
        var person: ScenarioTests.Person?
        try await supervisor.use {
            let up = try await waitUntilAsync(.seconds(20)) { (try? await HTTP.get("http://127.0.0.1:\(supervisor.webPort)/healthz"))?.status == 200 }
            #expect(up)
            let me = try await ScenarioTests.person(supervisor, "survivor", balances: #"{"USDT":"10000"}"#, symbols: ["BTCUSDT", "ETHUSDT"], fast: 2, slow: 3)
            person = me
            let web = me.web
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            #expect(try await Self.tradesAgain(web, after: 0), "the bot trades")

            // kill -9 of the worker: a new one, still running, still trading.
            let worker = try #require(supervisor.child("worker", user: me.id)).pid
            kill(worker, SIGKILL)
            let newWorker = await waitUntil(.seconds(10)) { (supervisor.child("worker", user: me.id)?.pid).map { $0 != worker } ?? false }
            #expect(newWorker)
            #expect(try await Self.tradesAgain(web, after: try await Self.fillCount(web)), "trading after the worker's kill")

            // kill -9 of the web: it comes back, and the session with it.
            let webPID = try #require(supervisor.child("web")).pid
            kill(webPID, SIGKILL)
            let webBack = try await waitUntilAsync(.seconds(15)) {
                guard (supervisor.child("web")?.pid).map({ $0 != webPID }) == true else { return false }
                return (try? await web.get("/api/v1/bot"))?.status == 200
            }
            #expect(webBack, "the web is back and the session still valid")

            // kill -9 of the simulator. Its state is saved once a second (it plays the exchange, and a
            // real one forgets nothing), so the bot is stopped around the kill.
            #expect(try await web.send(.POST, "/api/v1/bot/stop").status == 202)
            try await Task.sleep(for: .seconds(2))
            let simPID = try #require(supervisor.child("exchange-sim")).pid
            kill(simPID, SIGKILL)
            let simBack = try await waitUntilAsync(.seconds(15)) {
                guard (supervisor.child("exchange-sim")?.pid).map({ $0 != simPID }) == true else { return false }
                return (try? await HTTP.get("http://127.0.0.1:\(supervisor.simPort)/sim/v1/health"))?.status == 200
            }
            #expect(simBack)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            #expect(try await Self.tradesAgain(web, after: try await Self.fillCount(web)), "trading after the simulator's kill")

            // A long reader holds a read transaction on central.sqlite: reports are still written.
            let reader = try DatabaseQueue(path: supervisor.directory.centralDatabase, configuration: DatabaseOpener.configuration(readonly: true))
            let before = try await Self.fillCount(web)
            let readerDone = Task.detached {
                try reader.read { db in
                    _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM fills")
                    Thread.sleep(forTimeInterval: 8)
                }
            }
            #expect(try await Self.tradesAgain(web, after: before, within: .seconds(30)), "fills recorded while a reader holds the database")
            try await readerDone.value

            // An outage of 60 s: the dashboard says so with the time it began; afterwards all resumes.
            let sim = "http://127.0.0.1:\(supervisor.simPort)"
            #expect(try await HTTP.post(sim + "/sim/v1/faults", json: #"{"outage":true}"#).status == 200)
            let outageStarted = ContinuousClock.now
            let shown = try await waitUntilAsync(.seconds(20)) {
                try await PortfolioTests.portfolio(web)["exchange_unreachable_since"] is String
            }
            #expect(shown)
            #expect(try await web.get("/trading").body.contains("Exchange unreachable since"))
            try await Task.sleep(until: outageStarted + .seconds(60))
            #expect(try await HTTP.execute(.init(url: sim + "/sim/v1/faults", method: .DELETE)).status == 200)
            let recovered = try await waitUntilAsync(.seconds(30)) {
                let portfolio = try await PortfolioTests.portfolio(web)
                return portfolio["exchange_unreachable_since"] == nil && portfolio["stale_since"] is NSNull
            }
            #expect(recovered, "the outage's mark goes away by itself")
            #expect(try await Self.tradesAgain(web, after: try await Self.fillCount(web)), "trading after the outage")

            // Answers that take 3 s: slower, but nothing doubles.
            #expect(try await HTTP.post(sim + "/sim/v1/faults", json: #"{"latency_ms":3000}"#).status == 200)
            let slowFrom = try await Self.fillCount(web)
            _ = try await Self.tradesAgain(web, after: slowFrom, within: .seconds(30))
            #expect(try await HTTP.execute(.init(url: sim + "/sim/v1/faults", method: .DELETE)).status == 200)

            // kill -9 of the supervisor: no child outlives it.
            let children = supervisor.children().map(\.pid)
            supervisor.signal(SIGKILL)
            let orphansGone = await waitUntil(.seconds(10)) { children.allSatisfy { !ProcessTable.isAlive($0) } }
            #expect(orphansGone)
        }

        // Started again as systemd would: the bot goes on by itself, with the same session.
        let me = try #require(person)
        supervisor = try SupervisorProcess(dataDir: dataDir, name: "recovery-restarted")
        try await supervisor.use {
            let up = try await waitUntilAsync(.seconds(20)) { (try? await HTTP.get("http://127.0.0.1:\(supervisor.webPort)/healthz"))?.status == 200 }
            #expect(up)
            let web = me.web.moved(to: supervisor.webPort)
            let running = try await waitUntilAsync(.seconds(20)) { try await web.get("/api/v1/bot").json?["state"] as? String == "running" }
            #expect(running, "the bot runs again after the supervisor's restart")
            let client = me.client(port: supervisor.simPort)
            #expect(try await Self.tradesAgain(web, after: try await Self.fillCount(web)), "trading after the supervisor's restart")
            _ = try await web.send(.POST, "/api/v1/bot/stop", json: ["close_positions": true])
            try await Task.sleep(for: .seconds(3))

            // Every exchange trade is one fill, every exchange order one order, none sent twice.
            var trades: Set<Int64> = []
            var exchangeOrders: [String] = []
            for symbol in me.symbols {
                trades.formUnion(try await client.myTrades(symbol: symbol).map(\.tradeID))
                exchangeOrders += try await client.allOrders(symbol: symbol).map(\.clientOrderID)
            }
            var fills: [Int64] = []
            var settled = false
            for _ in 0..<20 where !settled {
                fills = try await TradingTests.items(web, "/api/v1/fills?limit=500").compactMap { ($0["trade_id"] as? NSNumber)?.int64Value }
                settled = Set(fills) == trades
                if !settled { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(settled, "fills \(fills.sorted()) vs exchange \(trades.sorted())")
            #expect(fills.count == Set(fills).count, "no fill recorded twice")
            #expect(exchangeOrders.count == Set(exchangeOrders).count, "no order sent twice: \(exchangeOrders.sorted())")
            let recorded = Set(try await TradingTests.items(web, "/api/v1/orders?limit=500").compactMap { $0["client_order_id"] as? String })
            #expect(Set(exchangeOrders).isSubset(of: recorded), "every exchange order is known: \(Set(exchangeOrders).subtracting(recorded))")
        }
    }
}
