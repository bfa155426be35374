import Common
import Foundation
import Hummingbird

/// `/settings` and its forms: the exchange key (stored through the supervisor), a simulator
/// account in sim mode, and the password. The bot's settings form posts to `/trading/settings`.
struct SettingsPagesController {
    let accounts: AccountService
    let control: ControlClient
    let secureCookies: Bool
    let exchange: String

    var database: CentralDatabase { accounts.database }

    func register(on routes: WebRoutes) {
        routes.pages.get("/settings") { request, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            let notice = request.uri.queryParameters.get("done").flatMap { Self.notices.contains($0) ? t("notice.\($0)") : nil }
            return settings(viewer: viewer, user: user.id, notice: notice)
        }
        routes.pages.post("/settings/exchange-key") { _, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            let key = (form["api_key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let secret = (form["api_secret"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            do throws(APIError) {
                let stored = try await control.storeKey(ExchangeKeyRequest(apiKey: key, apiSecret: secret), user: user.id)
                // The permission check's warning: no IP restriction (mainnet), or not checked (testnet).
                let done = stored.warning == nil ? "key_stored" : exchange == "testnet" ? "key_stored_unchecked" : "key_stored_unrestricted"
                return Reply.redirect("/settings?done=\(done)")
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        routes.pages.post("/settings/exchange-key/delete") { _, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            do throws(APIError) {
                try await control.deleteKey(user: user.id)
                return Reply.redirect("/settings?done=key_deleted")
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        routes.pages.post("/settings/sim-account") { _, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            do throws(APIError) {
                guard exchange == "sim" else { throw APIError(.notFound, "not_found", t("key.sim_only")) }
                _ = try await control.storeKey(nil, user: user.id)
                return Reply.redirect("/settings?done=sim_account")
            } catch {
                return settings(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        registerSecondFactor(on: routes)
        routes.pages.post("/settings/password") { request, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            do throws(APIError) {
                let opened = try await accounts.changePassword(
                    user: user, current: form["current_password"] ?? "", new: form["new_password"] ?? "", remember: context.session?.persistent ?? false,
                    userAgent: request.headers[.userAgent], address: context.remoteAddress
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
    static let notices: Set<String> = [
        "key_stored", "key_deleted", "sim_account", "password_changed", "bot_settings", "channel_added", "channel_saved", "channel_test", "channel_deleted",
        "second_factor_off", "session_ended", "token_revoked", "key_stored_unchecked", "key_stored_unrestricted",
    ]

    func settings(viewer: Layout.Viewer, user: UserID, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        Self.settings(database, exchange: exchange, viewer: viewer, user: user, notice: notice, error: error, status: status)
    }

    /// `/settings`: the key, the bot's settings (the same form as on `/trading`) and the password.
    static func settings(
        _ database: CentralDatabase, exchange: String, viewer: Layout.Viewer, user: UserID, notice: String? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok, adding extra: (inout SettingsPage.Model) -> Void = { _ in }
    ) -> Response {
        var model = SettingsPage.Model(viewer: viewer, exchange: exchange, error: error, notice: notice, now: Date())
        if let factor = try? database.secondFactors.factor(for: user), factor.isEnabled {
            model.secondFactor = (factor.enabledAt, (try? database.secondFactors.recoveryLeft(for: user)) ?? 0)
        }
        model.sessions = (try? database.sessions.sessions(of: user)) ?? []
        model.currentSession = viewer.sessionHash
        model.tokens = (try? database.apiTokens.tokens(for: user)) ?? []
        extra(&model)
        do {
            model.key = try database.exchangeKeys.key(for: user)
            let stored = try database.bots.settings(for: user)
            model.timeZone = stored?.timeZone ?? .gmt
            model.botSettings = TradingPage.settingsContext(
                stored ?? .defaults, isDefault: stored == nil, command: try database.commands.latest(user: user, command: "settings_changed"),
                csrf: viewer.csrfToken, returnTo: "/settings", timeZone: model.timeZone
            )
        } catch {
            model.keyReadError = "the central database cannot be read"
        }
        do {
            model.channels = try database.notifications.channels(for: user).map { ($0, try database.notifications.pendingCount(channel: $0.id)) }
        } catch {
            model.channelsReadError = "the central database cannot be read"
        }
        return Reply.html(SettingsPage.render(model), status: status)
    }
}
