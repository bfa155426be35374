import Common
import Foundation

/// `/settings` (`settings.mustache`): the exchange API key (masked, when it was verified,
/// replace, delete; in sim mode a simulator account in one click), the bot's settings and the
/// password.
enum SettingsPage {
    struct Model {
        var viewer: Layout.Viewer
        var key: StoredExchangeKey?
        /// nil when the database could not be read: the key's state is then unknown.
        var keyReadError: String?
        var exchange: String
        var error: String?
        var notice: String?
        /// The bot settings form's context, as on `/trading`.
        var botSettings: [String: Any]?
        var timeZone = TimeZone.gmt
        var now: Date
    }

    static func render(_ m: Model) -> String {
        let minimum = String(CredentialRules.minimumPasswordLength)
        var c: [String: Any] = [
            "csrf": m.viewer.csrfToken, "sim": m.exchange == "sim", "keyFormTitle": t(m.key == nil ? "key.add" : "key.replace"), "minimum": minimum,
            "passwordHint": t("password.hint", ["n": minimum]),
        ]
        if let error = m.error { c["error"] = error }
        if let notice = m.notice { c["notice"] = notice }
        if let reason = m.keyReadError {
            c["keyUnreadable"] = t("key.unreadable", ["reason": reason])
        } else if let key = m.key {
            c["key"] = [
                "masked": key.maskedKey, "trade": t(key.canTrade ? "key.can_trade" : "key.cannot_trade"),
                "verified": key.verifiedAt.map { t("key.verified_at", ["time": DisplayTime.text($0, m.timeZone)]) } ?? t("key.never_verified"),
            ]
        } else {
            c["noKey"] = true
        }
        if let settings = m.botSettings { c["settings"] = settings }
        return Layout.page(
            title: t("settings.title"), active: "/settings", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)]),
            content: Views.render("settings", c), live: ["command"], freshnessAt: m.now
        )
    }
}
