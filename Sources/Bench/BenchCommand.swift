import ArgumentParser
import Common
import Foundation

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trader-bench",
        abstract: "Performance figures (`make bench`) and the long unattended run (`make soak`).",
        subcommands: [Bench.self, Soak.self, Hammer.self, SimBench.self, OrdersBench.self, AccountsBench.self, TradingBench.self, BotsBench.self, ModelsBench.self, DashboardBench.self, ScaleBench.self, HostsBench.self, HooksBench.self, NotifyBench.self, AllBench.self]
    )
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the foundation's figures and print them beside their targets.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Kill-to-heartbeat samples.")
    var restarts: Int = 15
    @Option(help: "Idle workers for the load figure.")
    var workers: Int = 50

    func run() async throws {
        let cluster = try await Cluster.start(
            binDir: binDir, name: "bench",
            environment: ["TRADER_SUPERVISOR_HEALTHY_AFTER_MS": "1000", "TRADER_SUPERVISOR_CRASH_LOOP_RESTARTS": "1000"]
        )
        defer { cluster.stop() }
        let first = try cluster.addUsers(1)[0]
        try await cluster.waitForHeartbeats(of: [first], timeout: 30)

        var samples: [Double] = []
        for _ in 0..<restarts {
            try await Task.sleep(for: .milliseconds(1_500))
            samples.append(try await cluster.restartTime(of: first))
        }
        samples.sort()
        try await Task.sleep(for: .seconds(5))
        let rss = cluster.idleRSS(worker: first)

        let more = try cluster.addUsers(workers - 1)
        let all = [first] + more
        try await cluster.waitForHeartbeats(of: all, timeout: 120)
        try await Task.sleep(for: .seconds(5))
        let load = try await cluster.load(of: all, seconds: 20)

        let figures: [(String, String, String, String)] = [
            ("worker restart, kill → next heartbeat, median", format(samples[samples.count / 2], "s"), "< 1 s", "backoff starts at 0.5 s"),
            ("worker restart, p90", format(samples[Int(Double(samples.count - 1) * 0.9)], "s"), "—", "\(samples.count) samples"),
            ("idle RSS, supervisor", megabytes(rss.supervisor), "—", "—"),
            ("idle RSS, web", megabytes(rss.web), "—", "—"),
            ("idle RSS, exchange-sim", megabytes(rss.sim), "—", "—"),
            ("idle RSS, one worker", megabytes(rss.worker), "< 25 MB", "most of it shared library pages"),
            ("\(all.count) idle workers, total RSS", megabytes(load.totalRSS), "—", "RSS counts shared library pages once per process"),
            ("\(all.count) idle workers, total PSS", megabytes(load.totalPSS), "—", "shared pages divided among the processes"),
            (
                "memory per worker (PSS) with \(all.count) running", megabytes(load.totalPSS / max(all.count, 1)), "< 25 MB",
                "freqtrade: hundreds of MB per bot (not measured here)"
            ),
            ("\(all.count) idle workers, CPU", String(format: "%.2f %% of one core", load.workersCPU * 100), "< 5 %", "—"),
            ("supervisor CPU with \(all.count) workers", String(format: "%.2f %% of one core", load.supervisorCPU * 100), "—", "—"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "bench")
    }

    func format(_ seconds: Double, _ unit: String) -> String { String(format: "%.3f %@", seconds, unit) }
    func megabytes(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f MB", Double($0) / 1_000_000) } ?? "unavailable (process gone)" }
}
