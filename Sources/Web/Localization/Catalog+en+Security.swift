import Foundation

extension Catalog {
    static let enSecurity: [String: String] = [
        "twofa.title": "Two-factor sign-in",
        "twofa.off": "Off: signing in needs only the password. Turn it on to ask for a code from an authenticator app (TOTP) too.",
        "twofa.on": "On since {time}; {n} recovery code(s) left.",
        "twofa.enable": "Turn on two-factor sign-in",
        "twofa.disable": "Turn off two-factor sign-in",
        "twofa.scan": "Scan this code with an authenticator app (any TOTP app), then type the six digits it shows to confirm.",
        "twofa.manual": "Or type the key by hand:",
        "twofa.uri": "The enrolment link as text",
        "twofa.code": "Six-digit code (or a recovery code)",
        "twofa.confirm": "Confirm and turn on",
        "twofa.enabled": "Two-factor sign-in is on.",
        "twofa.recovery_hint": "Your recovery codes: each signs you in once without the phone. Keep them somewhere safe now — they are not shown again.",
        "twofa.login_title": "Enter your code",
        "twofa.login_hint": "The password was right. Type the six digits your authenticator app shows, or one of your recovery codes.",
        "twofa.login_submit": "Sign in",
        "twofa.login_restart": "Start again",
        "notice.second_factor_off": "Two-factor sign-in is off.",
        "sessions.title": "Signed-in browsers",
        "sessions.hint": "Every browser or client signed in to this account, the most recent first. End any you do not recognise (and change the password).",
        "sessions.agent": "Browser",
        "sessions.address": "Address at sign-in",
        "sessions.seen": "Last seen",
        "sessions.current": "this browser",
        "sessions.end": "End",
        "sessions.unknown_agent": "unknown browser",
        "sessions.unknown_address": "not recorded",
        "notice.session_ended": "The session has ended: that browser must sign in again.",
    ]
}
