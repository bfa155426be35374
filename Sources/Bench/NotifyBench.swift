import ArgumentParser
import Common
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Notifications (issue 18): how long a fill takes to reach a Telegram chat, measured at a fake
/// Telegram Bot API on loopback (the supervisor's `notifications.telegram_api_url`): from the
/// exchange's trade time to the `sendMessage` request's arrival. Orders go one at a time, more
/// than Telegram's one-message-a-second pace apart, so what is measured is the path (worker →
/// supervisor → outbox → sender), not the pace.
struct NotifyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notify", abstract: "Notification figures: fill → Telegram message.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Fills timed, one after the other.")
    var fills: Int = 20

    func run() async throws {
        let telegram = try await FakeTelegram.start()
        defer { telegram.stop() }
        let cluster = try await Cluster.start(
            binDir: binDir, name: "notify", environment: ["TRADER_NOTIFICATIONS_TELEGRAM_API_URL": "http://127.0.0.1:\(telegram.port)"])
        defer { cluster.stop() }
        let base = try await cluster.webBase()
        let (sim, credentials) = try await cluster.simulatorAccount()
        let client = BinanceClient(baseURL: sim, credentials: credentials)
        let account = #"{"username":"notify","password":"a benchmark password"}"#
        _ = try await HooksBench.send(.POST, base + "/api/v1/signup", json: account)
        let login = try await HooksBench.send(.POST, base + "/api/v1/login", json: account)
        guard let cookie = login.headers["Set-Cookie"].first(where: { $0.hasPrefix("ctp_session=") }).map({ String($0.split(separator: ";")[0]) }),
            let csrf = login.json["csrf_token"] as? String
        else { throw BenchError("login answered \(login.status)") }
        let session = [("Cookie", cookie), ("X-CSRF-Token", csrf)]
        let key = try await HooksBench.send(
            .PUT, base + "/api/v1/exchange-key", json: #"{"api_key":"\#(credentials.apiKey)","api_secret":"\#(credentials.secret)"}"#, headers: session)
        guard key.status == 200 else { throw BenchError("storing the key answered \(key.status)") }
        let channel = try await HooksBench.send(
            .POST, base + "/api/v1/notification-channels",
            json: #"{"kind":"telegram","secret":"7000001:AAHbenchTelegramToken_0123456789abc","events":["fills"]}"#, headers: session)
        guard channel.status == 201, let code = channel.json["link_code"] as? String else { throw BenchError("the channel: \(channel.status) \(channel.json)") }
        telegram.say(code, chat: 4242)
        let deadline = Date().addingTimeInterval(20)
        while telegram.messages().isEmpty {
            guard Date() < deadline else { throw BenchError("the channel did not link") }
            try await Task.sleep(for: .milliseconds(100))
        }

        var lags: [Double] = []
        for index in 0..<fills {
            let before = telegram.messages().count
            let order = try await HooksBench.send(
                .POST, base + "/api/v1/orders", json: #"{"symbol":"BTCUSDT","side":"BUY","type":"market","quantity":"0.001"}"#,
                headers: session)
            guard order.status == 202 else { throw BenchError("order \(index): \(order.status) \(order.json)") }
            let until = Date().addingTimeInterval(15)
            var arrived: (time: Date, text: String)?
            while arrived == nil, Date() < until {
                arrived = telegram.messages().dropFirst(before).first { $0.text.hasPrefix("Filled") }
                if arrived == nil { try await Task.sleep(for: .milliseconds(5)) }
            }
            guard let arrived else { throw BenchError("fill \(index): no message in 15 s") }
            let trades = try await client.myTrades(symbol: "BTCUSDT")
            guard let last = trades.max(by: { $0.time < $1.time }) else { throw BenchError("fill \(index): no trade") }
            lags.append((arrived.time.timeIntervalSince1970 - Double(last.time) / 1000) * 1000)
            try await Task.sleep(for: .milliseconds(1_200))
        }
        let sorted = lags.sorted()
        func at(_ q: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        let figures: [(String, String, String, String)] = [
            ("fill → Telegram message, p50 / p95 (\(fills) fills, one at a time)", String(format: "%.0f ms / %.0f ms", at(0.5), at(0.95)), "p95 < 2 s", "exchange's trade time → sendMessage at the fake")
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "notify")
    }
}

/// A Telegram Bot API that answers `sendMessage` (recording when each arrived) and hands out
/// the updates it is told to (`getUpdates`).
final class FakeTelegram: @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [(time: Date, text: String)] = []
    private var updates: [[String: Any]] = []
    private var channel: (any Channel)?
    private(set) var port = 0

    static func start() async throws -> FakeTelegram {
        let fake = FakeTelegram()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Handler(fake)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        fake.channel = channel
        fake.port = channel.localAddress?.port ?? 0
        return fake
    }

    func stop() { try? channel?.close().wait() }

    func messages() -> [(time: Date, text: String)] { lock.withLock { sent } }

    func say(_ text: String, chat: Int) {
        lock.withLock {
            let id = updates.count + 1
            updates.append(["update_id": id, "message": ["message_id": id, "chat": ["id": chat], "text": text]])
        }
    }

    func answer(path: String, body: Data) -> Data {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        if path.hasSuffix("/sendMessage") {
            lock.withLock { sent.append((Date(), object["text"] as? String ?? "")) }
            return Data(#"{"ok":true,"result":{"message_id":1}}"#.utf8)
        }
        let offset = (object["offset"] as? NSNumber)?.intValue ?? 0
        let list = lock.withLock { updates.filter { ($0["update_id"] as? Int ?? 0) >= offset } }
        return (try? JSONSerialization.data(withJSONObject: ["ok": true, "result": list])) ?? Data()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let fake: FakeTelegram
        var path = ""
        var body = Data()

        init(_ fake: FakeTelegram) { self.fake = fake }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                path = head.uri
                body = Data()
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                let answer = fake.answer(path: path, body: body)
                var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(answer.count))])
                headers.add(name: "Connection", value: "keep-alive")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: answer)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
