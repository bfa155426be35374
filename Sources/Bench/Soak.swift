import ArgumentParser
import AsyncHTTPClient
import Common
import Foundation
import NIOCore

/// `make soak`: many users' bots trading for a long time on 1 s candles while prices jump and the
/// exchange fails now and then; every process's memory, CPU and open files sampled; a report
/// (Markdown, CSV, PNG chart) under `--out`. Passes when, after the warm-up, no process group's
/// memory trends up by more than 5 %, open files do not grow, every exchange trade is exactly one
/// recorded fill, and the dashboard never answered 5xx. Exit status 1 when it does not pass.
struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A long unattended run with faults, and its report.")

    @Option(help: "Folder of the executables.")
    var binDir: String
    @Option(help: "How long the bots trade, in seconds.")
    var seconds: Int = 1800
    @Option(help: "Users, each with a bot.")
    var users: Int = 20
    @Option(help: "Seconds between samples of every process.")
    var sampleSeconds: Int = 60
    @Option(help: "Seconds at the start left out of the trends (default: a fifth of the run, at most 5 min).")
    var warmupSeconds: Int?
    @Option(help: "Where the report goes (a folder per run is made in it).")
    var out: String = "var/soak"

    struct Sample {
        let elapsed: Double
        let group: String
        let process: String
        let pid: pid_t
        let rss: Int
        let cpuPercent: Double
        let openFiles: Int
    }

    struct Person {
        let user: UserID
        let cookie: String
        let client: BinanceClient
        let symbols: [String]
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: Int] = [:]
        func add(_ key: String, _ amount: Int = 1) { lock.withLock { values[key, default: 0] += amount } }
        subscript(_ key: String) -> Int { lock.withLock { values[key] ?? 0 } }
    }

    func run() async throws {
        let warmup = Double(warmupSeconds ?? min(300, seconds / 5))
        let folder = out + "/" + Timestamp.string(Date()).replacingOccurrences(of: ":", with: "")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cluster = try await Cluster.start(binDir: binDir, name: "soak")
        defer { cluster.stop() }
        let base = try await cluster.webBase()
        let sim = "http://127.0.0.1:\(cluster.simPort)"
        print("soak: \(users) users for \(seconds) s, a sample every \(sampleSeconds) s, warm-up \(Int(warmup)) s, report in \(folder)")

        // The users, as people would make them (sign-up and login through the web), their keys and settings stored.
        let symbolSets = [["BTCUSDT", "ETHUSDT"], ["BNBUSDT"], ["SOLUSDT", "XRPUSDT"], ["ETHUSDT"], ["BTCUSDT"]]
        var people: [Person] = []
        for index in 0..<users {
            let name = "soak\(index)"
            let password = "soak password \(UUID().uuidString)"
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["username": name, "password": password]), as: UTF8.self)
            guard try await AccountsBench.send(.POST, base + "/api/v1/signup", json: body).status == 201 else { throw BenchError("sign-up of \(name) failed") }
            let login = try await AccountsBench.send(.POST, base + "/api/v1/login", json: body)
            guard let cookie = login.cookie, let user = try cluster.database.users.credentials(username: name)?.user.id else { throw BenchError("login of \(name) failed") }
            let credentials = try await SimBench.account(sim)
            var settings = BotSettings.defaults
            settings.symbols = symbolSets[index % symbolSets.count]
            settings.interval = "1s"
            settings.strategy = .init(name: "sma_cross", params: ["fast": 2, "slow": index % 2 == 0 ? 3 : 4])
            settings.risk.maxPositionPct = 1
            settings.risk.maxOpenPositions = 2
            settings.risk.dailyLossLimitUsdt = 0
            settings.risk.maxDrawdownPct = 0
            try cluster.database.bots.saveSettings(settings, for: user, at: Date())
            try cluster.vault.store(user: user, apiKey: credentials.apiKey, apiSecret: credentials.secret, canTrade: true, verifiedAt: Date())
            people.append(Person(user: user, cookie: cookie, client: BinanceClient(baseURL: sim, credentials: credentials), symbols: settings.symbols))
        }
        try await cluster.waitForHeartbeats(of: people.map(\.user), timeout: 120)
        for person in people {
            _ = try await TradingBench.control(cluster.directory.controlSocket, "/v1/users/\(person.user.rawValue)/commands", ["command": "start"])
        }

        let started = Date()
        let deadline = started.addingTimeInterval(TimeInterval(seconds))
        let responses = Counter()
        // The dashboard in use: each user's pages and API, round after round.
        let readers = Task {
            var round = 0
            while Date() < deadline, !Task.isCancelled {
                for person in people {
                    for path in ["/api/v1/portfolio", "/api/v1/fills?limit=50", "/api/v1/bot", "/", "/trading"] {
                        let status = (try? await AccountsBench.send(.GET, base + path, cookie: person.cookie).status) ?? 0
                        responses.add(status >= 500 ? "5xx" : status == 0 ? "no answer" : "ok")
                    }
                }
                round += 1
                try? await Task.sleep(for: .seconds(5))
            }
        }
        // Volatility and faults: a price jump every 20 s; every 90 s, 10 s of failures or slowness.
        let chaos = Task {
            var step = 0
            let symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]
            while Date() < deadline.addingTimeInterval(-15), !Task.isCancelled {
                try? await Task.sleep(for: .seconds(20))
                step += 1
                let symbol = symbols[step % symbols.count]
                if let price = try? await people[0].client.tickerPrices()[symbol] {
                    let factor = step % 2 == 0 ? 1.015 : 0.985
                    let moved = String(format: symbol == "XRPUSDT" ? "%.4f" : "%.2f", NSDecimalNumber(decimal: price).doubleValue * factor)
                    _ = try? await AccountsBench.send(.POST, sim + "/sim/v1/prices", json: #"{"symbol":"\#(symbol)","price":"\#(moved)","hold":false}"#)
                    responses.add("price jumps")
                }
                if step % 4 == 0 {
                    let fault = step % 8 == 0 ? #"{"error_rate":0.3}"# : #"{"latency_ms":800}"#
                    _ = try? await AccountsBench.send(.POST, sim + "/sim/v1/faults", json: fault)
                    responses.add("faults injected")
                    try? await Task.sleep(for: .seconds(10))
                    _ = try? await AccountsBench.send(.DELETE, sim + "/sim/v1/faults")
                }
            }
        }

        // Every process, every sample interval.
        var samples: [Sample] = []
        var lastCPU: [pid_t: (Double, Date)] = [:]
        func sample() {
            let now = Date()
            let entries = [ProcessTable.entry(cluster.pid)].compactMap { $0 } + ProcessTable.children(of: cluster.pid)
            for entry in entries {
                guard let rss = ProcessTable.residentBytes(entry.pid), let cpu = ProcessTable.cpuSeconds(entry.pid) else { continue }
                let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry.pid)/fd").count) ?? 0
                let percent = lastCPU[entry.pid].map { (cpu - $0.0) / max(0.001, now.timeIntervalSince($0.1)) * 100 } ?? 0
                lastCPU[entry.pid] = (cpu, now)
                let group = entry.pid == cluster.pid ? "supervisor" : entry.program == "worker" ? "workers" : entry.program
                let name = entry.program == "worker" ? "worker/\(entry.arguments.dropFirst().first ?? "?")" : group
                samples.append(Sample(elapsed: now.timeIntervalSince(started), group: group, process: name, pid: entry.pid, rss: rss, cpuPercent: percent, openFiles: files))
            }
        }
        sample()
        while Date() < deadline {
            try await Task.sleep(for: .seconds(min(Double(sampleSeconds), max(0.1, deadline.timeIntervalSinceNow))))
            sample()
            let last = samples.filter { $0.elapsed == samples.last?.elapsed }
            print(String(format: "soak: %4.0f s, RSS %.0f MB, %d open files, %d answers, %d 5xx", samples.last?.elapsed ?? 0,
                Double(last.map(\.rss).reduce(0, +)) / 1e6, last.map(\.openFiles).reduce(0, +), responses["ok"], responses["5xx"]))
        }
        readers.cancel()
        chaos.cancel()
        _ = try? await AccountsBench.send(.DELETE, sim + "/sim/v1/faults")

        // The bots stop and sell; then every exchange trade must be exactly one fill.
        for person in people {
            _ = try await TradingBench.control(
                cluster.directory.controlSocket, "/v1/users/\(person.user.rawValue)/commands", ["command": "stop", "payload": #"{"close_positions":true}"#])
        }
        try await Task.sleep(for: .seconds(5))
        var lost = 0
        var duplicated = 0
        var fills = 0
        for person in people {
            var trades: Set<Int64> = []
            for symbol in person.symbols { trades.formUnion(try await person.client.myTrades(symbol: symbol).map(\.tradeID)) }
            var recorded: [Int64] = []
            for _ in 0..<10 {
                recorded = try cluster.database.trading.fills(for: person.user, symbol: nil, before: nil, limit: 100_000).map(\.tradeID)
                if Set(recorded) == trades { break }
                try await Task.sleep(for: .seconds(1))
            }
            fills += recorded.count
            lost += trades.subtracting(recorded).count
            duplicated += recorded.count - Set(recorded).count
        }

        let report = Self.report(
            samples: samples, warmup: warmup, users: users, seconds: seconds, fills: fills, lost: lost, duplicated: duplicated, responses: responses)
        try report.markdown.write(toFile: folder + "/report.md", atomically: true, encoding: .utf8)
        try report.csv.write(toFile: folder + "/samples.csv", atomically: true, encoding: .utf8)
        try report.chart.write(to: URL(fileURLWithPath: folder + "/rss.png"))
        print(report.markdown)
        print("soak: report in \(folder)/report.md")
        if !report.passed { throw ExitCode(1) }
    }

    struct Outcome {
        let markdown: String
        let csv: String
        let chart: Data
        let passed: Bool
    }

    /// Least-squares slope of y over x.
    static func slope(_ points: [(Double, Double)]) -> Double {
        guard points.count > 1 else { return 0 }
        let meanX = points.map(\.0).reduce(0, +) / Double(points.count)
        let meanY = points.map(\.1).reduce(0, +) / Double(points.count)
        let numerator = points.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +)
        let denominator = points.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
        return denominator == 0 ? 0 : numerator / denominator
    }

    static func report(
        samples: [Sample], warmup: Double, users: Int, seconds: Int, fills: Int, lost: Int, duplicated: Int, responses: Counter
    ) -> Outcome {
        let times = Array(Set(samples.map(\.elapsed))).sorted()
        let steady = times.filter { $0 >= warmup }
        let groups = ["supervisor", "web", "exchange-sim", "workers"]
        func total(_ group: String?, at time: Double, _ value: (Sample) -> Double) -> Double {
            samples.filter { $0.elapsed == time && (group == nil || $0.group == group) }.map(value).reduce(0, +)
        }
        var rows: [String] = []
        var passed = true
        // Memory: the trend over the steady part, as a share of its mean, per group and for the
        // product's processes together.
        var trendLines: [String] = []
        for group in groups + ["ours"] {
            // "ours": every process of the product, the simulator left out.
            let points = steady.map { time in
                (time, group == "ours" ? total(nil, at: time) { Double($0.rss) } - total("exchange-sim", at: time) { Double($0.rss) } : total(group, at: time) { Double($0.rss) })
            }
            let mean = points.map(\.1).reduce(0, +) / Double(max(points.count, 1))
            let span = (steady.last ?? 0) - (steady.first ?? 0)
            let growth = mean > 0 ? slope(points) * span / mean : 0
            let ok = growth <= 0.05
            // The simulator plays the exchange, which keeps every order and trade: its memory grows
            // with the trading by design, so it is shown, not judged.
            let judged = group != "exchange-sim"
            if judged { passed = passed && ok }
            let verdict = !judged ? "not judged (the exchange's history)" : ok ? "pass" : "**fail**"
            let label = group == "ours" ? "all but the simulator" : group
            trendLines.append(String(format: "| %@ | %.1f MB | %.1f MB | %+.1f %% | %@ |", label, (points.first?.1 ?? 0) / 1e6, (points.last?.1 ?? 0) / 1e6, growth * 100, verdict))
        }
        // Open files: the last third of the steady samples against the first third.
        let third = max(1, steady.count / 3)
        func meanFiles(_ slice: ArraySlice<Double>) -> Double { slice.map { total(nil, at: $0) { Double($0.openFiles) } }.reduce(0, +) / Double(max(slice.count, 1)) }
        let filesBefore = meanFiles(steady.prefix(third))
        let filesAfter = meanFiles(steady.suffix(third))
        let filesOK = filesAfter <= filesBefore * 1.05 + 5
        let fillsOK = lost == 0 && duplicated == 0 && fills > 0
        let errorsOK = responses["5xx"] == 0 && responses["ok"] > 0
        let samplesOK = steady.count >= 3
        passed = passed && filesOK && fillsOK && errorsOK && samplesOK
        rows.append("| open files (all processes), first third → last third of the steady part | \(Int(filesBefore)) → \(Int(filesAfter)) | no growth (≤ 5 % + 5) | \(filesOK ? "pass" : "**fail**") |")
        rows.append("| fills recorded / lost / recorded twice | \(fills) / \(lost) / \(duplicated) | some / 0 / 0 | \(fillsOK ? "pass" : "**fail**") |")
        rows.append("| dashboard answers / 5xx / no answer | \(responses["ok"]) / \(responses["5xx"]) / \(responses["no answer"]) | 0 × 5xx | \(errorsOK ? "pass" : "**fail**") |")
        rows.append("| samples after the warm-up | \(steady.count) | ≥ 3 | \(samplesOK ? "pass" : "**fail**") |")
        let cpu = groups.map { group -> String in
            let values = steady.map { total(group, at: $0, \.cpuPercent) }
            return String(format: "%@ %.1f %%", group, values.reduce(0, +) / Double(max(values.count, 1)))
        }

        let chartTop = (times.map { total(nil, at: $0) { Double($0.rss) } }.max() ?? 0) / 1e6 * 1.1
        let markdown = """
            # Soak report — \(passed ? "PASS" : "FAIL")

            \(Timestamp.string(Date())) · \(users) users on 1 s candles for \(seconds) s · a sample every \(Int((times.dropFirst().first ?? 0) - (times.first ?? 0))) s · warm-up \(Int(warmup)) s left out of the trends · \
            price jumps: \(responses["price jumps"]) · fault windows (30 % errors or 800 ms answers, 10 s each): \(responses["faults injected"])

            ## Memory (resident), steady part

            | processes | first | last | trend over the steady part | ≤ +5 % |
            |---|---|---|---|---|
            \(trendLines.joined(separator: "\n"))

            ## The rest

            | check | measured | wanted | result |
            |---|---|---|---|
            \(rows.joined(separator: "\n"))

            Average CPU (percent of one core) over the steady part: \(cpu.joined(separator: ", ")).

            ![resident memory of all processes (black), the workers (blue), the web (green), the simulator (orange), the supervisor (red), by time](rss.png)

            The chart: resident memory from 0 (bottom) to \(String(format: "%.0f", chartTop)) MB (top), grid lines every \(String(format: "%.0f", chartTop / 4)) MB; time from 0 to \(Int(times.last ?? 0)) s.

            Every sample is in `samples.csv` (seconds since the start, group, process, pid, resident bytes, CPU percent since the last sample, open files).

            """
        var csv = "elapsed_s,group,process,pid,rss_bytes,cpu_percent,open_files\n"
        for sample in samples {
            csv += String(format: "%.1f,%@,%@,%d,%d,%.2f,%d\n", sample.elapsed, sample.group, sample.process, sample.pid, sample.rss, sample.cpuPercent, sample.openFiles)
        }
        let colors: [String: (UInt8, UInt8, UInt8)] = ["supervisor": (200, 40, 40), "web": (40, 150, 60), "exchange-sim": (230, 140, 20), "workers": (40, 80, 200)]
        var series = groups.map { group in
            PNGChart.Series(name: group, color: colors[group]!, points: times.map { ($0, total(group, at: $0) { Double($0.rss) } / 1e6) })
        }
        series.append(PNGChart.Series(name: "all", color: (20, 20, 20), points: times.map { ($0, total(nil, at: $0) { Double($0.rss) } / 1e6) }))
        return Outcome(markdown: markdown, csv: csv, chart: PNGChart.draw(series).png(), passed: passed)
    }
}
