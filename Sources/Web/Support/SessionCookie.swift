import Common
import Foundation
import Hummingbird

/// The session cookie: HttpOnly, SameSite=Lax, `Secure` when the site is served over TLS;
/// persistent only for "keep me signed in".
enum SessionCookie {
    static let name = "ctp_session"
    /// The pre-session token of the sign-up and login forms (double-submit).
    static let formName = "ctp_form"

    static func set(_ opened: Sessions.Opened, secure: Bool) -> Cookie {
        Cookie(
            name: name, value: opened.id, expires: opened.cookieExpires,
            maxAge: opened.cookieExpires.map { Int($0.timeIntervalSinceNow.rounded(.down)) }, path: "/", secure: secure, httpOnly: true,
            sameSite: .lax
        )
    }

    static func clear(secure: Bool) -> Cookie {
        Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func form(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: formName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// A login waiting for its second factor (five minutes; only `/login` sees it).
    static let challengeName = "ctp_login_challenge"

    static func challenge(_ id: String, secure: Bool) -> Cookie {
        Cookie(name: challengeName, value: id, maxAge: Int(LoginChallenge.lifetime), path: "/login", secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func clearChallenge(secure: Bool) -> Cookie {
        Cookie(name: challengeName, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/login", secure: secure, httpOnly: true, sameSite: .strict)
    }
}
