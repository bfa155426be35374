import Common
import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// One message of `GET /api/v1/events`: its name (`fill`, `order`, `bot`, `heartbeat`,
/// `portfolio`, `signal`, `command` (one was acknowledged), `ping`) and its data, the JSON the API gives for that resource.
struct LiveEvent: Sendable, Equatable {
    let name: String
    let data: String

    /// The event in the `text/event-stream` format.
    func encoded(id: Int) -> String { "id: \(id)\nevent: \(name)\ndata: \(data)\n\n" }
}

/// Hands every subscriber the changes of its own user as the supervisor commits them to
/// central.sqlite. One poller for all: it reads only when the file's `data_version` moved (or
/// every few seconds, for what changes with time alone, such as a heartbeat growing old), and
/// only for users someone is watching.
actor EventHub {
    private let database: CentralDatabase
    private var subscribers: [UserID: [UUID: AsyncStream<LiveEvent>.Continuation]] = [:]
    private var cursors: [UserID: Cursor] = [:]

    /// Where a user's feed stands: the last fill and signal rows sent, the orders seen, and the
    /// last bot and portfolio documents sent.
    struct Cursor {
        var fillRow: Int64
        var signalID: Int64
        var ordersSince: Date
        var orderSignatures: [String: String]
        var bot: String
        var heartbeat: String
        var portfolio: String
        var acknowledged: Int64
    }

    init(database: CentralDatabase) {
        self.database = database
    }

    var subscriberCount: Int { subscribers.values.reduce(0) { $0 + $1.count } }

    /// A stream of the user's events from now on; it ends when the caller stops iterating.
    func subscribe(_ user: UserID, now: Date = Date()) -> AsyncStream<LiveEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .bufferingNewest(512))
        let id = UUID()
        subscribers[user, default: [:]][id] = continuation
        if cursors[user] == nil { cursors[user] = try? cursor(for: user, now: now) }
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(user, id) }
        }
        return stream
    }

    private func unsubscribe(_ user: UserID, _ id: UUID) {
        subscribers[user]?[id] = nil
        if subscribers[user]?.isEmpty == true {
            subscribers[user] = nil
            cursors[user] = nil
        }
    }

    /// Reads what changed for every watched user and sends it.
    func poll(now: Date = Date()) {
        for user in subscribers.keys {
            do {
                guard var cursor = cursors[user] else {
                    cursors[user] = try cursor(for: user, now: now)
                    continue
                }
                let events = try changes(for: user, cursor: &cursor, now: now)
                cursors[user] = cursor
                for event in events { send(event, to: user) }
            } catch {
                // The next poll tries again; the page's freshness line shows the data's age.
                continue
            }
        }
    }

    /// Ends every stream (the web is stopping).
    func closeAll() {
        for continuation in subscribers.values.flatMap(\.values) { continuation.finish() }
        subscribers = [:]
        cursors = [:]
    }

    /// A keep-alive comment for every stream (proxies close idle connections).
    func ping(now: Date = Date()) {
        for user in subscribers.keys { send(LiveEvent(name: "ping", data: #"{"time":"\#(Timestamp.string(now))"}"#), to: user) }
    }

    private func send(_ event: LiveEvent, to user: UserID) {
        for continuation in subscribers[user, default: [:]].values { continuation.yield(event) }
    }

    private func cursor(for user: UserID, now: Date) throws -> Cursor {
        let bot = try BotView.load(database, user: user, now: now).response
        return Cursor(
            fillRow: try database.trading.lastFillRowID(for: user), signalID: try database.trading.lastSignalID(for: user), ordersSince: now,
            orderSignatures: [:], bot: Self.text(Self.withoutHeartbeat(bot)), heartbeat: Self.heartbeat(bot),
            portfolio: Self.text(try PortfolioView.load(database, user: user, now: now).response),
            acknowledged: try database.commands.lastAcknowledgedID(user: user)
        )
    }

    private func changes(for user: UserID, cursor: inout Cursor, now: Date) throws -> [LiveEvent] {
        var events: [LiveEvent] = []
        for (row, fill) in try database.trading.fills(for: user, recordedAfter: cursor.fillRow, limit: 500) {
            events.append(LiveEvent(name: "fill", data: Self.text(FillResponse(fill))))
            cursor.fillRow = row
        }
        let orders = try database.trading.orders(for: user, updatedSince: cursor.ordersSince, limit: 500)
        for order in orders {
            let signature = "\(order.status)|\(order.executedQty)|\(Timestamp.string(order.updatedAt))"
            guard cursor.orderSignatures[order.clientOrderID] != signature else { continue }
            cursor.orderSignatures[order.clientOrderID] = signature
            events.append(LiveEvent(name: "order", data: Self.text(OrderResponse(order))))
        }
        if let newest = orders.last?.updatedAt, newest > cursor.ordersSince {
            // Rows at the same instant as the newest are read again next time; the
            // signatures keep them from being sent twice.
            cursor.ordersSince = newest
            let mark = Timestamp.string(newest)
            cursor.orderSignatures = cursor.orderSignatures.filter { $0.value.hasSuffix(mark) }
        }
        for (id, signal) in try database.trading.signals(for: user, recordedAfter: cursor.signalID, limit: 200) {
            events.append(LiveEvent(name: "signal", data: Self.text(SignalResponse(signal))))
            cursor.signalID = id
        }
        let acknowledged = try database.commands.lastAcknowledgedID(user: user)
        if acknowledged != cursor.acknowledged, let command = try database.commands.command(id: acknowledged) {
            cursor.acknowledged = acknowledged
            events.append(
                LiveEvent(
                    name: "command",
                    data: Self.text(CommandEvent(commandId: command.id, command: command.command, acknowledgedAt: command.acknowledgedAt, result: command.result))
                ))
        }
        let bot = try BotView.load(database, user: user, now: now).response
        let botText = Self.text(Self.withoutHeartbeat(bot))
        if botText != cursor.bot {
            cursor.bot = botText
            events.append(LiveEvent(name: "bot", data: Self.text(bot)))
        }
        let heartbeat = Self.heartbeat(bot)
        if heartbeat != cursor.heartbeat {
            cursor.heartbeat = heartbeat
            events.append(LiveEvent(name: "heartbeat", data: heartbeat))
        }
        let portfolio = Self.text(try PortfolioView.load(database, user: user, now: now).response)
        if portfolio != cursor.portfolio {
            cursor.portfolio = portfolio
            events.append(LiveEvent(name: "portfolio", data: portfolio))
        }
        return events
    }

    static func text(_ value: some Encodable) -> String { WireJSON.text(value) }

    /// The bot without its heartbeat, to tell a change of the bot from a beat of its worker.
    static func withoutHeartbeat(_ bot: BotResponse) -> BotResponse {
        var bot = bot
        bot.worker.lastHeartbeat = nil
        return bot
    }

    static func heartbeat(_ bot: BotResponse) -> String {
        text(HeartbeatEvent(lastHeartbeat: bot.worker.lastHeartbeat, alive: bot.worker.alive, state: bot.state))
    }
}

/// Runs the hub's poller: `data_version` on a connection of its own every 200 ms (a pool's
/// readers would each give their own counter), a full read at least every 2 s, a ping every 15 s.
struct EventHubService: Service {
    let hub: EventHub
    let databasePath: String
    let logger: Logger
    var interval: Duration = .milliseconds(200)

    func run() async throws {
        // At a graceful shutdown the streams end (an open stream would keep the server waiting)
        // and so does the poller.
        try await withGracefulShutdownHandler {
            try await poll()
        } onGracefulShutdown: {
            Task { await hub.closeAll() }
        }
    }

    func poll() async throws {
        var configuration = Configuration()
        configuration.readonly = true
        let watcher = try? DatabaseQueue(path: databasePath, configuration: configuration)
        var version = -1
        var lastFull = ContinuousClock.now
        var lastPing = ContinuousClock.now
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            let now = ContinuousClock.now
            guard await hub.subscriberCount > 0 else { continue }
            let current = (try? await watcher?.read { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }) ?? -2
            if current != version || current < 0 || now - lastFull >= .seconds(2) {
                version = current
                lastFull = now
                await hub.poll()
            }
            if now - lastPing >= .seconds(15) {
                lastPing = now
                await hub.ping()
            }
        }
    }
}
