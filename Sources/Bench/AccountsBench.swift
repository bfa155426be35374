import ArgumentParser
import AsyncHTTPClient
import Common
import Foundation
import NIOCore
import NIOHTTP1

/// Login throughput and latency with bcrypt at cost 12 (the cost is the point: each login costs
/// a quarter of a second of one core), and the latency of session-checked requests.
struct AccountsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accounts", abstract: "Login and session-checked page figures.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Seconds of logins.")
    var seconds: Int = 15
    @Option(help: "Session-checked requests.")
    var requests: Int = 4_000

    func run() async throws {
        let cluster = try await Cluster.start(binDir: binDir, name: "accounts")
        defer { cluster.stop() }
        let base = try await cluster.webBase()
        let password = "a benchmark password"
        let users = 8
        for index in 0..<users {
            _ = try await Self.send(.POST, base + "/api/v1/signup", json: #"{"username":"bench\#(index)","password":"\#(password)"}"#)
        }

        // Logins: as many at once as there are cores, then twice that.
        var figures: [(String, String, String, String)] = []
        for concurrency in [2, 4] {
            let latencies = LatencyLog()
            let rate = try await SimBench.throughput(seconds: seconds, concurrency: concurrency) { worker, _ in
                let started = ContinuousClock.now
                let answer = try await Self.send(.POST, base + "/api/v1/login", json: #"{"username":"bench\#(worker % users)","password":"\#(password)"}"#)
                guard answer.status == 200 else { throw BenchError("login answered \(answer.status)") }
                latencies.add(SimBench.ms(ContinuousClock.now - started))
            }
            let sorted = latencies.sorted()
            figures.append(("logins/s, bcrypt cost 12, \(concurrency) at once", String(format: "%.1f", rate), "—", "bound by bcrypt on 2 cores"))
            figures.append(("login latency p50 / p99, \(concurrency) at once", Self.percentiles(sorted), "—", "—"))
        }

        // Session-checked requests: /api/v1/me and the dashboard page, 8 at once.
        let login = try await Self.send(.POST, base + "/api/v1/login", json: #"{"username":"bench0","password":"\#(password)"}"#)
        guard let cookie = login.cookie else { throw BenchError("no session cookie") }
        for path in ["/api/v1/me", "/", "/settings"] {
            let latencies = LatencyLog()
            let perWorker = requests / 8
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<perWorker {
                            let started = ContinuousClock.now
                            let answer = try await Self.send(.GET, base + path, cookie: cookie)
                            guard answer.status == 200 else { throw BenchError("\(path) answered \(answer.status)") }
                            latencies.add(SimBench.ms(ContinuousClock.now - started))
                        }
                    }
                }
                try await group.waitForAll()
            }
            figures.append(("GET \(path) with a session, p50 / p99 (8 at once)", Self.percentiles(latencies.sorted()), "—", "session lookup + page"))
        }
        print(Report.table(figures))
        try Report.save(figures, name: "accounts")
    }

    static func percentiles(_ sorted: [Double]) -> String {
        guard !sorted.isEmpty else { return "no samples" }
        return String(format: "%.2f ms / %.2f ms", sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))])
    }

    struct Answer {
        let status: Int
        let cookie: String?
    }

    static func send(_ method: HTTPMethod, _ url: String, json: String? = nil, cookie: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        let session = response.headers["Set-Cookie"].first { $0.hasPrefix("ctp_session=") }.map { String($0.split(separator: ";")[0]) }
        return Answer(status: Int(response.status.code), cookie: session)
    }
}

/// Latencies gathered from several tasks.
final class LatencyLog: @unchecked Sendable {
    private var values: [Double] = []
    private let lock = NSLock()
    func add(_ value: Double) { lock.withLock { values.append(value) } }
    func sorted() -> [Double] { lock.withLock { values.sorted() } }
}
