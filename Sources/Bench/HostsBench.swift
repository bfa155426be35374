import ArgumentParser
import CentralPostgres
import Common
import Foundation

/// `make bench`, hosts: the central database on PostgreSQL under several supervisors on this
/// machine, beside one supervisor on SQLite running the same workers.
///
/// - Failover: a host's supervisor killed (`kill -9`; its workers die with it) → each of its
///   users' first heartbeat from a worker on another host, p50/p95 over that host's users.
/// - Load, `workers` idle workers (keys on the simulator, no bot started) for `seconds`: CPU of
///   the supervisors, the workers and PostgreSQL's processes; their memory (PSS); heartbeats
///   landed in the central database per second and their age when read (does the database keep
///   up?); on PostgreSQL also the rows written per second, from its own statistics.
///
/// PostgreSQL runs durable here (fsync on, as in production), unlike the tests' server.
struct HostsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts", abstract: "Supervisors on PostgreSQL beside one on SQLite: failover time, CPU, memory, report writes."
    )

    @Option(help: "Folder of the executables (release build).")
    var binDir: String
    @Option(help: "Idle workers, shared out among the hosts.")
    var workers: Int = 300
    @Option(help: "Supervisors (hosts) on PostgreSQL.")
    var hosts: Int = 3
    @Option(help: "Seconds the load is measured, after the workers are up.")
    var seconds: Int = 30

    func run() async throws {
        guard workers > 0, hosts >= 2 else { throw ValidationError("--workers must be positive and --hosts at least 2") }
        let binDir = URL(fileURLWithPath: binDir).standardizedFileURL.path
        let root = "/tmp/ctp-hosts-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        chmod(root, 0o755)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sim = try await BenchSimulator.start(binDir: binDir, directory: root + "/sim")
        defer { sim.stop() }
        var accounts: [BinanceClient.Credentials] = []
        for _ in 0..<workers { accounts.append(try await SimBench.account(sim.base)) }

        let postgres = try await measurePostgres(binDir: binDir, root: root, sim: sim.base, accounts: accounts)
        let sqlite = try await measureSQLite(binDir: binDir, sim: sim.base, accounts: accounts)

        let failover = postgres.failover.sorted()
        func percentile(_ p: Double) -> String {
            failover.isEmpty ? "unavailable (no user moved)" : String(format: "%.2f s", failover[min(failover.count - 1, Int((Double(failover.count - 1) * p).rounded()))])
        }
        let figures: [(String, String, String, String)] = [
            ("host killed → its users' next heartbeat elsewhere, p50", percentile(0.5), "—",
             "\(failover.count) users of the killed host of \(hosts); lease \(Self.leaseMs / 1000) s"),
            ("host killed → its users' next heartbeat elsewhere, p95", percentile(0.95), "—", "SQLite: one machine, no other host"),
            ("\(workers) workers up, PostgreSQL / SQLite", String(format: "%.0f s / %.0f s", postgres.load.upIn, sqlite.upIn), "—",
             "\(hosts) supervisors / 1 supervisor, from the keys stored"),
            ("CPU, PostgreSQL: supervisors / workers / database", postgres.load.cpuText, "—", "share of one core, \(seconds) s measured"),
            ("CPU, SQLite: supervisor / workers", sqlite.cpuText, "—", "share of one core, \(seconds) s measured"),
            ("memory (PSS), PostgreSQL: supervisors / workers / database", postgres.load.memoryText, "—", "—"),
            ("memory (PSS), SQLite: supervisor / workers", sqlite.memoryText, "—", "—"),
            ("heartbeats landed per second, PostgreSQL / SQLite", String(format: "%.0f / %.0f", postgres.load.heartbeatsPerSecond, sqlite.heartbeatsPerSecond),
             "\(workers) (one per worker a second)", "every worker's heartbeat row, read every 250 ms"),
            ("heartbeat age when read, p95, PostgreSQL / SQLite", String(format: "%.2f s / %.2f s", postgres.load.beatAgeP95, sqlite.beatAgeP95), "< 2 s",
             "a heartbeat every second: older means the database falls behind"),
            ("rows written per second on PostgreSQL", postgres.load.rowsPerSecond.map { String(format: "%.0f", $0) } ?? "unavailable", "—",
             postgres.load.commitsPerSecond.map { String(format: "%.0f transactions committed per second", $0) } ?? "—"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "hosts")
    }

    static let leaseMs = 6_000

    // MARK: - PostgreSQL, several hosts

    func measurePostgres(binDir: String, root: String, sim: String, accounts: [BinanceClient.Credentials]) async throws -> (load: HostLoad, failover: [Double]) {
        // Its own folder: as root, PostgreSQL's parent folder is handed to the `postgres` account.
        let server = try PostgresServer.start(directory: root + "-pg/server", durable: true)
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: root + "-pg")
        }
        let location = try server.newDatabase()
        let central = try CentralDatabase.migrate(PostgresSession(location))
        let keyFile = root + "/shared-secrets/master.key"
        let setup = DataDirectory(root: root + "/setup", masterKeyFile: keyFile)
        try setup.prepare()
        let vault = ExchangeKeyVault(fernet: try MasterKey.loadOrCreate(path: keyFile), store: central.exchangeKeys)
        let environment = [
            "TRADER_DATABASE_URL": location.connectionURL, "TRADER_EXCHANGE": "testnet", "TRADER_TESTNET_BASE_URL": sim,
            "TRADER_MASTER_KEY_FILE": keyFile, "TRADER_WEB_START": "false", "TRADER_SIM_START": "false",
        ]
        var supervisors: [String: Process] = [:]
        defer { for process in supervisors.values where process.isRunning { process.terminate(); process.waitUntilExit() } }
        for index in 1...hosts {
            let id = "h\(index)"
            supervisors[id] = try Self.supervisor(
                binDir: binDir, dataDir: root + "/" + id, environment: environment.merging(["TRADER_HOST_ID": id]) { $1 }
            )
        }
        // Every host up before the users come, so each claims its fair share from the start.
        let admin = PostgresSession(location)
        let deadline = Date().addingTimeInterval(60)
        while try admin.query("SELECT count(*) FROM hosts WHERE seen_at > now() - interval '5 seconds'").first?.decode(Int64.self) ?? 0 < hosts {
            guard Date() < deadline else { throw BenchError("the \(hosts) supervisors did not all start within 60 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
        let started = Date()
        let users = try Self.addUsers(central, vault: vault, accounts: accounts, prefix: "pg")
        try await Self.waitForHeartbeats(central, users: users, since: started, timeout: 900)
        let upIn = Date().timeIntervalSince(started)
        print("hosts: \(users.count) workers up on \(hosts) hosts (PostgreSQL) in \(Int(upIn)) s; settling, then measuring \(seconds) s")
        try await Task.sleep(for: .seconds(10))
        let postmaster = Self.postmaster(server)
        var load = try await HostLoad.measure(
            central, users: users, supervisors: supervisors.values.map(\.processIdentifier), database: postmaster, seconds: seconds,
            rowsAndCommits: { try Self.rowsAndCommits(central: location) }
        )
        load.upIn = upIn

        // The host with the most users is killed; its workers die with it (parent-death signal).
        let leases = try central.leases?.leases() ?? []
        let counts = Dictionary(grouping: leases.compactMap(\.host), by: { $0 }).mapValues(\.count)
        guard let victim = counts.max(by: { $0.value < $1.value })?.key, let process = supervisors[victim] else {
            throw BenchError("no host holds a lease")
        }
        let moving = Set(leases.filter { $0.host == victim }.map(\.user))
        let oldPIDs = Dictionary(uniqueKeysWithValues: try central.processes.all().compactMap { status in status.userID.map { ($0, status.pid) } })
        print("hosts: killing \(victim) with \(moving.count) users")
        let killed = Date()
        kill(process.processIdentifier, SIGKILL)
        var failover: [UserID: Double] = [:]
        while failover.count < moving.count, Date().timeIntervalSince(killed) < 120 {
            let owners = Dictionary(uniqueKeysWithValues: try (central.leases?.leases() ?? []).map { ($0.user, $0.host) })
            for status in try central.processes.all() {
                guard let user = status.userID, moving.contains(user), failover[user] == nil, let owner = owners[user] ?? nil, owner != victim,
                    let beat = status.lastHeartbeatAt, beat > killed, status.pid != oldPIDs[user] ?? nil
                else { continue }
                failover[user] = beat.timeIntervalSince(killed)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if failover.count < moving.count {
            print("hosts: \(moving.count - failover.count) of \(moving.count) users did not beat elsewhere within 120 s")
        }
        return (load, Array(failover.values))
    }

    /// The server's main process (the first line of `postmaster.pid`).
    static func postmaster(_ server: PostgresServer) -> pid_t? {
        let text = try? String(contentsOfFile: server.directory + "/data/postmaster.pid", encoding: .utf8)
        return text?.split(separator: "\n").first.flatMap { pid_t($0) }
    }

    /// Rows written and transactions committed so far, from PostgreSQL's own statistics.
    static func rowsAndCommits(central location: PostgresLocation) throws -> (rows: Int, commits: Int) {
        let db = PostgresSession(location)
        _ = try db.query("SELECT pg_stat_force_next_flush()")
        let rows = try db.query("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables").first?.decode(Int64.self) ?? 0
        let commits = try db.query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").first?.decode(Int64.self) ?? 0
        return (Int(rows), Int(commits))
    }

    // MARK: - SQLite, one host

    func measureSQLite(binDir: String, sim: String, accounts: [BinanceClient.Credentials]) async throws -> HostLoad {
        let cluster = try await Cluster.start(
            binDir: binDir, name: "hosts-sqlite",
            environment: ["TRADER_EXCHANGE": "testnet", "TRADER_TESTNET_BASE_URL": sim, "TRADER_WEB_START": "false", "TRADER_SIM_START": "false"]
        )
        defer { cluster.stop() }
        let started = Date()
        let users = try Self.addUsers(cluster.database, vault: cluster.vault, accounts: accounts, prefix: "sqlite")
        try await Self.waitForHeartbeats(cluster.database, users: users, since: started, timeout: 900)
        let upIn = Date().timeIntervalSince(started)
        print("hosts: \(users.count) workers up on one host (SQLite) in \(Int(upIn)) s; settling, then measuring \(seconds) s")
        try await Task.sleep(for: .seconds(10))
        var load = try await HostLoad.measure(cluster.database, users: users, supervisors: [cluster.pid], database: nil, seconds: seconds, rowsAndCommits: nil)
        load.upIn = upIn
        return load
    }

    // MARK: - Shared

    static func addUsers(_ central: CentralDatabase, vault: ExchangeKeyVault, accounts: [BinanceClient.Credentials], prefix: String) throws -> [UserID] {
        try accounts.enumerated().map { index, credentials in
            let user = try central.users.createUser(username: "\(prefix)-\(index)", passwordHash: "$2b$12$bench", at: Date())
            try vault.store(user: user, apiKey: credentials.apiKey, apiSecret: credentials.secret, canTrade: true, verifiedAt: Date())
            return user
        }
    }

    static func supervisor(binDir: String, dataDir: String, environment extra: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDir + "/supervisor")
        process.arguments = ["--data-dir", dataDir]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }
        environment["TRADER_BIN_DIR"] = binDir
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitForHeartbeats(_ central: CentralDatabase, users: [UserID], since: Date, timeout: TimeInterval) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        let wanted = Set(users)
        while Date() < deadline {
            let beating = Set(try central.processes.all().filter { ($0.lastHeartbeatAt ?? .distantPast) > since }.compactMap(\.userID))
            if wanted.isSubset(of: beating) { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw BenchError("the workers did not all report a heartbeat within \(Int(timeout)) s")
    }
}

/// What a set of hosts costs while their workers run idle, and how well the database keeps up.
struct HostLoad {
    var upIn: Double = 0
    var cpu: [String: Double] = [:]
    var pss: [String: Int] = [:]
    var heartbeatsPerSecond: Double = 0
    var beatAgeP95: Double = 0
    var rowsPerSecond: Double?
    var commitsPerSecond: Double?
    let groups: [String]

    var cpuText: String { groups.map { String(format: "%.0f %%", (cpu[$0] ?? 0) * 100) }.joined(separator: " / ") }
    var memoryText: String { groups.map { String(format: "%.0f MB", Double(pss[$0] ?? 0) / 1e6) }.joined(separator: " / ") }

    static func measure(
        _ central: CentralDatabase, users: [UserID], supervisors: [pid_t], database: pid_t?, seconds: Int,
        rowsAndCommits: (() throws -> (rows: Int, commits: Int))?
    ) async throws -> HostLoad {
        var load = HostLoad(groups: database == nil ? ["supervisors", "workers"] : ["supervisors", "workers", "database"])
        func processes() -> [(group: String, pid: pid_t)] {
            var list = supervisors.map { ("supervisors", $0) }
            for supervisor in supervisors {
                list += ProcessTable.children(of: supervisor).filter { $0.program == "worker" }.map { ("workers", $0.pid) }
            }
            if let database { list += [("database", database)] + ProcessTable.children(of: database).map { ("database", $0.pid) } }
            return list
        }
        let before = processes()
        let cpuBefore = Dictionary(before.compactMap { entry in ProcessTable.cpuSeconds(entry.pid).map { (entry.pid, $0) } }) { a, _ in a }
        let statsBefore = try rowsAndCommits?()
        let wanted = Set(users)
        var lastBeat: [UserID: Date] = [:]
        var landed = 0
        var ages: [Double] = []
        let started = Date()
        while Date().timeIntervalSince(started) < Double(seconds) {
            let now = Date()
            for status in try central.processes.all() {
                guard let user = status.userID, wanted.contains(user), let beat = status.lastHeartbeatAt else { continue }
                if let last = lastBeat[user], beat > last { landed += 1 }
                lastBeat[user] = beat
                ages.append(now.timeIntervalSince(beat))
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let elapsed = Date().timeIntervalSince(started)
        let statsAfter = try rowsAndCommits?()
        for entry in processes() {
            guard let start = cpuBefore[entry.pid], let end = ProcessTable.cpuSeconds(entry.pid) else { continue }
            load.cpu[entry.group, default: 0] += (end - start) / elapsed
            load.pss[entry.group, default: 0] += ProcessTable.proportionalBytes(entry.pid) ?? 0
        }
        load.heartbeatsPerSecond = Double(landed) / elapsed
        ages.sort()
        load.beatAgeP95 = ages.isEmpty ? .nan : ages[Int(Double(ages.count - 1) * 0.95)]
        if let statsBefore, let statsAfter {
            load.rowsPerSecond = Double(statsAfter.rows - statsBefore.rows) / elapsed
            load.commitsPerSecond = Double(statsAfter.commits - statsBefore.commits) / elapsed
        }
        return load
    }
}

/// An exchange simulator of the benchmark's own, shared by every host it measures.
struct BenchSimulator {
    let process: Process
    let base: String

    static func start(binDir: String, directory: String) async throws -> BenchSimulator {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDir + "/exchange-sim")
        // Hundreds of workers from one address: a weight limit that does not measure the limit.
        process.arguments = ["--port", String(port), "--seed", "1", "--weight-limit", "1000000", "--data-dir", directory]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        for _ in 0..<300 {
            if (try? await SimAdmin.post(url: base + "/sim/v1/accounts", json: "{}")) != nil { return BenchSimulator(process: process, base: base) }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw BenchError("the simulator did not answer within 30 s")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
