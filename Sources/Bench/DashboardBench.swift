import ArgumentParser
import AsyncHTTPClient
import Common
import Foundation
import NIOCore
import NIOHTTP1

/// The dashboard under load: page and API latency with 50 concurrent clients (wrk, from Debian's
/// packages), and how long a fill takes from the exchange to a browser's event stream.
struct DashboardBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "Page, API and live-update latency figures.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Seconds of load per path.")
    var seconds: Int = 10
    @Option(help: "Concurrent connections.")
    var connections: Int = 50
    @Option(help: "Fills to time from the exchange to the event stream.")
    var fills: Int = 30
    @Option(help: "Profile the web under each path's load: `perf record -g` of its process into this folder, one file per path (not in `make bench`).")
    var perfDir: String?

    func run() async throws {
        let cluster = try await Cluster.start(binDir: binDir, name: "dashboard")
        defer { cluster.stop() }
        let base = try await cluster.webBase()
        // A user with a simulator account, trading BTCUSDT on 1 s candles: pages with real rows.
        let password = "a benchmark password"
        _ = try await AccountsBench.send(.POST, base + "/api/v1/signup", json: #"{"username":"watcher","password":"\#(password)"}"#)
        let session = try await Self.logIn(base, "watcher", password)
        try await Self.call(base, .POST, "/api/v1/sim-account", session: session)
        let settings = #"{"symbols":["BTCUSDT"],"interval":"1s","strategy":{"name":"sma_cross","params":{"fast":2,"slow":3}},"#
            + #""risk":{"max_position_pct":5,"max_position_usdt":"500","max_open_positions":3,"stop_loss_pct":0,"take_profit_pct":0,"#
            + #""trailing_stop_pct":0,"daily_loss_limit_usdt":"0","max_drawdown_pct":0,"cooldown_minutes":0},"#
            + #""emergency_close_positions":false,"unknown_orders":"adopt","timezone":"UTC"}"#
        try await Self.call(base, .PUT, "/api/v1/settings", session: session, json: settings)
        try await Self.call(base, .POST, "/api/v1/bot/start", session: session)

        // Fill → event stream: every fill event's arrival against the trade's time on the exchange.
        let latencies = try await Self.fillLatencies(base, session: session, count: fills, timeout: 180)
        var figures: [(String, String, String, String)] = []
        let sorted = latencies.sorted()
        if sorted.isEmpty {
            figures.append(("fill → browser event stream, p50 / p95", "no fill in 180 s", "p95 < 1 s", "the old system: 30 s"))
        } else {
            let p95 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
            figures.append(
                (
                    "fill → browser event stream, p50 / p95 (\(sorted.count) fills)", String(format: "%.0f ms / %.0f ms", sorted[sorted.count / 2] * 1000, p95 * 1000),
                    "p95 < 1 s", "the old system: 30 s"
                ))
        }

        // Pages and API under wrk, the bot still trading.
        for (path, target) in [("/", "50 ms"), ("/trading", "50 ms"), ("/monitoring", "50 ms"), ("/api/v1/portfolio", "20 ms"), ("/api/v1/fills?limit=100", "20 ms"), ("/api/v1/bot", "20 ms")] {
            let recorder = try perfDir.map { folder in try Self.perfRecord(cluster, path: path, folder: folder) }
            let before = await Self.cacheAnswers(base)
            let result = Self.wrk(base + path, cookie: session.cookie, seconds: seconds, connections: connections)
            let after = await Self.cacheAnswers(base)
            // perf stops at SIGINT (a workload command of its own would never be reaped here:
            // the child inherits a signal mask that hides the workload's exit from it).
            recorder?.interrupt()
            recorder?.waitUntilExit()
            figures.append(("GET \(path), \(connections) clients: p50 / p99 (requests/s)", result, "p99 < \(target)", "wrk -t2; \(Self.rendered(before, after))"))
        }
        // As many users as connections, each request in turn from the next one's session: the
        // read cache keeps one answer per session, so each user costs a render per change.
        var cookies = [session.cookie]
        for index in 1..<max(connections, 1) {
            let name = "viewer\(index)"
            _ = try await AccountsBench.send(.POST, base + "/api/v1/signup", json: #"{"username":"\#(name)","password":"\#(password)"}"#)
            guard let cookie = try await AccountsBench.send(.POST, base + "/api/v1/login", json: #"{"username":"\#(name)","password":"\#(password)"}"#).cookie
            else { throw BenchError("\(name) could not log in") }
            cookies.append(cookie)
        }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-users-\(UUID().uuidString).lua").path
        try Self.rotatingCookies(cookies).write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        for path in ["/", "/api/v1/portfolio"] {
            let before = await Self.cacheAnswers(base)
            let result = Self.wrk(base + path, cookie: nil, script: script, seconds: seconds, connections: connections)
            let after = await Self.cacheAnswers(base)
            figures.append(
                ("GET \(path), \(cookies.count) users in turn: p50 / p99 (requests/s)", result, "p99 < \(path == "/" ? "50" : "20") ms",
                 "wrk -t2; \(Self.rendered(before, after))"))
        }
        print(Report.table(figures))
        try Report.save(figures, name: "dashboard")
    }

    /// The web's read cache counters (`/metrics`): answers served from it and rendered.
    static func cacheAnswers(_ base: String) async -> (hit: Double, miss: Double) {
        guard let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10)),
            let body = try? await response.body.collect(upTo: 1 << 22)
        else { return (0, 0) }
        var counts = (hit: 0.0, miss: 0.0)
        for line in String(buffer: body).split(separator: "\n") where line.hasPrefix("web_read_cache_answers_total{") {
            let value = line.split(separator: " ").last.flatMap { Double($0) } ?? 0
            if line.contains(#"result="hit""#) { counts.hit = value } else if line.contains(#"result="miss""#) { counts.miss = value }
        }
        return counts
    }

    /// "0.31 % rendered (52 of 16,800)": the answers the cache did not have.
    static func rendered(_ before: (hit: Double, miss: Double), _ after: (hit: Double, miss: Double)) -> String {
        let misses = after.miss - before.miss, answers = misses + after.hit - before.hit
        return answers > 0 ? String(format: "%.2f %% rendered (%.0f of %.0f)", misses / answers * 100, misses, answers) : "no cache figures"
    }

    /// A wrk script sending each request with the next session's cookie.
    static func rotatingCookies(_ cookies: [String]) -> String {
        let list = cookies.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            cookies = { \(list) }
            i = 0
            request = function()
              i = i + 1
              return wrk.format("GET", nil, { ["Cookie"] = cookies[(i % #cookies) + 1] })
            end

            """
    }

    struct Session {
        let cookie: String
        let csrf: String
    }

    static func logIn(_ base: String, _ username: String, _ password: String) async throws -> Session {
        var request = HTTPClientRequest(url: base + "/api/v1/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"username":"\#(username)","password":"\#(password)"}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8))) as? [String: Any]
        guard let cookie = response.headers["Set-Cookie"].first(where: { $0.hasPrefix("ctp_session=") }).map({ String($0.split(separator: ";")[0]) }),
            let csrf = object?["csrf_token"] as? String
        else { throw BenchError("login failed (\(response.status))") }
        return Session(cookie: cookie, csrf: csrf)
    }

    static func call(_ base: String, _ method: HTTPMethod, _ path: String, session: Session, json: String? = nil) async throws {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Cookie", value: session.cookie)
        request.headers.add(name: "X-CSRF-Token", value: session.csrf)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code < 300 else { throw BenchError("\(method) \(path) answered \(response.status): \(String(buffer: body))") }
    }

    /// Seconds from each fill's time on the exchange to its event on `/api/v1/events`.
    static func fillLatencies(_ base: String, session: Session, count: Int, timeout: TimeInterval) async throws -> [Double] {
        var request = HTTPClientRequest(url: base + "/api/v1/events")
        request.headers.add(name: "Cookie", value: session.cookie)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout) + 10))
        let deadline = Date().addingTimeInterval(timeout)
        // Read until enough fills or the deadline (the stream never ends by itself).
        let reader = Task { () -> [Double] in
            var found: [Double] = []
            var pending = ""
            for try await buffer in response.body {
                pending += String(buffer: buffer)
                while let end = pending.range(of: "\n\n") {
                    let block = String(pending[..<end.lowerBound])
                    pending = String(pending[end.upperBound...])
                    guard block.contains("event: fill"), let line = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                        let object = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any],
                        let time = (object["time"] as? String).flatMap(Timestamp.date)
                    else { continue }
                    found.append(Date().timeIntervalSince(time))
                }
                if found.count >= count || Date() > deadline { break }
            }
            return found
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            reader.cancel()
        }
        let latencies = (try? await reader.value) ?? []
        watchdog.cancel()
        return latencies
    }

    /// Starts `perf record -g` on the web process, until interrupted when the path's load ends;
    /// the file is named for the path (`trading.data`, `api_v1_fills.data`).
    static func perfRecord(_ cluster: Cluster, path: String, folder: String) throws -> Process {
        guard let pid = try cluster.database.processes.status(process: "web")?.pid else { throw BenchError("the web's pid is not known") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = path.split(separator: "?")[0].split(separator: "/").joined(separator: "_")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/perf")
        process.arguments = ["record", "-g", "-F", "999", "-p", String(pid), "-o", "\(folder)/\(name.isEmpty ? "home" : name).data"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `wrk` against one URL: "p50 / p99 (requests/s)", or why there is no figure.
    /// `script`: a Lua script of wrk's that makes the requests (then `cookie` is nil).
    static func wrk(_ url: String, cookie: String?, script: String? = nil, seconds: Int, connections: Int) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency"] + (cookie.map { ["-H", "Cookie: \($0)"] } ?? [])
            + (script.map { ["-s", $0] } ?? []) + [url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { return "wrk is not installed (apt-get install wrk)" }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func value(after label: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .map { String($0.trimmingCharacters(in: .whitespaces).dropFirst(label.count)).trimmingCharacters(in: .whitespaces) }
        }
        guard let p50 = value(after: "50%"), let p99 = value(after: "99%"), let rate = value(after: "Requests/sec:") else {
            return "wrk failed: \(text.suffix(200))"
        }
        let errors = text.contains("Non-2xx") ? ", some non-2xx!" : ""
        return "\(p50) / \(p99) (\(rate)/s\(errors))"
    }
}
