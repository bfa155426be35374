import CentralPostgres
import Common
import Foundation
import Testing

/// Three supervisors sharing one PostgreSQL database and one exchange: each user's worker runs on
/// exactly one host under a lease; a host killed with `-9` loses its users to the others within
/// 20 s; a host stopped (SIGSTOP) past its lease loses them too, and resumed, kills its stale
/// workers while the database refuses its writes for them (fencing); a drained host hands its
/// users over within 5 s; a fill on one host reaches a page on another host's web within 1 s; a
/// bot started on one host's web runs on the host that takes its user.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MultiHostTests {
    static let hostIDs = ["h1", "h2", "h3"]

    /// Which hosts run each user's worker now (a live process under that supervisor).
    static func owners(_ hosts: [String: SupervisorProcess], users: [UserID]) -> [UserID: [String]] {
        var owners = Dictionary(uniqueKeysWithValues: users.map { ($0, [String]()) })
        for (id, host) in hosts {
            for child in host.children() where child.program == "worker" {
                if let user = child.arguments.dropFirst().first.flatMap(Int64.init) { owners[UserID(user), default: []].append(id) }
            }
        }
        return owners
    }

    static func spread(_ owners: [UserID: [String]]) -> [String: Int] {
        owners.values.reduce(into: [:]) { counts, hosts in for host in hosts { counts[host, default: 0] += 1 } }
    }

    @Test func usersMoveFromAKilledAStoppedAndADrainedHost() async throws {
        let location = try PostgresCluster.get().newDatabase()
        let sim = try await SimulatorProcess()
        defer { sim.stop() }
        let temp = try TestDataDir("multi-host")
        let keyFile = temp.path + "/shared-secrets/master.key"
        let setup = DataDirectory(root: temp.path + "/setup", masterKeyFile: keyFile)
        try setup.prepare()
        let central = try CentralDatabase.migrate(PostgresSession(location))
        var users: [UserID] = []
        for index in 1...9 {
            let credentials = try await sim.createAccount(balances: ["USDT": "1000"])
            users.append(try Fixtures.addUser(central, "user\(index)", key: (credentials.apiKey, credentials.secret), directory: setup))
        }
        let environment = [
            "TRADER_DATABASE_URL": location.connectionURL, "TRADER_EXCHANGE": "testnet", "TRADER_TESTNET_BASE_URL": sim.baseURL,
            "TRADER_MASTER_KEY_FILE": keyFile,
        ]
        var hosts: [String: SupervisorProcess] = [:]
        for id in Self.hostIDs {
            hosts[id] = try SupervisorProcess(dataDir: temp.path + "/" + id, name: "host-\(id)", environment: environment.merging(["TRADER_HOST_ID": id]) { $1 })
        }
        defer { for host in hosts.values { kill(host.pid, SIGCONT) } }
        do {
            // Shared out: every user's worker on exactly one host, three each.
            var owners: [UserID: [String]] = [:]
            let shared = await waitUntil(.seconds(60)) {
                owners = Self.owners(hosts, users: users)
                return owners.values.allSatisfy { $0.count == 1 } && Self.spread(owners) == ["h1": 3, "h2": 3, "h3": 3]
            }
            #expect(shared, "\(owners)\n\(hosts["h1"]!.output.suffix(3000))")

            // A command given on one host's dashboard reaches the worker another host runs.
            let remote = try #require(owners.first { $0.value == ["h2"] }?.key)
            try central.users.setPasswordHash(await PasswordHasher.hash(AccountTests.password, cost: 4), for: remote, at: Date())
            let web = WebClient(port: hosts["h1"]!.webPort)
            let login = try await web.logIn(try #require(try central.users.user(remote)?.username), AccountTests.password)
            #expect(login.status == 200, "\(login.body)")

            // A fill on one host (h2's worker) reaches a page on another host's web (h1) within 1 s
            // of its time on the exchange: the supervisor's NOTIFY wakes every web's feed.
            let events = EventStream.open(web)
            defer { events.close() }
            var latencies: [Double] = []
            for index in 1...3 {
                let order: [String: Any] = ["symbol": "BTCUSDT", "side": "BUY", "type": "market", "quantity": "0.001", "request_id": "xhost\(index)"]
                let placed = try await web.send(.POST, "/api/v1/orders", json: order)
                #expect(placed.status == 202, "\(placed.status) \(placed.body)")
                let streamed = await waitUntil(.seconds(15)) { events.named("fill").count >= index }
                #expect(streamed, "events: \(events.events.map(\.name))")
                guard let fill = events.named("fill").last else { break }
                let time = try #require(Timestamp.date(fill.json?["time"] as? String ?? ""), "\(fill.data)")
                latencies.append(fill.receivedAt.timeIntervalSince(time))
            }
            latencies.sort()
            print("fill on h2 → event on h1's web (s): \(latencies.map { String(format: "%.3f", $0) }.joined(separator: " "))")
            #expect(latencies.count == 3 && latencies[1] < 1.0 && latencies[2] < 2.5, "fill → event latencies \(latencies)")
            events.close()

            let stop = try await web.send(.POST, "/api/v1/bot/stop")
            #expect(stop.status == 202, "\(stop.status) \(stop.body)")
            let acknowledged = await waitUntil(.seconds(5)) {
                (try? central.commands.latest(user: remote, command: ControlCommand.stop.rawValue)?.acknowledgedAt) != nil
            }
            #expect(acknowledged, "\(String(describing: try? central.commands.latest(user: remote, command: ControlCommand.stop.rawValue)))")

            // kill -9 of a whole host: its users run on the other two within 20 s.
            let killed = hosts.removeValue(forKey: "h1")!
            let started = ContinuousClock.now
            kill(killed.pid, SIGKILL)
            for entry in ProcessTable.mentioning(killed.dataDir) { kill(entry.pid, SIGKILL) }
            let movedAfterKill = await waitUntil(.seconds(20)) {
                owners = Self.owners(hosts, users: users)
                return owners.values.allSatisfy { $0.count == 1 }
            }
            #expect(movedAfterKill, "\(owners)")
            let failover = ContinuousClock.now - started
            #expect(failover < .seconds(20))
            #expect(try central.leases!.leases().allSatisfy { $0.host == "h2" || $0.host == "h3" })

            // SIGSTOP of a host's supervisor past its lease: the other takes its users; resumed,
            // it kills its stale workers and the database refuses what it writes for them.
            let stopped = hosts["h2"]!
            let stoppedUsers = Set(owners.filter { $0.value == ["h2"] }.keys)
            #expect(!stoppedUsers.isEmpty)
            kill(stopped.pid, SIGSTOP)
            let takenOver = await waitUntil(.seconds(20)) {
                (try? central.leases!.leases().filter { stoppedUsers.contains($0.user) }.allSatisfy { $0.host == "h3" }) == true
            }
            #expect(takenOver)
            let runningOnH3 = await waitUntil(.seconds(15)) { Self.owners(["h3": hosts["h3"]!], users: users).values.allSatisfy { $0 == ["h3"] } }
            #expect(runningOnH3, "\(Self.owners(hosts, users: users))")
            kill(stopped.pid, SIGCONT)
            let staleGone = await waitUntil(.seconds(10)) { Self.owners(["h2": stopped], users: users).values.allSatisfy(\.isEmpty) }
            #expect(staleGone, "\(Self.owners(hosts, users: users))")
            let fenced = await waitUntil(.seconds(10)) { stopped.output.contains("report.fenced") }
            #expect(fenced, "\(stopped.output.suffix(3000))")
            #expect(stopped.output.contains("lease.lost"))

            // A drained host hands its users to the other within 5 s.
            _ = await waitUntil(.seconds(30)) { Self.owners(hosts, users: users).values.allSatisfy { $0.count == 1 } }
            let drainStarted = ContinuousClock.now
            let drain = try PostgresCentralTests.supervisor(
                ["drain", "--data-dir", hosts["h3"]!.dataDir, "--timeout", "20"], environment: environment.merging(["TRADER_HOST_ID": "h3"]) { $1 })
            #expect(drain.status == 0, "\(drain.output)")
            let drained = await waitUntil(.seconds(10)) { Self.owners(hosts, users: users).values.allSatisfy { $0 == ["h2"] } }
            #expect(drained, "\(Self.owners(hosts, users: users))")
            let drainTime = ContinuousClock.now - drainStarted
            #expect(drainTime < .seconds(5))
            // A paper bot started on the web of a host that runs no worker (h3, drained): the
            // command waits in its row, and the host that takes the new user runs the bot.
            let web3 = WebClient(port: hosts["h3"]!.webPort)
            let paperUser = try await web3.signUp("paperuser", AccountTests.password)
            try await web3.logIn("paperuser", AccountTests.password)
            let ticker = try await HTTP.get(sim.baseURL + "/api/v3/ticker/price?symbol=BTCUSDT")
            let priceText = try #require(ticker.json?["price"] as? String)
            let price = try #require(DecimalText.parse(priceText))
            let (lower, upper) = (SymbolFilters.round(price * Decimal(string: "0.9")!, step: 1, .down), SymbolFilters.round(price * Decimal(string: "1.1")!, step: 1, .up))
            let created = try await web3.send(.POST, "/api/v1/bots", json: [
                "name": "paper grid", "mode": "paper", "symbol": "BTCUSDT", "paper_balances": ["USDT": "5000"],
                "strategy": ["name": "grid", "params": ["lower": "\(lower)", "upper": "\(upper)", "levels": 6, "investment": "1000"]],
            ])
            let botID = try #require((created.json?["bot_id"] as? NSNumber)?.intValue, "\(created.body)")
            let startBot = try await web3.send(.POST, "/api/v1/bots/\(botID)/start")
            #expect(startBot.status == 202 && startBot.json?["delivered"] as? Bool == false, "\(startBot.status) \(startBot.body)")
            let paperRuns = try await waitUntilAsync(.seconds(20)) {
                let bot = try await PaperBotTests.bot(web3, botID)
                return Self.owners(hosts, users: [paperUser])[paperUser] == ["h2"] && bot["state"] as? String == "running"
                    && PaperBotTests.openOrders(bot).count == 5
            }
            let paperBot = try await PaperBotTests.bot(web3, botID)
            #expect(paperRuns, "\(Self.owners(hosts, users: [paperUser])) \(paperBot)")

            // The measured times, for the closing notes and `make bench`'s figures beside them.
            let timings = "failover after kill -9: \(failover)\ndrain: \(drainTime)\nfill on one host → event on another host's web (s): \(latencies)\n"
            try? timings.write(toFile: TestPaths.artifacts + "/multi-host-timings.txt", atomically: true, encoding: .utf8)
        } catch {
            for host in hosts.values { await host.stop() }
            throw error
        }
        for host in hosts.values { await host.stop() }
    }
}
