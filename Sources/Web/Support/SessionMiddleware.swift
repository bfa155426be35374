import Common
import Foundation
import Hummingbird

/// Resolves the session cookie into the context's user, and guards the JSON API: every
/// state-changing call made with a session carries `X-CSRF-Token`, and another user's id in the
/// query gives 404. (HTML forms check their hidden `csrf_token` field in their handlers.)
///
/// The session and its user come from ``SignInCache`` (read once per change of central.sqlite,
/// not once per request). Any state-changing request may have written the file (a logout, a
/// password change, a language): after it the watch is invalidated, so the next request of
/// this process reads again.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let signIns: SignInCache
    let tokens: TokenAuthenticator
    let secureCookies: Bool

    init(sessions: Sessions, database: CentralDatabase, watch: CentralChangeWatch, secureCookies: Bool) {
        signIns = SignInCache(sessions: sessions, users: database.users, watch: watch)
        tokens = TokenAuthenticator(database: database)
        self.secureCookies = secureCookies
    }

    /// JSON calls that need no session, so no CSRF token.
    static let openEndpoints: Set<String> = ["/api/v1/signup", "/api/v1/login"]

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        var staleCookie = false
        if request.uri.path.hasPrefix("/api/"), let bearer = APITokenText.bearer(request.headers[.authorization]) {
            // A script's token: no cookie, no CSRF token; its scope decides.
            do throws(APIError) {
                (context.user, context.token) = try tokens.resolve(bearer, method: request.method.rawValue, path: request.uri.path)
            } catch {
                return try error.response(from: request, context: context)
            }
            if namesAnotherUser(request, context) { return try APIError.notFound().response(from: request, context: context) }
            if ![.get, .head, .options].contains(request.method) {
                defer { signIns.watch.invalidate() }
                return try await next(request, context)
            }
            return try await next(request, context)
        }
        if let id = request.cookies[SessionCookie.name]?.value, !id.isEmpty {
            do {
                if let (active, user) = try signIns.resolve(id) {
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
        if namesAnotherUser(request, context) {
            // Another user's id (or any id without a session): as if it did not exist.
            guard path.hasPrefix("/api/") else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            return try APIError.notFound().response(from: request, context: context)
        }
        if path.hasPrefix("/api/") {
            if let error = guardAPI(request, context: context, path: path) {
                return try error.response(from: request, context: context)
            }
        }
        if ![.get, .head, .options].contains(request.method) {
            defer { signIns.watch.invalidate() }
            return try await respond(request, context: context, staleCookie: staleCookie, next: next)
        }
        return try await respond(request, context: context, staleCookie: staleCookie, next: next)
    }

    private func respond(
        _ request: Request, context: WebContext, staleCookie: Bool, next: (Request, WebContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        if staleCookie, !response.headers[values: .setCookie].contains(where: { $0.hasPrefix(SessionCookie.name + "=") }) {
            response.setCookie(SessionCookie.clear(secure: secureCookies))
        }
        return response
    }

    /// A `user_id` in the query that is not the signed-in user's (or any without one).
    func namesAnotherUser(_ request: Request, _ context: WebContext) -> Bool {
        guard let named = request.uri.queryParameters.get("user_id") else { return false }
        return Int64(named) != context.user?.id.rawValue
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
