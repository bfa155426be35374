import Common
import Foundation

/// The sign-up and login forms. They carry a pre-session token (`form_token`), checked against
/// the `ctp_form` cookie when posted.
enum AccountPages {
    static func login(formToken: String, username: String = "", error: String? = nil, next: String = "/", notice: String? = nil) -> String {
        let esc = Layout.escape
        let content = """
            <h1>Log in</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            \(notice.map { "<p class=\"notice\">\(esc($0))</p>" } ?? "")
            <form method="post" action="/login" class="card">
            <input type="hidden" name="form_token" value="\(esc(formToken))">
            <input type="hidden" name="next" value="\(esc(next))">
            <label for="username">Username</label>
            <input type="text" id="username" name="username" value="\(esc(username))" autocomplete="username" required>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>
            <label><input type="checkbox" name="remember_me" value="1"> Keep me signed in (30 days)</label>
            <button type="submit">Log in</button>
            </form>
            <p>No account yet? <a href="/signup">Sign up</a>.</p>
            """
        return Layout.page(title: "Log in", active: "/login", viewer: nil, freshness: nil, content: content)
    }

    static func signup(formToken: String, username: String = "", error: String? = nil) -> String {
        let esc = Layout.escape
        let content = """
            <h1>Sign up</h1>
            \(error.map { "<p class=\"error\" role=\"alert\">\(esc($0))</p>" } ?? "")
            <form method="post" action="/signup" class="card">
            <input type="hidden" name="form_token" value="\(esc(formToken))">
            <label for="username">Username</label>
            <input type="text" id="username" name="username" value="\(esc(username))" autocomplete="username" required minlength="3" maxlength="32">
            <p class="hint">3 to 32 letters, digits, dots, dashes or underscores.</p>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="new-password" required minlength="\(CredentialRules.minimumPasswordLength)">
            <p class="hint">At least \(CredentialRules.minimumPasswordLength) characters, and not your username.</p>
            <button type="submit">Create the account</button>
            </form>
            <p>Already have an account? <a href="/login">Log in</a>.</p>
            """
        return Layout.page(title: "Sign up", active: "/signup", viewer: nil, freshness: nil, content: content)
    }

    static func formExpired(viewer: Layout.Viewer?) -> String {
        Layout.page(
            title: "Form expired", active: "", viewer: viewer, freshness: nil,
            content: "<h1>This form has expired</h1><p class=\"error\">The form's security token is missing or out of date. Go back, reload the page and submit it again.</p>"
        )
    }
}
