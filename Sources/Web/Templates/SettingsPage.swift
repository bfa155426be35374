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
        /// The user's notification channels with how many messages wait for each.
        var channels: [(channel: NotificationChannel, pending: Int)] = []
        var channelsReadError: String?
        /// The second factor when it is on: since when, and how many recovery codes are left.
        var secondFactor: (since: Date?, left: Int)?
        /// An enrolment under way (the QR code to scan), or the recovery codes just made (shown once).
        var enrolment: SecondFactorService.Enrolment?
        var recoveryCodes: [String]?
        /// The user's sessions, and which one is this browser's.
        var sessions: [StoredSession] = []
        var currentSession: String?
        /// The user's API tokens, and one just created (its text, shown this once).
        var tokens: [StoredAPIToken] = []
        var newToken: String?
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
        c["notifications"] = notificationsContext(m)
        c["security"] = SecondFactorPage.context(m)
        c["tokens"] = tokensContext(m)
        c["sessions"] = m.sessions.map { session -> [String: Any] in
            [
                "id": String(session.idHash.prefix(SessionResponse.referenceLength)), "agent": session.userAgent ?? t("sessions.unknown_agent"),
                "address": session.address ?? t("sessions.unknown_address"), "seen": DisplayTime.text(session.lastSeenAt, m.timeZone),
                "current": session.idHash == m.currentSession, "csrf": m.viewer.csrfToken,
            ]
        }
        return Layout.page(
            title: t("settings.title"), active: "/settings", viewer: m.viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(m.now, m.timeZone)]),
            content: Views.render("settings", c), live: ["command"], freshnessAt: m.now
        )
    }

    /// The notifications section: each channel with its events, its last delivery and its forms.
    static func notificationsContext(_ m: Model) -> [String: Any] {
        func events(_ chosen: Set<NotificationEvent>) -> [[String: Any]] {
            NotificationEvent.allCases.map { ["name": $0.rawValue, "label": t("notify.event.\($0.rawValue)"), "checked": chosen.contains($0)] }
        }
        let channels: [[String: Any]] = m.channels.map { channel, pending in
            var c: [String: Any] = [
                "id": String(channel.id), "name": channel.name, "kind": t("notify.kind.\(channel.kind.rawValue)"), "events": events(channel.events),
                "minutes": String(channel.unreachableMinutes), "csrf": m.viewer.csrfToken, "isWebhook": channel.kind == .webhook,
                "secretLabel": t(channel.kind == .telegram ? "notify.token_replace" : "notify.secret_replace"), "hasSecret": channel.kind != .email,
            ]
            switch channel.kind {
            case .telegram:
                c["target"] = channel.isReady ? t("notify.telegram_linked", ["chat": channel.target]) : t("notify.telegram_unlinked")
                if !channel.isReady, let code = channel.linkCode { c["linkCode"] = t("notify.link_code", ["code": code]) }
            case .webhook:
                c["target"] = "\(channel.target) (\(channel.preset?.rawValue ?? "json"))"
            case .email:
                c["target"] = channel.target
            }
            if let result = channel.lastResult, let at = channel.lastResultAt {
                c["result"] = t("notify.last_result", ["result": result, "time": DisplayTime.text(at, m.timeZone)])
                c["resultClass"] = channel.lastOK == true ? "ok" : "error"
            } else {
                c["result"] = t("notify.no_result")
                c["resultClass"] = "hint"
            }
            if pending > 0 { c["pending"] = t("notify.pending", ["n": String(pending)]) }
            return c
        }
        var c: [String: Any] = ["channels": channels, "newEvents": events(NotificationEvent.defaults), "csrf": m.viewer.csrfToken]
        if let error = m.channelsReadError { c["unreadable"] = t("notify.unreadable", ["reason": error]) } else if channels.isEmpty { c["none"] = true }
        return c
    }

    static func tokensContext(_ m: SettingsPage.Model) -> [String: Any] {
        var c: [String: Any] = [
            "csrf": m.viewer.csrfToken,
            "rows": m.tokens.map { token -> [String: Any] in
                let state = token.revokedAt != nil ? "revoked" : token.isActive(at: m.now) ? "active" : "expired"
                return [
                    "id": String(token.id), "name": token.name, "scopes": APIScope.text(token.scopes),
                    "expires": DisplayTime.text(token.expiresAt, m.timeZone),
                    "used": token.lastUsedAt.map { DisplayTime.text($0, m.timeZone) } ?? t("tokens.never_used"),
                    "state": t("tokens.state_\(state)"), "active": state == "active",
                ]
            },
            "lifetimes": APITokenRequest.lifetimes.map { ["days": String($0), "text": t("tokens.days", ["n": String($0)]), "selected": $0 == 30] as [String: Any] },
            "admin": m.viewer.isAdmin,
        ]
        if m.tokens.isEmpty { c["none"] = true }
        if let text = m.newToken { c["created"] = text }
        return c
    }
}
