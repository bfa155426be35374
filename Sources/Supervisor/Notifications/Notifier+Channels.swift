import Common
import Foundation

extension Notifier {
    enum ChannelOutcome: Sendable {
        case saved(ChannelSaved)
        case invalid(String)
        case notFound
        case conflict(String)
    }

    /// Stores a new channel: its secrets sealed, a Telegram channel with a code to link a chat.
    func create(_ request: ChannelRequest, for user: UserID, now: Date = Date()) throws -> ChannelOutcome {
        let checked: ChannelRequest.Checked
        switch request.check() {
        case .success(let value): checked = value
        case .failure(let problem): return .invalid(problem.message)
        }
        if checked.kind == .email, config.smtpHost.isEmpty || config.smtpFrom.isEmpty {
            return .conflict("this server sends no e-mail: its operator has not set notifications.smtp in etc/trader.yaml")
        }
        guard try database.notifications.channels(for: user).count < NotificationChannel.maxPerUser else {
            return .conflict("a user has at most \(NotificationChannel.maxPerUser) channels; delete one first")
        }
        var channel = NotificationChannel(
            userID: user, kind: checked.kind, name: checked.name, target: checked.target, preset: checked.preset, events: checked.events,
            unreachableMinutes: checked.unreachableMinutes, createdAt: now)
        switch checked.kind {
        case .telegram:
            channel.secretToken = secrets.seal(.init(token: checked.secret))
            channel.linkCode = "ctp-" + String(format: "%08d", Int.random(in: 0..<100_000_000))
        case .webhook:
            channel.secretToken = secrets.seal(.init(url: checked.target, secret: checked.secret))
            channel.target = ChannelSecrets.shownURL(checked.target)
        case .email:
            break
        }
        let id = try database.notifications.saveChannel(channel)
        channelsChanged()
        logger.info("notify.channel_created", metadata: ["user.id": "\(user)", "channel.id": "\(id)", "kind": "\(checked.kind.rawValue)"])
        return .saved(ChannelSaved(id: id, linkCode: channel.linkCode))
    }

    /// Changes a channel's name, events, minutes; a new secret or URL replaces the old one.
    func update(_ id: Int64, _ request: ChannelRequest, for user: UserID) throws -> ChannelOutcome {
        guard var channel = try database.notifications.channel(id), channel.userID == user else { return .notFound }
        var request = request
        // A webhook's stored target is its shown form; its URL is in the sealed secret.
        let sealed = channel.kind == .email ? ChannelSecrets.Plain() : ((try? secrets.open(channel)) ?? .init())
        if channel.kind == .webhook, request.target == nil { request.target = sealed.url }
        let checked: ChannelRequest.Checked
        switch request.check(existing: channel) {
        case .success(let value): checked = value
        case .failure(let problem): return .invalid(problem.message)
        }
        channel.name = checked.name
        channel.events = checked.events
        channel.unreachableMinutes = checked.unreachableMinutes
        switch channel.kind {
        case .telegram:
            if let token = checked.secret { channel.secretToken = secrets.seal(.init(token: token)) }
        case .webhook:
            channel.preset = checked.preset
            channel.secretToken = secrets.seal(.init(url: checked.target, secret: checked.secret ?? sealed.secret))
            channel.target = ChannelSecrets.shownURL(checked.target)
        case .email:
            channel.target = checked.target
        }
        _ = try database.notifications.saveChannel(channel)
        channelsChanged()
        return .saved(ChannelSaved(id: id, linkCode: channel.linkCode))
    }

    func delete(_ id: Int64, for user: UserID) throws -> Bool {
        let deleted = try database.notifications.deleteChannel(id, for: user)
        if deleted { channelsChanged() }
        return deleted
    }

    /// "Send a test message".
    func sendTest(_ id: Int64, for user: UserID) throws -> ChannelOutcome {
        guard let channel = try database.notifications.channel(id), channel.userID == user else { return .notFound }
        guard channel.isReady else { return .conflict("link a chat first: send the code \(channel.linkCode ?? "") to your bot in Telegram") }
        try test(channel: channel)
        return .saved(ChannelSaved(id: id, linkCode: channel.linkCode))
    }
}
