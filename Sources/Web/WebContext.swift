import Common
import Foundation
import Hummingbird
import NIOCore

/// The request context of the web: who is asking (the session's user, if any) and from where.
struct WebContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's IP address, for login throttling.
    let remoteAddress: String
    /// The valid session the request's cookie names, with its user.
    var session: Sessions.Active?
    var user: StoredUser?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The signed-in user, or a 401 for the JSON API.
    func requireUser() throws(APIError) -> (user: StoredUser, session: Sessions.Active) {
        guard let user, let session else { throw APIError(.unauthorized, "unauthenticated", "Sign in first (POST /api/v1/login).") }
        return (user, session)
    }
}
