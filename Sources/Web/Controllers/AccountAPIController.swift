import Common
import Foundation
import Hummingbird

/// `/api/v1`: signup, login, logout, me, password, and the exchange key (CONTRACT §6).
struct AccountAPIController {
    let accounts: AccountService
    let control: ControlClient
    let secureCookies: Bool
    let exchange: String

    func register(on router: Router<WebContext>) {
        let api = router.group("/api/v1")
        api.post("signup") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user?.id)
            let id = try await accounts.signUp(username: try body.string("username"), password: try body.string("password"))
            return Reply.json(.created, ["user_id": id.rawValue])
        }
        api.post("login") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user?.id)
            let (user, opened) = try await accounts.logIn(
                username: try body.string("username"), password: try body.string("password"),
                remember: try body.bool("remember_me", default: false), address: context.remoteAddress,
                userAgent: request.headers[.userAgent]
            )
            // A session the client already had ends here: one login, one new session id.
            if let old = context.session { try? accounts.sessions.close(idHash: old.idHash) }
            var response = Reply.json(.ok, ["user_id": user.id.rawValue, "csrf_token": opened.csrfToken])
            response.setCookie(SessionCookie.set(opened, secure: secureCookies))
            return response
        }
        api.post("logout") { _, context -> Response in
            let (_, session) = try context.requireUser()
            try? accounts.sessions.close(idHash: session.idHash)
            var response = Response(status: .noContent)
            response.setCookie(SessionCookie.clear(secure: secureCookies))
            return response
        }
        api.get("me") { _, context -> Response in
            let (user, session) = try context.requireUser()
            return Reply.json(.ok, ["user_id": user.id.rawValue, "username": user.username, "csrf_token": session.csrfToken])
        }
        api.post("password") { request, context -> Response in
            let (user, session) = try context.requireUser()
            let body = try await JSONBody.read(request, user: user.id)
            let opened = try await accounts.changePassword(
                user: user, current: try body.string("current_password"), new: try body.string("new_password"),
                remember: session.persistent, userAgent: request.headers[.userAgent]
            )
            var response = Reply.json(.ok, ["csrf_token": opened.csrfToken])
            response.setCookie(SessionCookie.set(opened, secure: secureCookies))
            return response
        }

        api.get("exchange-key") { _, context -> Response in
            let (user, _) = try context.requireUser()
            guard let key = try? accounts.database.exchangeKeys.key(for: user.id) else {
                throw APIError(.notFound, "no_key", "No API key is stored for this account.")
            }
            return Reply.json(.ok, ["masked_key": key.maskedKey, "can_trade": key.canTrade, "verified_at": key.verifiedAt as Any?])
        }
        api.put("exchange-key") { request, context -> Response in
            let (user, _) = try context.requireUser()
            let body = try await JSONBody.read(request, user: user.id)
            let key = try body.string("api_key").trimmingCharacters(in: .whitespacesAndNewlines)
            let secret = try body.string("api_secret").trimmingCharacters(in: .whitespacesAndNewlines)
            return try await storeKey(user: user.id, path: "exchange-key", method: .PUT, json: ["api_key": key, "api_secret": secret])
        }
        api.delete("exchange-key") { _, context -> Response in
            let (user, _) = try context.requireUser()
            let answer = try await control.send(.DELETE, "/v1/users/\(user.id.rawValue)/exchange-key")
            guard answer.status == 204 else { throw ControlClient.relay(answer) }
            return Response(status: .noContent)
        }
        api.post("sim-account") { _, context -> Response in
            let (user, _) = try context.requireUser()
            guard exchange == "sim" else { throw APIError(.notFound, "not_found", "Simulator accounts exist only in sim mode.") }
            return try await storeKey(user: user.id, path: "sim-account", method: .POST, json: nil)
        }
    }

    func storeKey(user: UserID, path: String, method: ControlClient.Method, json: [String: Any]?) async throws -> Response {
        let answer = try await control.send(method, "/v1/users/\(user.rawValue)/\(path)", json: json)
        guard answer.status == 200 else { throw ControlClient.relay(answer) }
        return Reply.json(.ok, answer.object)
    }
}
