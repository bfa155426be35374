import Common
import Foundation

/// The sign-up and login forms. They carry a pre-session token (`form_token`), checked against
/// the `ctp_form` cookie when posted.
enum AccountPages {
    static func login(formToken: String, username: String = "", error: String? = nil, next: String = "/", notice: String? = nil) -> String {
        let esc = Layout.escape
        let content = """
            <h1>\(esc(t("login.title")))</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            \(notice.map { "<p class=\"notice\">\(esc($0))</p>" } ?? "")
            <form method="post" action="/login" class="card">
            <input type="hidden" name="form_token" value="\(esc(formToken))">
            <input type="hidden" name="next" value="\(esc(next))">
            <label for="username">\(esc(t("account.username")))</label>
            <input type="text" id="username" name="username" value="\(esc(username))" autocomplete="username" required>
            <label for="password">\(esc(t("account.password")))</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>
            <label><input type="checkbox" name="remember_me" value="1"> \(esc(t("login.remember")))</label>
            <button type="submit">\(esc(t("login.submit")))</button>
            </form>
            <p>\(esc(t("login.no_account"))) <a href="/signup">\(esc(t("nav.signup")))</a></p>
            """
        return Layout.page(title: t("login.title"), active: "/login", viewer: nil, freshness: nil, content: content)
    }

    static func signup(formToken: String, username: String = "", error: String? = nil) -> String {
        let esc = Layout.escape
        let minimum = String(CredentialRules.minimumPasswordLength)
        let content = """
            <h1>\(esc(t("signup.title")))</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            <form method="post" action="/signup" class="card">
            <input type="hidden" name="form_token" value="\(esc(formToken))">
            <label for="username">\(esc(t("account.username")))</label>
            <input type="text" id="username" name="username" value="\(esc(username))" autocomplete="username" required minlength="3" maxlength="32" aria-describedby="username-hint">
            <p class="hint" id="username-hint">\(esc(t("signup.username_hint")))</p>
            <label for="password">\(esc(t("account.password")))</label>
            <input type="password" id="password" name="password" autocomplete="new-password" required minlength="\(minimum)" aria-describedby="password-hint">
            <p class="hint" id="password-hint">\(esc(t("signup.password_hint", ["n": minimum])))</p>
            <button type="submit">\(esc(t("signup.submit")))</button>
            </form>
            <p>\(esc(t("signup.have_account"))) <a href="/login">\(esc(t("nav.login")))</a></p>
            """
        return Layout.page(title: t("signup.title"), active: "/signup", viewer: nil, freshness: nil, content: content)
    }

    static func formExpired(viewer: Layout.Viewer?) -> String {
        Layout.page(
            title: t("expired.title"), active: "", viewer: viewer, freshness: nil,
            content: "<h1>\(Layout.escape(t("expired.title")))</h1><p class=\"error\">\(Layout.escape(t("expired.text")))</p>"
        )
    }
}
