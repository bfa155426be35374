import Common
import Foundation
import Hummingbird

/// `/api/v1`: signup, login, logout, me and password (CONTRACT §6).
struct AccountAPIController {
    let accounts: AccountService
    let secureCookies: Bool

    func register(on routes: WebRoutes) {
        routes.openAPI.post("signup") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user?.id)
            let invitation = body.fields["invitation_code"] == nil ? nil : try body.string("invitation_code")
            let id = try await accounts.signUp(
                username: try body.string("username"), password: try body.string("password"), address: context.remoteAddress, invitation: invitation)
            return Reply.json(.created, SignupResponse(userId: id.rawValue))
        }
        routes.openAPI.post("login") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user?.id)
            var code: String?
            if let value = body.fields["code"], !(value is NSNull) {
                guard let text = value as? String else { throw APIError.invalid("\"code\" must be a string.") }
                code = text
            }
            let (user, opened) = try await accounts.logIn(
                username: try body.string("username"), password: try body.string("password"),
                remember: try body.bool("remember_me", default: false), address: context.remoteAddress,
                userAgent: request.headers[.userAgent], code: code
            )
            // A session the client already had ends here: one login, one new session id.
            if let old = context.session { try? accounts.sessions.close(idHash: old.idHash) }
            var response = Reply.json(.ok, LoginResponse(userId: user.id.rawValue, csrfToken: opened.csrfToken))
            response.setCookie(SessionCookie.set(opened, secure: secureCookies))
            return response
        }
        routes.api.post("logout") { _, context -> Response in
            accounts.logOut(user: context.user, session: context.session, address: context.remoteAddress)
            var response = Response(status: .noContent)
            response.setCookie(SessionCookie.clear(secure: secureCookies))
            return response
        }
        routes.api.get("me") { _, context -> Response in
            Reply.json(.ok, MeResponse(userId: context.user.id.rawValue, username: context.user.username, csrfToken: context.session?.csrfToken ?? "", isAdmin: context.user.isAdmin))
        }
        registerSecondFactor(on: routes)
        routes.api.post("password") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id)
            let opened = try await accounts.changePassword(
                user: context.user, current: try body.string("current_password"), new: try body.string("new_password"),
                remember: context.session?.persistent ?? false, userAgent: request.headers[.userAgent], address: context.remoteAddress
            )
            var response = Reply.json(.ok, PasswordChangeResponse(csrfToken: opened.csrfToken))
            response.setCookie(SessionCookie.set(opened, secure: secureCookies))
            return response
        }
    }
}
