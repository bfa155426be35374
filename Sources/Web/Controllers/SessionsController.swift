import Common
import Foundation
import Hummingbird

/// A user's signed-in browsers and clients: `GET /api/v1/sessions`, `DELETE /api/v1/sessions/{id}`
/// and the list on `/settings` with a button to end each. A session is named by the first 16
/// hex digits of its id's SHA-256: never the id.
struct SessionsController {
    let database: CentralDatabase
    let exchange: String

    func register(on routes: WebRoutes) {
        routes.api.get("sessions") { _, context -> Response in
            let list = try read { try database.sessions.sessions(of: context.user.id) }
            return Reply.json(.ok, SessionListResponse(items: list.map { SessionResponse($0, current: $0.idHash == context.session?.idHash) }))
        }
        routes.api.delete("sessions/:session_id") { _, context -> Response in
            try end(context.parameters.get("session_id") ?? "", user: context.user.id)
            return Response(status: .noContent)
        }
        routes.pages.post("/settings/sessions/:session_id/end") { _, context -> Response in
            do throws(APIError) {
                try end(context.parameters.get("session_id") ?? "", user: context.user.id)
                return Reply.redirect("/settings?done=session_ended#sessions")
            } catch {
                return SettingsPagesController.settings(
                    database, exchange: exchange, viewer: context.viewer, user: context.user.id, error: error.pageMessage, status: error.status)
            }
        }
    }

    func end(_ reference: String, user: UserID) throws(APIError) {
        guard reference.count == SessionResponse.referenceLength,
            let session = try read({ try database.sessions.sessions(of: user) }).first(where: { $0.idHash.hasPrefix(reference) })
        else { throw APIError.notFound("No such session of this user.") }
        try write { try database.sessions.delete(idHash: session.idHash) }
    }
}

struct SessionResponse: Encodable, Sendable {
    static let referenceLength = 16
    let id: String
    @Nullable var userAgent: String?
    @Nullable var address: String?
    let createdAt: Date
    let lastSeenAt: Date
    let persistent: Bool
    let current: Bool

    init(_ session: StoredSession, current: Bool) {
        id = String(session.idHash.prefix(Self.referenceLength))
        userAgent = session.userAgent
        address = session.address
        createdAt = session.createdAt
        lastSeenAt = session.lastSeenAt
        persistent = session.persistent
        self.current = current
    }
}

struct SessionListResponse: Encodable, Sendable {
    let items: [SessionResponse]
}
