import Common
import Foundation
import Hummingbird

/// Where the controllers add their routes: open to everyone, or behind a signed-in user
/// (``SignInMiddleware``; pages also behind ``FormCSRFMiddleware``).
struct WebRoutes {
    let router: Router<WebContext>
    /// `/api/v1` without a session: signup and login.
    let openAPI: RouterGroup<WebContext>
    /// `/api/v1` for a signed-in user (401 otherwise).
    let api: RouterGroup<SignedInContext>
    /// Pages of a signed-in user (a redirect to the login otherwise); a posted form is read and
    /// its CSRF token checked before the handler.
    let pages: RouterGroup<SignedInContext>

    /// `cache`: answers the reads ``ReadCachePolicy`` lists while central.sqlite is unchanged.
    /// `audit`: where the changes signed-in users make are recorded (``AuditMiddleware``).
    init(_ router: Router<WebContext>, cache: ReadCache, audit: AuditTrail) {
        self.router = router
        openAPI = router.group("/api/v1")
        api = router.group("/api/v1").add(middleware: SignInMiddleware()).group(context: SignedInContext.self)
            .add(middleware: AuditMiddleware(audit: audit)).add(middleware: ReadCacheMiddleware(cache: cache))
        pages = router.group().add(middleware: SignInMiddleware()).group(context: SignedInContext.self).add(middleware: FormCSRFMiddleware())
            .add(middleware: AuditMiddleware(audit: audit)).add(middleware: ReadCacheMiddleware(cache: cache))
    }
}
