import Common
import Foundation
import Hummingbird

/// The context of the routes that need a signed-in user: ``SignInMiddleware`` has turned away
/// everyone else, so the handlers read `user` without a guard of their own. A page always has
/// its `session`; an `/api/v1` call has a session or an API `token`.
struct SignedInContext: ChildRequestContext {
    typealias ParentContext = WebContext
    var coreContext: CoreRequestContextStorage
    /// The client's IP address.
    let remoteAddress: String
    let user: StoredUser
    let session: Sessions.Active?
    let token: StoredAPIToken?
    /// A page's posted form, read and checked by ``FormCSRFMiddleware`` before the handler.
    var form = FormBody(fields: [:])

    init(context: WebContext) throws {
        // SignInMiddleware answered already when there is no user; this is the type's guarantee.
        guard let user = context.user, context.session != nil || context.token != nil else { throw WebContext.unauthenticated }
        coreContext = context.coreContext
        remoteAddress = context.remoteAddress
        self.user = user
        session = context.session
        token = context.token
    }

    /// Who did it, for the audit log: the username, and the token's name when a token did.
    var actor: String { token.map { "\(user.username) (token \"\($0.name)\")" } ?? user.username }

    /// Who the page is for, and the token its forms carry.
    var viewer: Layout.Viewer {
        Layout.Viewer(username: user.username, csrfToken: session?.csrfToken ?? "", sessionHash: session?.idHash ?? "", isAdmin: user.isAdmin)
    }
}
