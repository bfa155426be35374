import Common
import Foundation
import Hummingbird

/// Reads the form a signed-in page posts and checks its hidden `csrf_token` field against the
/// session before the handler runs; a missing or wrong token gets the "form expired" page (403).
/// The handler finds the form in `context.form`. (The JSON API checks `X-CSRF-Token` in
/// ``SessionMiddleware``.)
struct FormCSRFMiddleware: RouterMiddleware {
    typealias Context = SignedInContext

    func handle(_ request: Request, context: SignedInContext, next: (Request, SignedInContext) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var context = context
        context.form = await FormBody.read(request)
        guard let session = context.session, context.form.csrfMatches(session) else {
            return Reply.html(AccountPages.formExpired(viewer: context.viewer), status: .forbidden)
        }
        return try await next(request, context)
    }
}

extension FormBody {
    /// The form's `csrf_token` is the session's.
    func csrfMatches(_ session: Sessions.Active) -> Bool {
        guard let field = self["csrf_token"] else { return false }
        return SecureToken.constantTimeEquals(field, session.csrfToken)
    }
}
