import Common
import Foundation
import Hummingbird

/// Personal API tokens: `GET`/`POST /api/v1/tokens`, `DELETE /api/v1/tokens/{id}`, and the list
/// on `/settings` with a form to create one (shown once) and a button to revoke each. Only a
/// signed-in browser manages tokens (``APIScopeRule``: a token cannot make tokens).
struct APITokensController {
    let database: CentralDatabase
    let exchange: String
    let audit: AuditTrail

    func register(on routes: WebRoutes) {
        routes.api.get("tokens") { _, context -> Response in
            let list = try read { try database.apiTokens.tokens(for: context.user.id) }
            return Reply.json(.ok, APITokenListResponse(items: list.map { APITokenResponse($0, now: Date()) }))
        }
        routes.api.post("tokens") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            guard let scopes = (body.fields["scopes"] ?? []) as? [String] else { throw APIError.invalid("\"scopes\" must be a list of strings: read, trade, admin.") }
            let days = body.fields["expires_in_days"].map { "\($0)" }
            let (token, text) = try create(name: body.fields["name"] as? String, scopes: scopes, days: days, context: context)
            var response = APITokenResponse(token, now: Date())
            response.token = text
            return Reply.json(.created, response)
        }
        routes.api.delete("tokens/:token_id") { _, context -> Response in
            try revoke(context.parameters.get("token_id") ?? "", context: context)
            return Response(status: .noContent)
        }
        routes.pages.post("/settings/tokens") { _, context -> Response in
            let form = context.form
            let scopes = APIScope.allCases.filter { form["scope_\($0.rawValue)"] != nil }.map(\.rawValue)
            do throws(APIError) {
                let (_, text) = try create(name: form["name"], scopes: scopes, days: form["expires_in_days"], context: context)
                return SettingsPagesController.settings(
                    database, exchange: exchange, viewer: context.viewer, user: context.user.id, notice: t("tokens.created")) { $0.newToken = text }
            } catch {
                return SettingsPagesController.settings(
                    database, exchange: exchange, viewer: context.viewer, user: context.user.id, error: error.pageMessage, status: error.status)
            }
        }
        routes.pages.post("/settings/tokens/:token_id/revoke") { _, context -> Response in
            do throws(APIError) {
                try revoke(context.parameters.get("token_id") ?? "", context: context)
                return Reply.redirect("/settings?done=token_revoked#tokens")
            } catch {
                return SettingsPagesController.settings(
                    database, exchange: exchange, viewer: context.viewer, user: context.user.id, error: error.pageMessage, status: error.status)
            }
        }
    }

    func create(name: String?, scopes: [String], days: String?, context: SignedInContext, now: Date = Date()) throws(APIError) -> (StoredAPIToken, String) {
        let request: APITokenRequest
        switch APITokenRequest.check(name: name, scopes: scopes, days: days, isAdmin: context.user.isAdmin) {
        case .success(let checked): request = checked
        case .failure(let problem): throw APIError(.unprocessableContent, "invalid_token_request", problem.message)
        }
        let active = try read { try database.apiTokens.tokens(for: context.user.id) }.filter { $0.isActive(at: now) }.count
        guard active < APITokenRequest.maxActive else {
            throw APIError(.conflict, "too_many_tokens", "An account holds at most \(APITokenRequest.maxActive) active tokens; revoke one first.")
        }
        let text = APITokenText.generate()
        let token = try write {
            try database.apiTokens.create(
                user: context.user.id, name: request.name, tokenHash: SecureToken.storedForm(text), scopes: request.scopes, at: now,
                expiresAt: request.expiry(from: now))
        }
        audit.record(
            AuditAction.tokenCreated, by: context.user, address: context.remoteAddress,
            detail: "#\(token.id) \"\(token.name)\" \(APIScope.text(token.scopes)), \(request.days) days")
        return (token, text)
    }

    func revoke(_ reference: String, context: SignedInContext) throws(APIError) {
        guard let id = Int64(reference), id > 0 else { throw APIError.notFound("No such token of this user.") }
        guard try write({ try database.apiTokens.revoke(id: id, user: context.user.id, at: Date()) }) else {
            throw APIError.notFound("No such active token of this user.")
        }
        audit.record(AuditAction.tokenRevoked, by: context.user, address: context.remoteAddress, detail: "#\(id)")
    }
}

struct APITokenListResponse: Encodable, Sendable {
    let items: [APITokenResponse]
}

/// A token as listed; `token` only in the answer that created it.
struct APITokenResponse: Encodable, Sendable {
    let id: Int64
    let name: String
    let scopes: [String]
    let createdAt: Date
    let expiresAt: Date
    @Nullable var lastUsedAt: Date?
    @Nullable var revokedAt: Date?
    /// `active`, `expired` or `revoked`.
    let state: String
    var token: String?

    init(_ token: StoredAPIToken, now: Date) {
        id = token.id
        name = token.name
        scopes = token.scopes.sorted().map(\.rawValue)
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
        state = token.revokedAt != nil ? "revoked" : token.isActive(at: now) ? "active" : "expired"
    }
}
