import Common
import Foundation
import Hummingbird

/// The context of the routes that need a signed-in user: ``SignInMiddleware`` has turned away
/// everyone else, so the handlers read `user` and `session` without a guard of their own.
struct SignedInContext: ChildRequestContext {
    typealias ParentContext = WebContext
    var coreContext: CoreRequestContextStorage
    /// The client's IP address.
    let remoteAddress: String
    let user: StoredUser
    let session: Sessions.Active
    /// A page's posted form, read and checked by ``FormCSRFMiddleware`` before the handler.
    var form = FormBody(fields: [:])

    init(context: WebContext) throws {
        // SignInMiddleware answered already when there is no user; this is the type's guarantee.
        guard let user = context.user, let session = context.session else { throw WebContext.unauthenticated }
        coreContext = context.coreContext
        remoteAddress = context.remoteAddress
        self.user = user
        self.session = session
    }

    /// Who the page is for, and the token its forms carry.
    var viewer: Layout.Viewer { Layout.Viewer(username: user.username, csrfToken: session.csrfToken, sessionHash: session.idHash) }
}
