import Common
import Foundation
import Hummingbird
import NIOCore

/// The request context of the web: who is asking (the session's user, if any) and from where.
/// Routes that need a user get a ``SignedInContext`` instead.
struct WebContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's IP address, for login throttling.
    let remoteAddress: String
    /// The valid session the request's cookie names, with its user.
    var session: Sessions.Active?
    var user: StoredUser?
    /// The API token an `/api/v1` request came with (then there is no session).
    var token: StoredAPIToken?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    static let unauthenticated = APIError(.unauthorized, "unauthenticated", "Sign in first (POST /api/v1/login), or send an API token as Authorization: Bearer.")

    /// The signed-in user, or a 401 (the event stream, which is not in the signed-in group).
    func requireUser() throws(APIError) -> (user: StoredUser, session: Sessions.Active) {
        guard let user, let session else { throw Self.unauthenticated }
        return (user, session)
    }

    /// The page's viewer when someone is signed in (the pages that also serve visitors).
    var viewer: Layout.Viewer? {
        guard let user, let session else { return nil }
        return Layout.Viewer(username: user.username, csrfToken: session.csrfToken, sessionHash: session.idHash, isAdmin: user.isAdmin)
    }
}
