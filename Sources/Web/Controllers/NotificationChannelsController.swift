import Common
import Foundation
import Hummingbird

/// A user's notification channels: `/api/v1/notification-channels` (list, make, change, delete,
/// `…/{id}/test`) and the forms of `/settings`. The web reads the channels; every change goes to
/// the supervisor, which seals the secrets (a bot token, a webhook's URL and secret) with the
/// master key. No answer or page ever carries a secret.
struct NotificationChannelsController {
    let database: CentralDatabase
    let control: ControlClient
    let exchange: String

    func register(on routes: WebRoutes) {
        routes.api.get("notification-channels") { _, context -> Response in
            let user = context.user.id
            let channels = try read { try database.notifications.channels(for: user) }
            let items = try channels.map { channel throws(APIError) in
                ChannelResponse(channel, pending: try read { try database.notifications.pendingCount(channel: channel.id) })
            }
            return Reply.json(.ok, ChannelListResponse(items: items, events: NotificationEvent.allCases.map(\.rawValue)))
        }
        routes.api.post("notification-channels") { request, context -> Response in
            let user = context.user.id
            let saved = try await control.saveChannel(try await Self.request(from: request, user: user), user: user)
            return Reply.json(.created, try response(saved.id, user: user))
        }
        routes.api.put("notification-channels/:channel_id") { request, context -> Response in
            let user = context.user.id
            let id = try channelID(context)
            var body = try await Self.request(from: request, user: user, kind: try existing(id, user: user).kind)
            if body.kind.isEmpty { body.kind = try existing(id, user: user).kind.rawValue }
            _ = try await control.saveChannel(body, id: id, user: user)
            return Reply.json(.ok, try response(id, user: user))
        }
        routes.api.delete("notification-channels/:channel_id") { _, context -> Response in
            let user = context.user.id
            try await control.deleteChannel(try channelID(context), user: user)
            return Response(status: .noContent)
        }
        routes.api.post("notification-channels/:channel_id/test") { _, context -> Response in
            let user = context.user.id
            let id = try channelID(context)
            try await control.testChannel(id, user: user)
            return Reply.json(.accepted, try response(id, user: user))
        }
        registerPages(on: routes)
    }

    func channelID(_ context: SignedInContext) throws(APIError) -> Int64 {
        guard let id = context.parameters.get("channel_id", as: Int64.self) else { throw APIError.notFound("No such channel.") }
        return id
    }

    func existing(_ id: Int64, user: UserID) throws(APIError) -> NotificationChannel {
        guard let channel = try read({ try database.notifications.channel(id) }), channel.userID == user else { throw APIError.notFound("No such channel.") }
        return channel
    }

    func response(_ id: Int64, user: UserID) throws(APIError) -> ChannelResponse {
        ChannelResponse(try existing(id, user: user), pending: try read { try database.notifications.pendingCount(channel: id) })
    }

    /// A JSON body as a channel request: each field checked for its type here, its meaning by the supervisor.
    static func request(from request: Request, user: UserID, kind: ChannelKind? = nil) async throws(APIError) -> ChannelRequest {
        let body = try await JSONBody.read(request, user: user)
        func text(_ key: String) throws(APIError) -> String? {
            guard let value = body.fields[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw APIError.invalid("\"\(key)\" must be a string.") }
            return text
        }
        var events: [String]?
        if let value = body.fields["events"], !(value is NSNull) {
            guard let list = value as? [Any], list.allSatisfy({ $0 is String }) else {
                throw APIError.invalid("\"events\" must be a list of event names: \(NotificationEvent.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            events = list.compactMap { $0 as? String }
        }
        var minutes: Int?
        if let value = body.fields["unreachable_minutes"], !(value is NSNull) {
            // A number; anything else (true, 5.5, text) fails as not a whole number.
            guard value is NSNumber, let whole = Int("\(value)") else {
                throw APIError.invalid("\"unreachable_minutes\" must be a whole number.")
            }
            minutes = whole
        }
        let given = try text("kind")
        if kind == nil, given == nil { throw APIError.invalid("\"kind\" is required: telegram, webhook or email.") }
        if let kind, let given, given != kind.rawValue { throw APIError.invalid("A channel's kind cannot change; make a new channel.") }
        return ChannelRequest(
            kind: given ?? kind?.rawValue ?? "", name: try text("name"), target: try text("target"), preset: try text("preset"), events: events,
            secret: try text("secret"), unreachableMinutes: minutes)
    }
}

/// One channel as the API shows it: never its secret; a webhook's URL as scheme and host only.
struct ChannelResponse: Encodable, Sendable {
    let id: Int64
    let kind: String
    let name: String
    @Nullable var target: String?
    @Nullable var preset: String?
    let events: [String]
    let unreachableMinutes: Int
    let linked: Bool
    @Nullable var linkCode: String?
    @Nullable var lastResult: LastResult?
    let pending: Int
    let createdAt: Date

    struct LastResult: Encodable, Sendable {
        let ok: Bool
        let text: String
        let at: Date
    }

    init(_ channel: NotificationChannel, pending: Int) {
        id = channel.id
        kind = channel.kind.rawValue
        name = channel.name
        target = channel.target.isEmpty ? nil : channel.target
        preset = channel.preset?.rawValue
        events = NotificationEvent.allCases.filter(channel.events.contains).map(\.rawValue)
        unreachableMinutes = channel.unreachableMinutes
        linked = channel.isReady
        linkCode = channel.isReady ? nil : channel.linkCode
        if let text = channel.lastResult, let at = channel.lastResultAt {
            lastResult = LastResult(ok: channel.lastOK ?? false, text: text, at: at)
        }
        self.pending = pending
        createdAt = channel.createdAt
    }
}

struct ChannelListResponse: Encodable, Sendable {
    let items: [ChannelResponse]
    /// The events a channel can pick.
    let events: [String]
}
