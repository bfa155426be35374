import Common
import Foundation

/// Hands every subscriber the changes of its own user as the supervisor commits them to
/// central.sqlite. One poller for all: it reads only when the file's `data_version` moved (or
/// every few seconds, for what changes with time alone, such as a heartbeat growing old), and
/// only for users someone is watching.
///
/// Every event gets an id that grows for the life of the hub (``LiveEventID``), and each watched
/// user keeps a bounded log of recent events, so a page that reconnects with `Last-Event-ID`
/// gets what it missed, or is told to reload when the log cannot say. A user stays watched for
/// `linger` after the last page left, so a page that reconnects after a break finds its events.
actor EventHub {
    let database: CentralDatabase
    let epoch: String
    private let logCapacity: Int
    private let linger: TimeInterval
    private var sequence: UInt64 = 0
    private var subscribers: [UserID: [UUID: AsyncStream<HubMessage>.Continuation]] = [:]
    private var watches: [UserID: Watch] = [:]

    /// A watched user: where the feed stands, its recent events, and since when no page listens.
    private struct Watch {
        var cursor: Cursor?
        var log: EventReplayLog
        var idleSince: Date?
    }

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

    init(database: CentralDatabase, epoch: String = LiveEventID.newEpoch(), logCapacity: Int = 256, linger: TimeInterval = 120) {
        self.database = database
        self.epoch = epoch
        self.logCapacity = logCapacity
        self.linger = linger
    }

    var subscriberCount: Int { subscribers.values.reduce(0) { $0 + $1.count } }

    /// `true` while some user is watched (someone listens, or left less than `linger` ago).
    var isWatching: Bool { !watches.isEmpty }

    /// The user's events from now on, after what the connection missed since `lastEventID`
    /// (its `Last-Event-ID` header); the stream ends when the caller stops iterating.
    func subscribe(_ user: UserID, lastEventID: String? = nil, now: Date = Date()) -> LiveSubscription {
        let (stream, continuation) = AsyncStream.makeStream(of: HubMessage.self, bufferingPolicy: .bufferingNewest(512))
        let id = UUID()
        subscribers[user, default: [:]][id] = continuation
        var watch = watches[user] ?? Watch(cursor: try? cursor(for: user, now: now), log: newLog())
        watch.idleSince = nil
        watches[user] = watch
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(user, id) }
        }
        return LiveSubscription(id: id, decision: watch.log.decision(lastEventID: lastEventID), mark: watch.log.mark, messages: stream)
    }

    func unsubscribe(_ user: UserID, _ id: UUID, now: Date = Date()) {
        subscribers[user]?[id] = nil
        if subscribers[user]?.isEmpty == true {
            subscribers[user] = nil
            watches[user]?.idleSince = now
        }
    }

    /// Reads what changed for every watched user and sends it; forgets the users no page has
    /// listened to for `linger`.
    func poll(now: Date = Date()) {
        for (user, var watch) in watches {
            if let idle = watch.idleSince, now.timeIntervalSince(idle) >= linger {
                watches[user] = nil
                continue
            }
            do {
                guard var cursor = watch.cursor else {
                    // The feed starts only now: what came before is not in the log.
                    watch.cursor = try cursor(for: user, now: now)
                    watch.log = newLog()
                    watches[user] = watch
                    continue
                }
                let events = try changes(for: user, cursor: &cursor, now: now)
                watch.cursor = cursor
                for event in events {
                    let id = LiveEventID(epoch: epoch, sequence: nextSequence())
                    watch.log.append(event, sequence: id.sequence)
                    send(.event(id, event), to: user)
                }
                watches[user] = watch
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
        watches = [:]
    }

    /// A keep-alive for every stream (proxies close idle connections).
    func ping() {
        for user in subscribers.keys { send(.ping, to: user) }
    }

    private func send(_ message: HubMessage, to user: UserID) {
        for continuation in subscribers[user, default: [:]].values { continuation.yield(message) }
    }

    private func nextSequence() -> UInt64 {
        sequence += 1
        return sequence
    }

    /// A log that starts at a number of its own, so that no id handed out before it (to a page
    /// of a watch that ended) falls inside it.
    private func newLog() -> EventReplayLog {
        EventReplayLog(epoch: epoch, startingAfter: nextSequence(), capacity: logCapacity)
    }

    private func cursor(for user: UserID, now: Date) throws -> Cursor {
        let view = try BotView.load(database, user: user, now: now)
        return Cursor(
            fillRow: try database.trading.lastFillRowID(for: user), signalID: try database.trading.lastSignalID(for: user), ordersSince: now,
            orderSignatures: [:], bot: Self.text(Self.withoutHeartbeat(view.response)), heartbeat: LivePayload.text(LivePayload.Heartbeat(view)),
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
            events.append(LiveEvent(name: "command", data: LivePayload.text(LivePayload.Command(command))))
        }
        let view = try BotView.load(database, user: user, now: now)
        let bot = view.response
        let botText = Self.text(Self.withoutHeartbeat(bot))
        if botText != cursor.bot {
            cursor.bot = botText
            events.append(LiveEvent(name: "bot", data: Self.text(bot)))
        }
        let heartbeat = LivePayload.text(LivePayload.Heartbeat(view))
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
}
