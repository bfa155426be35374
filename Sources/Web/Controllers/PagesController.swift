import Common
import Foundation
import Hummingbird

/// The HTML pages of accounts and settings, and the dashboard's home. Forms post back here;
/// every form of a signed-in user carries the session's CSRF token, and the sign-up and login
/// forms carry a pre-session token matched against a cookie.
struct PagesController {
    let accounts: AccountService
    let control: ControlClient
    let secureCookies: Bool
    let exchange: String
    let formats: SymbolFormatBook
    /// The overview's realised PnL, kept between views until a new fill.
    let realisedPnL = RealisedPnLBook()

    var database: CentralDatabase { accounts.database }

    func register(on router: Router<WebContext>) {
        router.get("/login") { request, context -> Response in
            if context.user != nil { return Reply.redirect("/") }
            let next = Self.safeNext(request.uri.queryParameters.get("next"))
            return formPage(request) { AccountPages.login(formToken: $0, next: next) }
        }
        router.post("/login") { request, context -> Response in
            let form = await FormBody.read(request)
            guard Self.formTokenMatches(request, form) else { return Reply.html(AccountPages.formExpired(viewer: nil), status: .forbidden) }
            let username = form["username"] ?? ""
            let next = Self.safeNext(form["next"])
            do throws(APIError) {
                let (_, opened) = try await accounts.logIn(
                    username: username, password: form["password"] ?? "", remember: form["remember_me"] != nil,
                    address: context.remoteAddress, userAgent: request.headers[.userAgent]
                )
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
        router.get("/signup") { request, context -> Response in
            if context.user != nil { return Reply.redirect("/") }
            return formPage(request) { AccountPages.signup(formToken: $0) }
        }
        router.post("/signup") { request, context -> Response in
            let form = await FormBody.read(request)
            guard Self.formTokenMatches(request, form) else { return Reply.html(AccountPages.formExpired(viewer: nil), status: .forbidden) }
            let username = form["username"] ?? ""
            let password = form["password"] ?? ""
            do throws(APIError) {
                _ = try await accounts.signUp(username: username, password: password)
                let (_, opened) = try await accounts.logIn(
                    username: username, password: password, remember: false, address: context.remoteAddress,
                    userAgent: request.headers[.userAgent]
                )
                var response = Reply.redirect("/settings")
                response.setCookie(SessionCookie.set(opened, secure: secureCookies))
                return response
            } catch {
                return formPage(request, status: error.status) { AccountPages.signup(formToken: $0, username: username, error: error.pageMessage) }
            }
        }
        // The language switcher in the header: remembered for the account when signed in, and in
        // a cookie for this browser either way.
        router.post("/language") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let language = form["language"].flatMap(Language.init(rawValue:)) else { return Reply.redirect(Self.safeNext(form["next"])) }
            if let session = context.session, let user = context.user {
                guard Self.csrfMatches(form, session) else { return expired(context) }
                try? database.users.setLanguage(language.rawValue, for: user.id)
            }
            var response = Reply.redirect(Self.safeNext(form["next"]))
            response.setCookie(Cookie(name: LanguageMiddleware.cookie, value: language.rawValue, maxAge: 365 * 86_400, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
            return response
        }
        router.post("/logout") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let session = context.session else { return Reply.redirect("/login") }
            guard Self.csrfMatches(form, session) else { return expired(context) }
            try? accounts.sessions.close(idHash: session.idHash)
            var response = Reply.redirect("/login")
            response.setCookie(SessionCookie.clear(secure: secureCookies))
            return response
        }

        router.get("/") { request, context -> Response in
            guard let user = context.user, let viewer = Self.viewer(context) else { return Self.toLogin(request) }
            let now = Date()
            var model = HomePage.Model(viewer: viewer, now: now)
            model.range = request.uri.queryParameters.get("range").flatMap(HomePage.EquityRange.init(rawValue:)) ?? .day
            do {
                model.data = try OverviewData.load(database, user: user.id, range: model.range, pnl: realisedPnL, now: now)
                model.formats = await formats.formats(for: HomePage.symbols(model.data))
            } catch {
                model.readError = "the central database cannot be read (\(error))"
            }
            return Reply.html(HomePage.render(model))
        }
        router.get("/status") { request, context -> Response in
            guard let viewer = Self.viewer(context) else { return Self.toLogin(request) }
            let now = Date()
            do {
                let body = StatusPage.render(
                    statuses: try database.processes.all(), info: try database.supervisorInfo.all(), exchange: exchange, viewer: viewer,
                    user: context.user?.id, now: now
                )
                return Reply.html(body)
            } catch {
                return Reply.html(StatusPage.unavailable(reason: t("error.database_unavailable"), viewer: viewer, now: now))
            }
        }

        router.get("/settings") { request, context -> Response in
            guard let viewer = Self.viewer(context), let user = context.user else { return Self.toLogin(request) }
            let notice = request.uri.queryParameters.get("done").flatMap { Self.notices.contains($0) ? t("notice.\($0)") : nil }
            return settings(viewer: viewer, user: user.id, notice: notice)
        }
        router.post("/settings/exchange-key") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let viewer = Self.viewer(context), let user = context.user, let session = context.session else { return Self.toLogin(request) }
            guard Self.csrfMatches(form, session) else { return expired(context) }
            let key = (form["api_key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let secret = (form["api_secret"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            do throws(APIError) {
                let answer = try await control.send(.PUT, "/v1/users/\(user.id.rawValue)/exchange-key", json: ["api_key": key, "api_secret": secret])
                guard answer.status == 200 else { throw ControlClient.relay(answer) }
                return Reply.redirect("/settings?done=key_stored")
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        router.post("/settings/exchange-key/delete") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let viewer = Self.viewer(context), let user = context.user, let session = context.session else { return Self.toLogin(request) }
            guard Self.csrfMatches(form, session) else { return expired(context) }
            do throws(APIError) {
                let answer = try await control.send(.DELETE, "/v1/users/\(user.id.rawValue)/exchange-key")
                guard answer.status == 204 else { throw ControlClient.relay(answer) }
                return Reply.redirect("/settings?done=key_deleted")
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        router.post("/settings/sim-account") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let viewer = Self.viewer(context), let user = context.user, let session = context.session else { return Self.toLogin(request) }
            guard Self.csrfMatches(form, session) else { return expired(context) }
            do throws(APIError) {
                guard exchange == "sim" else { throw APIError(.notFound, "not_found", t("key.sim_only")) }
                let answer = try await control.send(.POST, "/v1/users/\(user.id.rawValue)/sim-account")
                guard answer.status == 200 else { throw ControlClient.relay(answer) }
                return Reply.redirect("/settings?done=sim_account")
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        router.post("/settings/password") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let viewer = Self.viewer(context), let user = context.user, let session = context.session else { return Self.toLogin(request) }
            guard Self.csrfMatches(form, session) else { return expired(context) }
            do throws(APIError) {
                let opened = try await accounts.changePassword(
                    user: user, current: form["current_password"] ?? "", new: form["new_password"] ?? "", remember: session.persistent,
                    userAgent: request.headers[.userAgent]
                )
                var response = Reply.redirect("/settings?done=password_changed")
                response.setCookie(SessionCookie.set(opened, secure: secureCookies))
                return response
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
    }

    /// The notices a redirect after a form asks for (`?done=`), as catalog keys.
    static let notices: Set<String> = ["key_stored", "key_deleted", "sim_account", "password_changed", "bot_settings"]

    func settings(viewer: Layout.Viewer, user: UserID, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        Self.settings(database, exchange: exchange, viewer: viewer, user: user, notice: notice, error: error, status: status)
    }

    /// `/settings`: the key, the bot's settings (the same form as on `/trading`) and the password.
    static func settings(
        _ database: CentralDatabase, exchange: String, viewer: Layout.Viewer, user: UserID, notice: String? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var model = SettingsPage.Model(viewer: viewer, exchange: exchange, error: error, notice: notice, now: Date())
        do {
            model.key = try database.exchangeKeys.key(for: user)
            let stored = try database.trading.settings(for: user)
            model.timeZone = stored?.timeZone ?? .gmt
            model.botSettings = TradingPage.settingsContext(
                stored ?? .defaults, isDefault: stored == nil, command: try database.commands.latest(user: user, command: "settings_changed"),
                csrf: viewer.csrfToken, returnTo: "/settings", timeZone: model.timeZone
            )
        } catch {
            model.keyReadError = "the central database cannot be read"
        }
        return Reply.html(SettingsPage.render(model), status: status)
    }

    func expired(_ context: WebContext) -> Response {
        Reply.html(AccountPages.formExpired(viewer: Self.viewer(context)), status: .forbidden)
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

    static func csrfMatches(_ form: FormBody, _ session: Sessions.Active) -> Bool {
        guard let field = form["csrf_token"] else { return false }
        return SecureToken.constantTimeEquals(field, session.csrfToken)
    }

    static func viewer(_ context: WebContext) -> Layout.Viewer? {
        guard let user = context.user, let session = context.session else { return nil }
        return Layout.Viewer(username: user.username, csrfToken: session.csrfToken)
    }

    static func toLogin(_ request: Request) -> Response {
        let path = request.uri.path
        return Reply.redirect(path == "/" ? "/login" : "/login?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
    }

    /// Only a local path may follow a login (no open redirect).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 200 else { return "/" }
        return next
    }
}
