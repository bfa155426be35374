import Common
import Foundation

/// The sign-up and login forms (`login.mustache`, `signup.mustache`). They carry a pre-session
/// token (`form_token`), checked against the `ctp_form` cookie when posted.
enum AccountPages {
    static func login(formToken: String, username: String = "", error: String? = nil, next: String = "/", notice: String? = nil) -> String {
        var context: [String: Any] = ["formToken": formToken, "username": username, "next": next]
        if let error { context["error"] = error }
        if let notice { context["notice"] = notice }
        return Layout.page(title: t("login.title"), active: "/login", viewer: nil, freshness: nil, content: Views.render("login", context))
    }

    /// The login's second step: the code from the authenticator app, or a recovery code.
    static func loginCode(formToken: String, next: String, error: String? = nil) -> String {
        var context: [String: Any] = ["formToken": formToken, "next": next]
        if let error { context["error"] = error }
        return Layout.page(title: t("twofa.login_title"), active: "/login", viewer: nil, freshness: nil, content: Views.render("login_code", context))
    }

    static func signup(formToken: String, mode: SignupMode = .open, username: String = "", error: String? = nil) -> String {
        let minimum = String(CredentialRules.minimumPasswordLength)
        var context: [String: Any] = [
            "formToken": formToken, "username": username, "minimum": minimum, "passwordHint": t("signup.password_hint", ["n": minimum]),
            "invite": mode == .invite, "closed": mode == .closed,
        ]
        if let error { context["error"] = error }
        return Layout.page(title: t("signup.title"), active: "/signup", viewer: nil, freshness: nil, content: Views.render("signup", context))
    }

    static func formExpired(viewer: Layout.Viewer?) -> String {
        Layout.page(title: t("expired.title"), active: "", viewer: viewer, freshness: nil, content: message(heading: t("expired.title"), error: t("expired.text")))
    }

    /// A page that is only a heading and a sentence (`message.mustache`).
    static func message(heading: String, error: String? = nil, unavailable: String? = nil, text: String? = nil, link: (href: String, label: String)? = nil) -> String {
        var context: [String: Any] = ["heading": heading]
        if let error { context["error"] = error }
        if let unavailable { context["unavailable"] = unavailable }
        if let text { context["text"] = text }
        if let link { context["link"] = ["href": link.href, "label": link.label] }
        return Views.render("message", context)
    }
}
