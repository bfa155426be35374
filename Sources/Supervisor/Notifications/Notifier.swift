import AsyncHTTPClient
import Common
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Tells users what their bots did, on the channels they set up (Telegram, webhooks, e-mail).
///
/// Delivery never slows trading: the report path only hands the notifier what it wrote
/// (``observe(_:for:)``, an append under a lock); the notifier's own loop turns that into
/// messages in the outbox (`notification_outbox`, one row per channel and event key, so a fill
/// reported twice is told once) and sends what is due, each channel at its own pace
/// (``DeliveryPace``), trying again with backoff (``DeliveryPolicy``) until the channel takes it.
/// The supervisor runs it because only it can read the channels' secrets.
final class Notifier: Sendable {
    struct State {
        var channels: [UserID: [NotificationChannel]] = [:]
        var languages: [UserID: String] = [:]
        var loadedAt = Date.distantPast
        var observed: [(UserID, WorkerReport)] = []
        var posted: [(UserID, [Notice])] = []
        /// Hosted bots' states as last seen (only a change is told).
        var botStates: [Int64: String] = [:]
        var seeded: Set<UserID> = []
        var unreachable: [UserID: (since: Date, reason: String)] = [:]
        var lastSent: [Int64: Date] = [:]
        var summarized: [Int64: String] = [:]
        var confirmations: [Int64: EmergencyConfirmation] = [:]
        var lastClock = Date.distantPast
        var lastPrune = Date.distantPast
    }

    let database: CentralDatabase
    let secrets: ChannelSecrets
    let config: TraderConfig
    let logger: Logger
    let http: HTTPClient
    let wakeup = Wakeup()
    let state = Mutex(State())
    let policy = DeliveryPolicy()
    /// The users whose messages this host sends (those whose workers it runs); nil: everyone's.
    let localUsers: @Sendable () -> Set<UserID>?
    /// Starts and stops bots for Telegram's `/start` and `/stop` (through the web, which writes `bots`).
    let botControl: BotControl

    init(
        database: CentralDatabase, fernet: Fernet, config: TraderConfig, botControl: BotControl, logger: Logger,
        localUsers: @escaping @Sendable () -> Set<UserID>?
    ) {
        self.database = database
        secrets = ChannelSecrets(fernet: fernet)
        self.config = config
        self.botControl = botControl
        self.logger = logger
        self.localUsers = localUsers
        http = .shared
    }

    // MARK: - What happened

    /// A report the supervisor wrote for `user`: looked at in the notifier's loop, if the user
    /// has a channel at all.
    func observe(_ report: WorkerReport, for user: UserID) {
        let urgent: Bool
        switch report {
        case .fill, .order, .exchange: urgent = true
        case .botStatus: urgent = false
        default: return
        }
        let wanted = state.withLock { state -> Bool in
            guard state.channels[user]?.isEmpty == false else { return false }
            state.observed.append((user, report))
            return true
        }
        if wanted && urgent { wakeup.signal() }
    }

    /// Notices the supervisor itself made (a worker's state from its heartbeat, a crash loop).
    func post(_ notices: [Notice], for user: UserID) {
        guard !notices.isEmpty else { return }
        let wanted = state.withLock { state -> Bool in
            guard state.channels[user]?.isEmpty == false else { return false }
            state.posted.append((user, notices))
            return true
        }
        if wanted { wakeup.signal() }
    }

    /// The channels changed (made, changed, deleted, linked): read again at once.
    func channelsChanged() {
        state.withLock { $0.loadedAt = .distantPast }
        wakeup.signal()
    }

    // MARK: - The loop

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.sendLoop() }
            group.addTask { await self.telegramLoop() }
        }
    }

    private func sendLoop() async {
        while !Task.isCancelled {
            await pass(now: Date())
            await wakeup.wait(upTo: .milliseconds(250))
        }
    }

    /// One round: reads the channels when due, queues what was observed, checks the clock's
    /// events, sends what is due.
    func pass(now: Date) async {
        do {
            try reloadChannels(now: now)
            try queueObserved(now: now)
            try clock(now: now)
        } catch {
            logger.warning("notify.queue_failed", metadata: ["error": "\(error)"])
        }
        await sendDue(now: now)
    }

    func reloadChannels(now: Date) throws {
        guard state.withLock({ now.timeIntervalSince($0.loadedAt) >= 2 }) else { return }
        let all = try database.notifications.allChannels()
        let byUser = Dictionary(grouping: all, by: \.userID)
        var languages: [UserID: String] = [:]
        for user in byUser.keys {
            if let language = try database.users.user(user)?.language { languages[user] = language }
        }
        state.withLock { state in
            state.channels = byUser
            state.languages = languages
            state.loadedAt = now
        }
    }

    func channel(_ id: Int64) -> NotificationChannel? {
        state.withLock { state in state.channels.values.lazy.flatMap { $0 }.first { $0.id == id } }
    }

    /// Turns what was observed and posted into outbox rows for the channels that picked each event.
    func queueObserved(now: Date) throws {
        let (observed, posted, unseeded) = state.withLock { state in
            defer {
                state.observed = []
                state.posted = []
            }
            let unseeded = Set(state.observed.compactMap { user, report -> UserID? in
                if case .botStatus = report, !state.seeded.contains(user) { return user }
                return nil
            })
            return (state.observed, state.posted, unseeded)
        }
        // A bot first seen after a start takes its stored state as the one before.
        for user in unseeded {
            let stored = try database.bots.statuses(for: user)
            state.withLock { state in
                for (bot, status) in stored where state.botStates[bot] == nil { state.botStates[bot] = status.state }
                state.seeded.insert(user)
            }
        }
        var notices = posted
        for (user, report) in observed {
            let previous: String? = state.withLock { state in
                guard case .botStatus(let status) = report else { return nil }
                defer { state.botStates[status.botID] = status.state }
                return state.botStates[status.botID]
            }
            if case .exchange(let reachable, let since, let reason) = report {
                state.withLock { state in
                    if reachable { state.unreachable[user] = nil } else if let since { state.unreachable[user] = (since, reason ?? "no answer") }
                }
            }
            let made = NoticeTrigger.notices(report, previousBotState: previous, now: now)
            if !made.isEmpty { notices.append((user, made)) }
        }
        try enqueue(notices, now: now)
    }

    func enqueue(_ notices: [(UserID, [Notice])], now: Date, only channelID: Int64? = nil) throws {
        var items: [OutboxItem] = []
        state.withLock { state in
            for (user, list) in notices {
                for channel in state.channels[user] ?? [] where channel.isReady && (channelID == nil || channel.id == channelID) {
                    for notice in list where notice.event.map(channel.events.contains) ?? true {
                        items.append(OutboxItem(notice: notice, channel: channel, language: state.languages[user], now: now))
                    }
                }
            }
        }
        if try database.notifications.enqueue(items) > 0 { wakeup.signal() }
    }
}

/// The notifier as a service of the supervisor's group.
struct NotifierService: Service {
    let notifier: Notifier

    func run() async throws {
        try await cancelWhenGracefulShutdown { await notifier.run() }
    }
}
