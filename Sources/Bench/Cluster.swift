import Common
import Foundation

/// A supervisor in a temporary data directory on free ports, for measurements.
struct Cluster {
    let directory: DataDirectory
    let process: Process
    let database: CentralDatabase
    let vault: ExchangeKeyVault
    let root: String
    let webPort: Int
    let simPort: Int

    var pid: pid_t { process.processIdentifier }

    /// `environment` adds `TRADER_…` settings (the benchmarks shorten `healthy_after_ms`, so each
    /// kill is measured as a first failure, with the initial 0.5 s backoff, not as a crash loop).
    static func start(binDir relativeBinDir: String, name: String, environment extra: [String: String] = [:]) async throws -> Cluster {
        let binDir = URL(fileURLWithPath: relativeBinDir).standardizedFileURL.path
        let root = "/tmp/ctp-\(name)-\(UUID().uuidString.prefix(6))"
        let directory = DataDirectory(root: root + "/data")
        try directory.prepare()
        chmod(root, 0o755)
        let database = try CentralDatabase.migrate(directory)
        let vault = ExchangeKeyVault(fernet: try MasterKey.loadOrCreate(path: directory.masterKeyFile), store: database.exchangeKeys)
        let process = Process()
        let ports = LoopbackPort.free(2)
        let (webPort, simPort) = (ports[0], ports[1])
        process.executableURL = URL(fileURLWithPath: binDir + "/supervisor")
        process.arguments = ["--data-dir", directory.root, "--web-port", String(webPort), "--sim-port", String(simPort)]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }
        environment["TRADER_BIN_DIR"] = binDir
        environment.merge(extra) { $1 }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Cluster(directory: directory, process: process, database: database, vault: vault, root: root, webPort: webPort, simPort: simPort)
    }

    /// The dashboard's base URL, once `/healthz` answers (30 s at most).
    func webBase() async throws -> String {
        let base = "http://127.0.0.1:\(webPort)"
        let deadline = Date().addingTimeInterval(30)
        while (try? await AccountsBench.send(.GET, base + "/healthz"))?.status != 200 {
            guard Date() < deadline else { throw BenchError("the web did not start") }
            try await Task.sleep(for: .milliseconds(100))
        }
        return base
    }

    /// The simulator's base URL and a new account on it, once the simulator answers (30 s at most).
    func simulatorAccount() async throws -> (sim: String, credentials: BinanceClient.Credentials) {
        let sim = "http://127.0.0.1:\(simPort)"
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? await SimAdmin.post(url: sim + "/sim/v1/accounts", json: "{}")) != nil
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        return (sim, try await SimBench.account(sim))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
    }

    func addUsers(_ count: Int) throws -> [UserID] {
        try (0..<count).map { _ in
            let user = try database.users.createUser(username: "bench-\(UUID().uuidString.prefix(8))", passwordHash: "$2b$12$bench", at: Date())
            try vault.store(user: user, apiKey: "bench-key-\(user)", apiSecret: "bench-secret-\(user)", canTrade: true, verifiedAt: nil)
            return user
        }
    }

    func waitForHeartbeats(of users: [UserID], timeout: TimeInterval) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let statuses = try database.processes.all()
            let running = Set(statuses.filter { $0.state == .running && $0.lastHeartbeatAt != nil }.compactMap(\.userID))
            if users.allSatisfy(running.contains) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("workers did not all report a heartbeat within \(Int(timeout)) s")
    }

    /// Kills the user's worker and measures the time until its replacement's first heartbeat.
    func restartTime(of user: UserID) async throws -> Double {
        let name = ProcessStatus.workerName(user)
        guard let old = try database.processes.status(process: name)?.pid else { throw BenchError("worker \(user) has no pid") }
        let killed = Date()
        kill(old, SIGKILL)
        while Date().timeIntervalSince(killed) < 30 {
            if let status = try database.processes.status(process: name), let pid = status.pid, pid != old,
                let beat = status.lastHeartbeatAt, beat > killed
            {
                return beat.timeIntervalSince(killed)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchError("worker \(user) did not come back within 30 s")
    }

    func idleRSS(worker user: UserID) -> (supervisor: Int?, web: Int?, sim: Int?, worker: Int?) {
        let children = ProcessTable.children(of: pid)
        func rss(_ program: String, _ argument: String? = nil) -> Int? {
            children.first { $0.program == program && (argument == nil || $0.arguments.dropFirst().first == argument) }
                .flatMap { ProcessTable.residentBytes($0.pid) }
        }
        return (ProcessTable.residentBytes(pid), rss("web"), rss("exchange-sim"), rss("worker", String(user.rawValue)))
    }

    /// CPU (fraction of one core) and memory of the workers and the supervisor over `seconds`.
    func load(of users: [UserID], seconds: Int) async throws -> (workersCPU: Double, supervisorCPU: Double, totalRSS: Int, totalPSS: Int) {
        let workers = ProcessTable.children(of: pid).filter { $0.program == "worker" }.map(\.pid)
        let startWorkers = workers.compactMap(ProcessTable.cpuSeconds).reduce(0, +)
        let startSupervisor = ProcessTable.cpuSeconds(pid) ?? 0
        let started = Date()
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = Date().timeIntervalSince(started)
        let endWorkers = workers.compactMap(ProcessTable.cpuSeconds).reduce(0, +)
        let endSupervisor = ProcessTable.cpuSeconds(pid) ?? 0
        let rss = workers.compactMap(ProcessTable.residentBytes).reduce(0, +)
        let pss = workers.compactMap(ProcessTable.proportionalBytes).reduce(0, +)
        return ((endWorkers - startWorkers) / elapsed, (endSupervisor - startSupervisor) / elapsed, rss, pss)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func freePort() -> Int { LoopbackPort.free() }
