import Common
import Foundation
import Hummingbird

/// Resolves the session cookie into the context's user, and guards the JSON API: every
/// state-changing call made with a session carries `X-CSRF-Token`, and another user's id in the
/// query gives 404. (HTML forms check their hidden `csrf_token` field in their handlers.)
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let sessions: Sessions
    let users: any UserStore
    let secureCookies: Bool
    /// JSON calls that need no session, so no CSRF token.
    static let openEndpoints: Set<String> = ["/api/v1/signup", "/api/v1/login"]

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        var staleCookie = false
        if let id = request.cookies[SessionCookie.name]?.value, !id.isEmpty {
            do {
                if let active = try sessions.resolve(id), let user = try users.user(active.userID) {
                    context.session = active
                    context.user = user
                } else {
                    staleCookie = true
                }
            } catch {
                context.logger.error("session.lookup_failed", metadata: ["error": "\(error)"])
                if request.uri.path.hasPrefix("/api/") {
                    return try APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be read.")
                        .response(from: request, context: context)
                }
            }
        }
        let path = request.uri.path
        if let named = request.uri.queryParameters.get("user_id"), Int64(named) != context.user?.id.rawValue {
            // Another user's id (or any id without a session): as if it did not exist.
            guard path.hasPrefix("/api/") else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            return try APIError.notFound().response(from: request, context: context)
        }
        if path.hasPrefix("/api/") {
            if let error = guardAPI(request, context: context, path: path) {
                return try error.response(from: request, context: context)
            }
        }
        var response = try await next(request, context)
        if staleCookie, !response.headers[values: .setCookie].contains(where: { $0.hasPrefix(SessionCookie.name + "=") }) {
            response.setCookie(SessionCookie.clear(secure: secureCookies))
        }
        return response
    }

    func guardAPI(_ request: Request, context: WebContext, path: String) -> APIError? {
        let unsafe = ![.get, .head, .options].contains(request.method)
        if unsafe, let session = context.session, !Self.openEndpoints.contains(path) {
            guard let token = request.headers[.init("X-CSRF-Token")!], SecureToken.constantTimeEquals(token, session.csrfToken) else {
                return APIError(.forbidden, "csrf_failed", "The X-CSRF-Token header is missing or wrong; read the token from login or GET /api/v1/me.")
            }
        }
        return nil
    }
}
