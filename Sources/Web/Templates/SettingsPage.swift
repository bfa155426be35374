import Common
import Foundation

/// `/settings`: the exchange API key (masked, when it was verified, replace, delete; in sim mode
/// a simulator account in one click), the bot's settings and the password.
enum SettingsPage {
    struct Model {
        var viewer: Layout.Viewer
        var key: StoredExchangeKey?
        /// nil when the database could not be read: the key's state is then unknown.
        var keyReadError: String?
        var exchange: String
        var error: String?
        var notice: String?
        /// The bot settings form, as on `/trading`.
        var botSettings: String?
        var timeZone = TimeZone.gmt
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        let csrf = "<input type=\"hidden\" name=\"csrf_token\" value=\"\(esc(m.viewer.csrfToken))\">"
        var keySection = "<section class=\"card\" id=\"exchange-key\"><h2>\(esc(t("key.title")))</h2>"
        if let reason = m.keyReadError {
            keySection += "<p class=\"unavailable\">\(esc(t("key.unreadable", ["reason": reason])))</p>"
        } else if let key = m.key {
            let verified = key.verifiedAt.map { t("key.verified_at", ["time": DisplayTime.text($0, m.timeZone)]) } ?? t("key.never_verified")
            keySection += """
                <p>\(esc(t("key.label"))) <code id="masked-key">\(esc(key.maskedKey))</code>, \(esc(t(key.canTrade ? "key.can_trade" : "key.cannot_trade"))), \(esc(verified))</p>
                <form method="post" action="/settings/exchange-key/delete">\(csrf)
                <button type="submit" data-confirm="\(esc(t("key.delete_confirm")))">\(esc(t("key.delete")))</button></form>
                """
        } else {
            keySection += "<p id=\"no-key\">\(esc(t("key.none")))</p>"
        }
        keySection += """
            <form method="post" action="/settings/exchange-key" class="card">\(csrf)
            <h3>\(esc(t(m.key == nil ? "key.add" : "key.replace")))</h3>
            <p class="hint">\(esc(t("key.hint")))</p>
            <label for="api_key">\(esc(t("key.api_key")))</label>
            <input type="text" id="api_key" name="api_key" autocomplete="off" spellcheck="false" required>
            <label for="api_secret">\(esc(t("key.secret")))</label>
            <input type="password" id="api_secret" name="api_secret" autocomplete="off" required>
            <button type="submit">\(esc(t("key.store")))</button>
            </form>
            """
        if m.exchange == "sim" {
            keySection += """
                <form method="post" action="/settings/sim-account">\(csrf)
                <p class="hint">\(esc(t("key.sim_hint")))</p>
                <button type="submit">\(esc(t("key.sim_create")))</button></form>
                """
        }
        keySection += "</section>"
        let passwordSection = """
            <form method="post" action="/settings/password" class="card" id="password">\(csrf)
            <h2>\(esc(t("password.title")))</h2>
            <label for="current_password">\(esc(t("password.current")))</label>
            <input type="password" id="current_password" name="current_password" autocomplete="current-password" required>
            <label for="new_password">\(esc(t("password.new")))</label>
            <input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="\(CredentialRules.minimumPasswordLength)" aria-describedby="new-password-hint">
            <p class="hint" id="new-password-hint">\(esc(t("password.hint", ["n": String(CredentialRules.minimumPasswordLength)])))</p>
            <button type="submit">\(esc(t("password.submit")))</button>
            </form>
            """
        let content = """
            <h1>\(esc(t("settings.title")))</h1>
            \(m.error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            \(m.notice.map { "<p class=\"notice\" role=\"status\">\(esc($0))</p>" } ?? "")
            \(keySection)
            \(m.botSettings ?? "")
            \(passwordSection)
            """
        return Layout.page(
            title: t("settings.title"), active: "/settings", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)]),
            content: content, live: ["command"], freshnessAt: m.now
        )
    }
}
