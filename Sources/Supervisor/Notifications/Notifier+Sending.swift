import Common
import Foundation
import Logging

extension Notifier {
    // MARK: - The clock's events

    /// Outages that lasted a channel's minutes, and yesterday's summaries (every 15 s).
    func clock(now: Date) throws {
        let (due, channels, unreachable) = state.withLock { state -> (Bool, [UserID: [NotificationChannel]], [UserID: (since: Date, reason: String)]) in
            guard now.timeIntervalSince(state.lastClock) >= 15 else { return (false, [:], [:]) }
            state.lastClock = now
            return (true, state.channels, state.unreachable)
        }
        guard due else { return }
        for (user, outage) in unreachable {
            for channel in channels[user] ?? [] where channel.events.contains(.exchangeUnreachable) {
                if let notice = NoticeTrigger.unreachable(since: outage.since, reason: outage.reason, minutes: channel.unreachableMinutes, now: now) {
                    try enqueue([(user, [notice])], now: now, only: channel.id)
                }
            }
        }
        for (user, list) in channels {
            let subscribed = list.filter { $0.isReady && $0.events.contains(.dailySummary) }
            guard !subscribed.isEmpty else { continue }
            let zone = try database.bots.settings(for: user)?.timeZone ?? .gmt
            for channel in subscribed {
                guard let day = NoticeTrigger.summaryDay(now: now, zone: zone, channelCreated: channel.createdAt),
                    state.withLock({ $0.summarized[channel.id] }) != day.day
                else { continue }
                try enqueue([(user, [try summary(user: user, day: day, zone: zone, now: now)])], now: now, only: channel.id)
                state.withLock { $0.summarized[channel.id] = day.day }
            }
        }
        if state.withLock({ now.timeIntervalSince($0.lastPrune) >= 3600 }) {
            try database.notifications.prune(before: now.addingTimeInterval(-7 * 86_400))
            state.withLock { $0.lastPrune = now }
        }
    }

    /// The day's realised PnL and fills (from the stored fills) and the latest equity.
    func summary(user: UserID, day: (day: String, start: Date, end: Date), zone: TimeZone, now: Date) throws -> Notice {
        let fills = try database.trading.fills(for: user, matching: TradeFilter(before: day.end, limit: 100_000))
        let inDay = fills.filter { $0.time >= day.start }
        let row = PnLReport.rows(fills, period: .day, timeZone: zone).last { $0.start >= day.start.addingTimeInterval(-1) && $0.start < day.end }
        let equity = try database.portfolios.portfolio(for: user)?.valuation.totalUSDT
        return Notice(
            event: .dailySummary, key: "daily:\(day.day)",
            fact: .dailySummary(day: day.day, pnl: inDay.isEmpty ? nil : (row?.realizedPnL ?? 0), fills: inDay.count, equity: equity), time: now)
    }

    // MARK: - Sending

    func sendDue(now: Date) async {
        let due: [OutboxItem]
        do {
            due = try database.notifications.due(now: now, users: localUsers(), limit: 1_000)
        } catch {
            logger.warning("notify.read_failed", metadata: ["error": "\(error)"])
            return
        }
        guard !due.isEmpty else { return }
        var order: [Int64] = []
        var byChannel: [Int64: [OutboxItem]] = [:]
        for item in due {
            if byChannel[item.channelID] == nil { order.append(item.channelID) }
            byChannel[item.channelID, default: []].append(item)
        }
        await withTaskGroup(of: Void.self) { group in
            for id in order {
                guard let channel = channel(id), let items = byChannel[id] else { continue }
                let last = state.withLock { $0.lastSent[id] }
                switch DeliveryPace.plan(due: items, kind: channel.kind, preset: channel.preset, lastSentAt: last, now: now) {
                // Its turn comes in a later pass (every 250 ms): no channel's wait holds up another's.
                case .idle, .wait: continue
                case .send(let batch):
                    state.withLock { $0.lastSent[id] = now }
                    group.addTask { await self.send(batch, on: channel) }
                }
            }
        }
    }

    /// One message (one item, or a summary of several) to one channel, and what came of it.
    func send(_ batch: [OutboxItem], on channel: NotificationChannel) async {
        let language = state.withLock { $0.languages[channel.userID] }
        let started = Date()
        let delivery = ChannelDelivery(http: http, config: config, secrets: secrets)
        let (outcome, result) = await delivery.deliver(batch, on: channel, language: language)
        let now = Date()
        let ids = batch.map(\.id)
        do {
            let decision = policy.decide(outcome, attempts: (batch.map(\.attempts).max() ?? 0) + 1, queuedAt: batch.map(\.queuedAt).min() ?? now, now: now)
            switch decision {
            case .done:
                try database.notifications.delivered(ids, at: now)
                try database.notifications.setResult(channel: channel.id, ok: true, result: batch.count > 1 ? "delivered (\(batch.count) as one message)" : "delivered", at: now)
                logger.debug(
                    "notify.delivered",
                    metadata: ["channel.id": "\(channel.id)", "user.id": "\(channel.userID)", "messages": "\(batch.count)", "ms": "\(Int(now.timeIntervalSince(started) * 1000))"])
            case .retry(let at):
                if case .failed(_, let after?) = outcome { state.withLock { $0.lastSent[channel.id] = now.addingTimeInterval(after - DeliveryPace.gap(channel.kind, preset: channel.preset)) } }
                try database.notifications.retry(ids, next: at, result: result)
                try database.notifications.setResult(channel: channel.id, ok: false, result: "failed: \(result); trying again at \(Timestamp.string(at))", at: now)
                logger.info("notify.retry", metadata: ["channel.id": "\(channel.id)", "user.id": "\(channel.userID)", "result": "\(result)"])
            case .giveUp(let reason):
                try database.notifications.giveUp(ids, result: "\(result); \(reason)", at: now)
                try database.notifications.setResult(channel: channel.id, ok: false, result: "failed: \(result); \(reason)", at: now)
                logger.warning("notify.given_up", metadata: ["channel.id": "\(channel.id)", "user.id": "\(channel.userID)", "result": "\(result)"])
            }
        } catch {
            logger.warning("notify.record_failed", metadata: ["channel.id": "\(channel.id)", "error": "\(error)"])
        }
    }

    /// "Send a test message": queued at once, whatever events the channel picked.
    func test(channel: NotificationChannel, now: Date = Date()) throws {
        let item = OutboxItem(
            notice: Notice(event: nil, key: "test:\(Int64(now.timeIntervalSince1970 * 1000))", fact: .test, time: now), channel: channel,
            language: try database.users.user(channel.userID)?.language, now: now)
        try database.notifications.enqueue([item])
        wakeup.signal()
    }
}
