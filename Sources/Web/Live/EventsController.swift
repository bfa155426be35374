import Common
import Foundation
import Hummingbird

/// `GET /api/v1/events`: the signed-in user's fills, orders, bot state, portfolio and signals as
/// server-sent events, as the supervisor records them. The stream ends when the session does.
/// A connection that carries `Last-Event-ID` (a browser's EventSource after a break) first gets
/// the events it missed, or a `reload` event when they can no longer be told.
struct EventsController {
    let hub: EventHub
    let sessions: Sessions

    static let lastEventID = HTTPFields.Element.Name("Last-Event-ID")!

    func register(on router: Router<WebContext>) {
        router.get("/api/v1/events") { request, context -> Response in
            let (user, session) = try context.requireUser()
            let subscription = await hub.subscribe(user.id, lastEventID: request.headers[Self.lastEventID])
            let sessions = self.sessions
            let epoch = hub.epoch
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: Self.opening(subscription, epoch: epoch)))
                reading: for await message in subscription.messages {
                    switch message {
                    case .ping:
                        // The stream ends at the first ping after the session did.
                        guard (try? sessions.isAlive(idHash: session.idHash)) ?? true else { break reading }
                        try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    case .event(let id, let event):
                        try await writer.write(ByteBuffer(string: event.encoded(id: id)))
                    }
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"],
                body: body
            )
        }
    }

    /// What a connection reads before the live events: how long to wait before reconnecting
    /// (`retry`), then the missed events, or a `reload`, and the id it holds from then on (an
    /// `id:` line with no data sets the page's last event id without an event), so that even a
    /// connection that saw no event can say where it stood when it reconnects.
    static func opening(_ subscription: LiveSubscription, epoch: String) -> String {
        var text = "retry: 2000\n: connected\n\n"
        switch subscription.decision {
        case .fresh:
            break
        case .replay(let entries):
            for entry in entries { text += entry.event.encoded(id: LiveEventID(epoch: epoch, sequence: entry.sequence)) }
        case .reload:
            let reload = LiveEvent(name: "reload", data: LivePayload.text(LivePayload.Reload(reason: "missed_events")))
            return text + reload.encoded(id: subscription.mark)
        }
        return text + "id: \(subscription.mark)\n\n"
    }
}
