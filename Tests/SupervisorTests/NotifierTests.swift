import Common
import Foundation
import Testing

@testable import Supervisor

/// The notifier on an in-memory database, without sending: channels made with their secrets
/// sealed, reports turned into outbox rows for the channels that picked them (once per key, in
/// the user's language, none for an unlinked Telegram chat), and the clock's outage and daily
/// summary queued once.
@Suite struct NotifierTests {
    static let token = "7000001:AAHfakeTelegramTokenForTests_0123456789"
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    struct NoBots: BotControl {
        func perform(_ action: BotAction, bot: Int64?, user: UserID) async -> String { "" }
        func traderState(_ user: UserID) -> String? { nil }
    }

    static func notifier() throws -> (Notifier, CentralDatabase, UserID) {
        let database = CentralDatabase.inMemory()
        let user = try database.users.createUser(username: "ann", passwordHash: "h", at: start)
        try database.users.setLanguage("ko", for: user)
        let notifier = Notifier(
            database: database, fernet: try Fernet(key: Fernet.generateKey()), config: TraderConfig(), botControl: NoBots(), logger: .init(label: "test")
        ) { nil }
        return (notifier, database, user)
    }

    static func fill(_ trade: Int64) -> WorkerReport {
        .fill(
            BotFill(
                symbol: "BTCUSDT", tradeID: trade, orderID: 1, clientOrderID: "u1-BTCUSDT-a-M", side: "BUY", price: 43000, qty: 0.001, quoteQty: 43,
                commission: 0, commissionAsset: "USDT", time: start))
    }

    @Test func channelsAreStoredSealedAndChecked() throws {
        let (notifier, database, user) = try Self.notifier()
        guard case .saved(let saved) = try notifier.create(ChannelRequest(kind: "telegram", secret: Self.token), for: user, now: Self.start) else {
            Issue.record("the Telegram channel was refused")
            return
        }
        let stored = try #require(try database.notifications.channel(saved.id))
        #expect(saved.linkCode?.hasPrefix("ctp-") == true && stored.linkCode == saved.linkCode && !stored.isReady)
        #expect(stored.secretToken?.contains(Self.token) == false)
        #expect(try notifier.secrets.open(stored).token == Self.token)
        guard case .saved = try notifier.update(saved.id, ChannelRequest(kind: "telegram", name: "phone", events: ["fills"]), for: user) else {
            Issue.record("the change was refused")
            return
        }
        #expect(try notifier.secrets.open(#require(try database.notifications.channel(saved.id))).token == Self.token, "a change without a token keeps it")
        guard case .conflict(let why) = try notifier.create(ChannelRequest(kind: "email", target: "a@example.com"), for: user) else {
            Issue.record("an e-mail channel without an SMTP server was made")
            return
        }
        #expect(why.contains("notifications.smtp"))
        guard case .invalid = try notifier.create(ChannelRequest(kind: "webhook", target: "nope"), for: user) else {
            Issue.record("a webhook without a URL was made")
            return
        }
        guard case .saved(let hook) = try notifier.create(ChannelRequest(kind: "webhook", target: "https://hooks.example.com/secret-path", secret: "0123456789abcdef"), for: user)
        else {
            Issue.record("the webhook was refused")
            return
        }
        let shown = try #require(try database.notifications.channel(hook.id))
        #expect(shown.target == "https://hooks.example.com/…")
        #expect(try notifier.secrets.open(shown).url == "https://hooks.example.com/secret-path")
        for _ in 0..<(NotificationChannel.maxPerUser - 2) {
            _ = try notifier.create(ChannelRequest(kind: "telegram", secret: Self.token), for: user)
        }
        guard case .conflict = try notifier.create(ChannelRequest(kind: "telegram", secret: Self.token), for: user) else {
            Issue.record("an eleventh channel was made")
            return
        }
        guard case .notFound = try notifier.update(hook.id, ChannelRequest(kind: "webhook"), for: UserID(rawValue: 99)) else {
            Issue.record("another user changed the channel")
            return
        }
    }

    @Test func reportsBecomeOneRowPerChannelAndKeyInTheUsersLanguage() throws {
        let (notifier, database, user) = try Self.notifier()
        guard case .saved(let phone) = try notifier.create(ChannelRequest(kind: "telegram", secret: Self.token), for: user, now: Self.start),
            case .saved(let hook) = try notifier.create(
                ChannelRequest(kind: "webhook", target: "https://example.com/h", events: ["orders"], secret: "0123456789abcdef"), for: user, now: Self.start)
        else {
            Issue.record("a channel was refused")
            return
        }
        try notifier.reloadChannels(now: Self.start)
        notifier.observe(Self.fill(1), for: user)
        try notifier.queueObserved(now: Self.start)
        #expect(try database.notifications.due(now: Self.start, users: nil, limit: 10).isEmpty, "an unlinked chat gets nothing")

        try database.notifications.link(channel: phone.id, chat: "111")
        notifier.channelsChanged()
        try notifier.reloadChannels(now: Self.start)
        notifier.observe(Self.fill(2), for: user)
        notifier.observe(Self.fill(2), for: user)
        notifier.observe(.heartbeat(state: "running"), for: user)
        try notifier.queueObserved(now: Self.start)
        let due = try database.notifications.due(now: Self.start, users: nil, limit: 10)
        #expect(due.count == 1 && due.first?.channelID == phone.id && due.first?.key == "fill:BTCUSDT:2", "\(due)")
        #expect(due.first?.text == "체결: BTCUSDT 매수 0.001 @ 43000 = 43.00 USDT")
        #expect(try database.notifications.pendingCount(channel: hook.id) == 0, "the webhook picked orders only")

        // A bot's state: first seen running is no news; its stop is.
        var status = try JSONDecoder().decode(BotRunStatus.self, from: Data(#"{"botID":3,"state":"running","mode":"paper","symbol":"ETHUSDT","cycles":0,"realisedPnL":0,"todayPnL":0,"held":0,"allocationUsed":0,"openOrders":[],"fills":[],"deals":[],"balances":{},"updatedAt":5}"#.utf8))
        notifier.observe(.botStatus(status), for: user)
        try notifier.queueObserved(now: Self.start)
        status.state = "stopped"
        status.updatedAt = 6
        notifier.observe(.botStatus(status), for: user)
        try notifier.queueObserved(now: Self.start)
        #expect(try database.notifications.due(now: Self.start, users: nil, limit: 10).map(\.text).last == "봇 3 (ETHUSDT, paper): 정지됨")
        // Notices the supervisor made itself reach the same channels.
        notifier.post(NoticeTrigger.traderState(from: "running", to: "emergency_stopped", bot: nil, now: Self.start), for: user)
        try notifier.queueObserved(now: Self.start)
        #expect(try database.notifications.due(now: Self.start, users: nil, limit: 10).last?.event == "emergency_stop")
    }

    @Test func theClockTellsAnOutageAndYesterdaysSummaryOnce() throws {
        let (notifier, database, user) = try Self.notifier()
        guard case .saved(let phone) = try notifier.create(ChannelRequest(kind: "telegram", secret: Self.token), for: user, now: Self.start) else {
            Issue.record("the channel was refused")
            return
        }
        try database.notifications.link(channel: phone.id, chat: "111")
        let later = Self.start.addingTimeInterval(2 * 86_400)
        try notifier.reloadChannels(now: later)
        notifier.observe(.exchange(reachable: false, since: later.addingTimeInterval(-240), reason: "timed out"), for: user)
        try notifier.queueObserved(now: later)
        try notifier.clock(now: later)
        var due = try database.notifications.due(now: later, users: nil, limit: 10)
        #expect(due.map(\.event) == ["daily_summary"], "an outage of 4 min is not told yet; the summary is")
        #expect(due.first?.text.hasPrefix("일일 요약 ") == true && due.first?.text.contains("체결 없음") == true, "\(due)")
        try notifier.clock(now: later.addingTimeInterval(10))
        try notifier.clock(now: later.addingTimeInterval(70))
        try notifier.clock(now: later.addingTimeInterval(90))
        due = try database.notifications.due(now: later.addingTimeInterval(90), users: nil, limit: 10)
        #expect(due.map(\.event) == ["daily_summary", "exchange_unreachable"])
        #expect(due.last?.text == "거래소에 5분 넘게 연결되지 않습니다: timed out")
        notifier.observe(.exchange(reachable: true, since: nil, reason: nil), for: user)
        try notifier.queueObserved(now: later.addingTimeInterval(100))
        try notifier.clock(now: later.addingTimeInterval(400))
        #expect(try database.notifications.due(now: later.addingTimeInterval(400), users: nil, limit: 10).count == 2, "told once; over once reachable")
    }
}
