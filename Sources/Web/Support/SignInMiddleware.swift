import Common
import Foundation
import Hummingbird

/// Turns away a request without a signed-in user, before any route that needs one: a page
/// redirects to `/login?next=<the page>`, the JSON API answers 401 `unauthenticated`. An answer,
/// not a thrown error, so that ``SessionMiddleware`` still clears a stale cookie on it.
struct SignInMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard context.user == nil || (context.session == nil && context.token == nil) else { return try await next(request, context) }
        if request.uri.path.hasPrefix("/api/") { return try WebContext.unauthenticated.response(from: request, context: context) }
        return Self.toLogin(request)
    }

    /// The login page, coming back here after it.
    static func toLogin(_ request: Request) -> Response {
        let path = request.uri.path
        return Reply.redirect(path == "/" ? "/login" : "/login?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
    }
}
