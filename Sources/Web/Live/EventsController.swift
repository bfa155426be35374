import Common
import Foundation
import Hummingbird

/// `GET /api/v1/events`: the signed-in user's fills, orders, bot state, portfolio and signals as
/// server-sent events, as the supervisor records them. The stream ends when the session does.
struct EventsController {
    let hub: EventHub
    let sessions: Sessions

    func register(on router: Router<WebContext>) {
        router.get("/api/v1/events") { _, context -> Response in
            let (user, session) = try context.requireUser()
            let stream = await hub.subscribe(user.id)
            let sessions = self.sessions
            let body = ResponseBody { writer in
                var counter = 0
                // `retry`: how long a browser waits before it reconnects after a break.
                try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
                for await event in stream {
                    if event.name == "ping" {
                        guard (try? sessions.isAlive(idHash: session.idHash)) ?? true else { break }
                        try await writer.write(ByteBuffer(string: ": ping\n\n"))
                        continue
                    }
                    counter += 1
                    try await writer.write(ByteBuffer(string: event.encoded(id: counter)))
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
}
