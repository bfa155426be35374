import Common
import Foundation

/// `/settings`: the exchange API key (masked, when it was verified, replace, delete; in sim mode
/// a simulator account in one click) and the password.
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
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let esc = Layout.escape
        let csrf = "<input type=\"hidden\" name=\"csrf_token\" value=\"\(esc(m.viewer.csrfToken))\">"
        var keySection = "<section class=\"card\" id=\"exchange-key\"><h2>Exchange API key</h2>"
        if let reason = m.keyReadError {
            keySection += "<p class=\"unavailable\">The stored key cannot be shown: \(esc(reason)).</p>"
        } else if let key = m.key {
            keySection += """
                <p>Key <code id="masked-key">\(esc(key.maskedKey))</code>, \(key.canTrade ? "allowed to trade" : "not allowed to trade"),
                verified with the exchange \(key.verifiedAt.map { "at <time>\(esc(Timestamp.string($0)))</time>" } ?? "never").</p>
                <form method="post" action="/settings/exchange-key/delete">\(csrf)
                <button type="submit">Delete the key and stop the bot</button></form>
                """
        } else {
            keySection += "<p id=\"no-key\">No API key is stored, so no bot runs for this account.</p>"
        }
        keySection += """
            <form method="post" action="/settings/exchange-key" class="card">\(csrf)
            <h3>\(m.key == nil ? "Add" : "Replace") the key</h3>
            <p class="hint">It is checked with the exchange before it is stored, encrypted; the secret is never shown again.</p>
            <label for="api_key">API key</label>
            <input type="text" id="api_key" name="api_key" autocomplete="off" spellcheck="false" required>
            <label for="api_secret">Secret</label>
            <input type="password" id="api_secret" name="api_secret" autocomplete="off" required>
            <button type="submit">Check and store</button>
            </form>
            """
        if m.exchange == "sim" {
            keySection += """
                <form method="post" action="/settings/sim-account">\(csrf)
                <p class="hint">Sim mode: open an account on the embedded simulator, with its starting balances, and use its key.</p>
                <button type="submit">Create a simulator account and use its key</button></form>
                """
        }
        keySection += "</section>"
        let passwordSection = """
            <form method="post" action="/settings/password" class="card" id="password">\(csrf)
            <h2>Password</h2>
            <label for="current_password">Current password</label>
            <input type="password" id="current_password" name="current_password" autocomplete="current-password" required>
            <label for="new_password">New password</label>
            <input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="\(CredentialRules.minimumPasswordLength)">
            <p class="hint">Changing it signs out every other browser.</p>
            <button type="submit">Change the password</button>
            </form>
            """
        let content = """
            <h1>Settings</h1>
            \(m.error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            \(m.notice.map { "<p class=\"notice\" role=\"status\">\(esc($0))</p>" } ?? "")
            \(keySection)
            \(m.botSettings ?? "")
            \(passwordSection)
            """
        return Layout.page(
            title: "Settings", active: "/settings", viewer: m.viewer, freshness: "Read from central.sqlite at \(Timestamp.string(m.now))",
            content: content, live: ["command"], freshnessAt: m.now
        )
    }
}
