import ArgumentParser
import AsyncHTTPClient
import Common
import Foundation
import NIOCore
import NIOHTTP1

/// Signal hooks (issue 18): how long a signal takes to become a trade on the exchange (a DCA bot
/// that opens a deal on each `start_deal`), and how many signals the web accepts per second over
/// many hooks, with their latency (each of those bots opens one deal, then its worker refuses
/// the signals: what is measured is the path through the web, the supervisor and the worker, not
/// the exchange), and the latency of refused ones (a wrong secret).
struct HooksBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hooks", abstract: "Signal hook figures: signal → trade, signals accepted per second.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Seconds of signals at full speed.")
    var seconds: Int = 15
    @Option(help: "Signals sent at once.")
    var concurrency: Int = 8
    @Option(help: "Signals whose trade is timed, one after the other.")
    var trades: Int = 20
    @Option(help: "Users, each with its own worker.")
    var users: Int = 4
    @Option(help: "Bots with a hook per user (a hook takes at most 600 signals a minute).")
    var botsPerUser: Int = 10

    struct Answer {
        let status: Int
        let json: [String: Any]
        let headers: HTTPHeaders
    }

    static func send(_ method: HTTPMethod, _ url: String, json: String? = nil, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), json: object, headers: response.headers)
    }

    func run() async throws {
        let cluster = try await Cluster.start(binDir: binDir, name: "hooks")
        defer { cluster.stop() }
        let base = try await cluster.webBase()
        let (simFirst, credentialsFirst) = try await cluster.simulatorAccount()

        // Users with a simulator account's key each, and live DCA bots that open a deal on each
        // start_deal (10 USDT, no safety orders, up to 50 deals), each with a hook at its highest
        // rate (600 a minute): the signals go round the hooks.
        var hooks: [(url: String, secret: String)] = []
        var sessions: [[(String, String)]] = []
        var firstBot = 0
        var client: BinanceClient?
        for user in 0..<users {
            let (sim, credentials) = user == 0 ? (simFirst, credentialsFirst) : try await cluster.simulatorAccount()
            if user == 0 { client = BinanceClient(baseURL: sim, credentials: credentials) }
            let account = #"{"username":"hooks\#(user)","password":"a benchmark password"}"#
            _ = try await Self.send(.POST, base + "/api/v1/signup", json: account)
            let login = try await Self.send(.POST, base + "/api/v1/login", json: account)
            guard let cookie = login.headers["Set-Cookie"].first(where: { $0.hasPrefix("ctp_session=") }).map({ String($0.split(separator: ";")[0]) }),
                let csrf = login.json["csrf_token"] as? String
            else { throw BenchError("login answered \(login.status)") }
            let session = [("Cookie", cookie), ("X-CSRF-Token", csrf)]
            sessions.append(session)
            let key = try await Self.send(
                .PUT, base + "/api/v1/exchange-key", json: #"{"api_key":"\#(credentials.apiKey)","api_secret":"\#(credentials.secret)"}"#, headers: session)
            guard key.status == 200 else { throw BenchError("storing the key answered \(key.status) \(key.json)") }
            for number in 0..<botsPerUser {
                // The timed bot opens a deal per signal; the others one deal in all (the load's
                // signals are the web's and the worker's work, not the exchange's).
                let deals = user == 0 && number == 0 ? 50 : 1
                let bot = try await Self.send(
                    .POST, base + "/api/v1/bots",
                    json: #"{"name":"hooks \#(number)","mode":"live","symbol":"BTCUSDT","allocation_usdt":"600","strategy":{"name":"dca","params":{"base_order":"10","take_profit":"50","safety_orders":0,"start":"signal","max_deals":\#(deals)}}}"#,
                    headers: session)
                guard bot.status == 201, let id = (bot.json["bot_id"] as? NSNumber)?.intValue else { throw BenchError("the bot: \(bot.status) \(bot.json)") }
                let hook = try await Self.send(.POST, base + "/api/v1/bots/\(id)/hook", json: #"{"per_minute":600,"max_lag_seconds":60}"#, headers: session)
                guard hook.status == 201, let path = hook.json["url"] as? String, let secret = hook.json["secret"] as? String else {
                    throw BenchError("the hook: \(hook.status) \(hook.json)")
                }
                _ = try await Self.send(.POST, base + "/api/v1/bots/\(id)/start", headers: session)
                let deadline = Date().addingTimeInterval(60)
                while (try await Self.send(.GET, base + "/api/v1/bots/\(id)", headers: session)).json["state"] as? String != "running" {
                    guard Date() < deadline else { throw BenchError("bot \(id) did not start") }
                    try await Task.sleep(for: .milliseconds(100))
                }
                if hooks.isEmpty { firstBot = id }
                hooks.append((base + path, secret))
            }
        }
        guard let client else { throw BenchError("no user") }
        let (url, secret) = hooks[0]

        // Signal → trade: one signal at a time, each timed from its sending to the exchange's
        // time of the deal's base order trade (looked up once the bot's outcome is recorded: the
        // exchange's request weight is not spent on polling).
        var lags: [Double] = []
        let owner = sessions[0]
        var seen = try await client.myTrades(symbol: "BTCUSDT").count
        for index in 0..<trades {
            let sent = Date()
            let answer = try await Self.send(.POST, url, json: #"{"secret":"\#(secret)","action":"start_deal","id":"trade-\#(index)"}"#)
            guard answer.status == 202, let record = (answer.json["signal_id"] as? NSNumber)?.int64Value else {
                throw BenchError("a timed signal answered \(answer.status) \(answer.json)")
            }
            let until = Date().addingTimeInterval(10)
            var outcome: String?
            while outcome == nil, Date() < until {
                let hook = try await Self.send(.GET, base + "/api/v1/bots/\(firstBot)/hook", headers: owner)
                let records = hook.json["signals"] as? [[String: Any]] ?? []
                outcome = records.first { ($0["id"] as? NSNumber)?.int64Value == record }.flatMap { $0["outcome"] as? String }.flatMap { $0.hasPrefix("ok") || $0.hasPrefix("refused") ? $0 : nil }
                if outcome == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            guard outcome?.hasPrefix("ok") == true else { throw BenchError("signal \(index): \(outcome ?? "no outcome in 10 s")") }
            let traded = try await client.myTrades(symbol: "BTCUSDT")
            guard traded.count > seen, let last = traded.max(by: { $0.time < $1.time }) else { throw BenchError("signal \(index) made no trade") }
            seen = traded.count
            lags.append((Double(last.time) / 1000 - sent.timeIntervalSince1970) * 1000)
        }

        // Accepted per second: every signal a new id; the worker refuses the deals past 50.
        let accepted = LatencyLog()
        let counter = Counter()
        let targets = hooks
        let concurrency = concurrency
        let rate = try await SimBench.throughput(seconds: seconds, concurrency: concurrency) { worker, count in
            let (url, secret) = targets[(worker + count * concurrency) % targets.count]
            let started = ContinuousClock.now
            let answer = try await Self.send(.POST, url, json: #"{"secret":"\#(secret)","action":"start_deal","id":"load-\#(worker)-\#(count)"}"#)
            guard answer.status == 202 else { throw BenchError("a signal answered \(answer.status) \(answer.json)") }
            accepted.add(SimBench.ms(ContinuousClock.now - started))
            counter.add()
        }
        // Refused (a wrong secret): what a stranger's flood costs.
        let refused = LatencyLog()
        let refusedRate = try await SimBench.throughput(seconds: max(seconds / 3, 3), concurrency: concurrency) { _, _ in
            let started = ContinuousClock.now
            let answer = try await Self.send(.POST, url, json: #"{"secret":"wrong","action":"start_deal"}"#)
            guard answer.status == 404 else { throw BenchError("a wrong secret answered \(answer.status)") }
            refused.add(SimBench.ms(ContinuousClock.now - started))
        }
        let sortedLags = lags.sorted()
        func at(_ sorted: [Double], _ q: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        let acceptedSorted = accepted.sorted()
        let figures: [(String, String, String, String)] = [
            ("signal → base order traded, p50 / p95 (\(trades) signals, one at a time)",
             String(format: "%.0f ms / %.0f ms", at(sortedLags, 0.5), at(sortedLags, 0.95)), "< 1 s (issue 18: within a second)", "sent → exchange's trade time"),
            ("signals accepted per second (\(concurrency) at once over \(hooks.count) hooks of \(users) users, \(counter.value) in \(seconds) s)", String(format: "%.0f", rate), "≥ 1,000", "recorded + handed to the worker"),
            ("accepted signal latency p50 / p99", String(format: "%.1f ms / %.1f ms", at(acceptedSorted, 0.5), at(acceptedSorted, 0.99)), "p99 < 20 ms", "—"),
            ("refused (wrong secret) per second, p99", String(format: "%.0f, %.1f ms", refusedRate, at(refused.sorted(), 0.99)), "—", "recorded while under the rate"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "hooks")
    }
}

/// A count shared by several tasks.
final class Counter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
