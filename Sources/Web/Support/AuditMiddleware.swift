import Common
import Foundation
import Hummingbird

/// Appends every change a signed-in user or their token made (a state-changing request that
/// succeeded: settings, bots, orders, commands, hooks, channels, keys, sessions) to the audit
/// log: the method and path, never the body. Sign-in, sign-out, password, second factor and
/// tokens are recorded where they happen, with more to say.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = SignedInContext
    let audit: AuditTrail

    static let recordedElsewhere = [
        "/api/v1/logout", "/api/v1/password", "/api/v1/2fa", "/api/v1/tokens", "/settings/password", "/settings/2fa", "/settings/tokens",
        "/admin", "/api/v1/admin",
    ]

    func handle(_ request: Request, context: SignedInContext, next: (Request, SignedInContext) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        let path = request.uri.path
        guard ![.get, .head, .options].contains(request.method), response.status.code < 400,
            !Self.recordedElsewhere.contains(where: { path == $0 || path.hasPrefix($0 + "/") })
        else { return response }
        audit.record(
            context.token == nil ? AuditAction.change : AuditAction.tokenWrite, user: context.user.id, actor: context.actor,
            address: context.remoteAddress, detail: "\(request.method.rawValue) \(path) → \(response.status.code)")
        return response
    }
}
