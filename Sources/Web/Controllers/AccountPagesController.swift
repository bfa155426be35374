import Common
import Foundation
import Hummingbird

/// The sign-up and login pages, the language switcher and signing out. The sign-up and login
/// forms carry a pre-session token matched against a cookie (there is no session yet); the
/// language and logout forms carry the session's token when there is one.
struct AccountPagesController {
    let accounts: AccountService
    let secureCookies: Bool

    var database: CentralDatabase { accounts.database }

    /// What the sign-up page asks for: an invitation code, or nothing (closed). The first
    /// account of an installation always gets the open form.
    func signupMode() -> SignupMode {
        guard let mode = try? database.platform.signupMode(), (try? database.users.allUsers().isEmpty) == false else { return .open }
        return mode
    }

    func register(on routes: WebRoutes) {
        routes.router.get("/login") { request, context -> Response in
            if context.user != nil { return Reply.redirect("/") }
            let next = Self.safeNext(request.uri.queryParameters.get("next"))
            return formPage(request) { AccountPages.login(formToken: $0, next: next) }
        }
        routes.router.post("/login") { request, context -> Response in
            let form = await FormBody.read(request)
            guard Self.formTokenMatches(request, form) else { return Reply.html(AccountPages.formExpired(viewer: nil), status: .forbidden) }
            let username = form["username"] ?? ""
            let next = Self.safeNext(form["next"])
            do throws(APIError) {
                let outcome = try await accounts.begin(
                    username: username, password: form["password"] ?? "", remember: form["remember_me"] != nil,
                    address: context.remoteAddress, userAgent: request.headers[.userAgent], code: nil, challenge: true
                )
                guard case .signedIn(_, let opened) = outcome else {
                    guard case .needsCode(_, let challenge) = outcome else { throw APIError.notFound() }
                    var response = formPage(request) { AccountPages.loginCode(formToken: $0, next: next) }
                    response.setCookie(SessionCookie.challenge(challenge, secure: secureCookies))
                    return response
                }
                if let old = context.session { try? accounts.sessions.close(idHash: old.idHash) }
                var response = Reply.redirect(next)
                response.setCookie(SessionCookie.set(opened, secure: secureCookies))
                return response
            } catch {
                var response = formPage(request, status: error.status) {
                    AccountPages.login(formToken: $0, username: username, error: error.pageMessage, next: next)
                }
                for field in error.headers { response.headers.append(field) }
                return response
            }
        }
        routes.router.post("/login/code") { request, context -> Response in
            let form = await FormBody.read(request)
            guard Self.formTokenMatches(request, form) else { return Reply.html(AccountPages.formExpired(viewer: nil), status: .forbidden) }
            let next = Self.safeNext(form["next"])
            do throws(APIError) {
                guard let challenge = request.cookies[SessionCookie.challengeName]?.value, !challenge.isEmpty else {
                    throw APIError(.unauthorized, "login_expired", "The sign-in took too long; enter the password again.")
                }
                let (_, opened, _) = try await accounts.finish(
                    challenge: challenge, code: form["code"] ?? "", address: context.remoteAddress, userAgent: request.headers[.userAgent])
                if let old = context.session { try? accounts.sessions.close(idHash: old.idHash) }
                var response = Reply.redirect(next)
                response.setCookie(SessionCookie.set(opened, secure: secureCookies))
                response.setCookie(SessionCookie.clearChallenge(secure: secureCookies))
                return response
            } catch {
                if error.code == "login_expired" {
                    var response = formPage(request, status: error.status) { AccountPages.login(formToken: $0, error: error.pageMessage, next: next) }
                    response.setCookie(SessionCookie.clearChallenge(secure: secureCookies))
                    return response
                }
                var response = formPage(request, status: error.status) { AccountPages.loginCode(formToken: $0, next: next, error: error.pageMessage) }
                for field in error.headers { response.headers.append(field) }
                return response
            }
        }
        routes.router.get("/signup") { request, context -> Response in
            if context.user != nil { return Reply.redirect("/") }
            let mode = signupMode()
            return formPage(request) { AccountPages.signup(formToken: $0, mode: mode) }
        }
        routes.router.post("/signup") { request, context -> Response in
            let form = await FormBody.read(request)
            guard Self.formTokenMatches(request, form) else { return Reply.html(AccountPages.formExpired(viewer: nil), status: .forbidden) }
            let username = form["username"] ?? ""
            let password = form["password"] ?? ""
            do throws(APIError) {
                _ = try await accounts.signUp(username: username, password: password, address: context.remoteAddress, invitation: form["invitation_code"])
                let (_, opened) = try await accounts.logIn(
                    username: username, password: password, remember: false, address: context.remoteAddress,
                    userAgent: request.headers[.userAgent]
                )
                var response = Reply.redirect("/settings")
                response.setCookie(SessionCookie.set(opened, secure: secureCookies))
                return response
            } catch {
                let mode = signupMode()
                return formPage(request, status: error.status) { AccountPages.signup(formToken: $0, mode: mode, username: username, error: error.pageMessage) }
            }
        }
        // The language switcher in the header: remembered for the account when signed in, and in
        // a cookie for this browser either way.
        routes.router.post("/language") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let language = form["language"].flatMap(Language.init(rawValue:)) else { return Reply.redirect(Self.safeNext(form["next"])) }
            if let session = context.session, let user = context.user {
                guard form.csrfMatches(session) else { return expired(context) }
                try? database.users.setLanguage(language.rawValue, for: user.id)
            }
            var response = Reply.redirect(Self.safeNext(form["next"]))
            response.setCookie(
                Cookie(
                    name: LanguageMiddleware.cookie, value: language.rawValue, maxAge: 365 * 86_400, path: "/", secure: secureCookies, httpOnly: true,
                    sameSite: .lax))
            return response
        }
        routes.router.post("/logout") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let session = context.session else { return Reply.redirect("/login") }
            guard form.csrfMatches(session) else { return expired(context) }
            if let user = context.user {
                accounts.logOut(user: user, session: session, address: context.remoteAddress)
            } else {
                try? accounts.sessions.close(idHash: session.idHash)
            }
            var response = Reply.redirect("/login")
            response.setCookie(SessionCookie.clear(secure: secureCookies))
            return response
        }
    }

    func expired(_ context: WebContext) -> Response {
        Reply.html(AccountPages.formExpired(viewer: context.viewer), status: .forbidden)
    }

    /// A sign-up or login form with its pre-session token (kept from the cookie when present).
    func formPage(_ request: Request, status: HTTPResponse.Status = .ok, _ render: (String) -> String) -> Response {
        let existing = request.cookies[SessionCookie.formName]?.value
        let token = existing.flatMap { $0.utf8.count == 43 ? $0 : nil } ?? SecureToken.random()
        var response = Reply.html(render(token), status: status)
        if existing != token { response.setCookie(SessionCookie.form(token, secure: secureCookies)) }
        return response
    }

    static func formTokenMatches(_ request: Request, _ form: FormBody) -> Bool {
        guard let cookie = request.cookies[SessionCookie.formName]?.value, let field = form["form_token"], !cookie.isEmpty else { return false }
        return SecureToken.constantTimeEquals(cookie, field)
    }

    /// Only a local path may follow a login (no open redirect).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 200 else { return "/" }
        return next
    }
}
