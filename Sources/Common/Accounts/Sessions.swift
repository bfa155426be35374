import Foundation

/// Server-side sessions: opened at login with a fresh random id (no fixation), ended at logout
/// or a password change, and expired when idle too long or past their absolute end.
public struct Sessions: Sendable {
    public struct Settings: Sendable {
        /// A session unused for this long is over (default 12 h).
        public var idleTimeout: TimeInterval = 12 * 3600
        /// The absolute end of a "keep me signed in" session (30 days).
        public var rememberFor: TimeInterval = 30 * 86_400
        /// The absolute end of a browser-session one: the cookie dies with the browser, and the
        /// server ends it after this at the latest.
        public var browserSessionMax: TimeInterval = 30 * 86_400
        /// `last_seen_at` is written at most this often per session.
        public var touchEvery: TimeInterval = 60
        public init() {}
    }

    /// A session that is valid now.
    public struct Active: Sendable, Equatable {
        public let idHash: String
        public let userID: UserID
        public let csrfToken: String
        public let persistent: Bool
        /// The session's absolute end, and when it was last seen (now, when this read touched it).
        public let expiresAt: Date
        public let lastSeenAt: Date
    }

    /// A session just opened: the id goes into the cookie, and exists nowhere else.
    public struct Opened: Sendable {
        public let id: String
        public let csrfToken: String
        public let persistent: Bool
        /// When the cookie should expire (nil: a browser-session cookie).
        public let cookieExpires: Date?
    }

    public let store: any SessionStore
    public let settings: Settings
    let clock: @Sendable () -> Date

    public init(store: any SessionStore, settings: Settings = Settings(), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    public func open(user: UserID, remember: Bool, userAgent: String?, address: String? = nil) throws -> Opened {
        let now = clock()
        let id = SecureToken.random()
        let csrf = SecureToken.random()
        let end = now.addingTimeInterval(remember ? settings.rememberFor : settings.browserSessionMax)
        try store.insert(
            StoredSession(
                idHash: SecureToken.storedForm(id), userID: user, csrfToken: csrf, persistent: remember, createdAt: now, lastSeenAt: now,
                expiresAt: end, userAgent: userAgent, address: address
            )
        )
        return Opened(id: id, csrfToken: csrf, persistent: remember, cookieExpires: remember ? end : nil)
    }

    /// The session a cookie names, if it is still valid; an expired one is deleted.
    /// `true` while the session is valid; unlike `resolve` it does not count as activity (a
    /// live-updates stream left open does not keep a session from its idle expiry).
    public func isAlive(idHash: String) throws -> Bool {
        guard let stored = try store.session(idHash: idHash) else { return false }
        let now = clock()
        return stored.expiresAt > now && now.timeIntervalSince(stored.lastSeenAt) <= settings.idleTimeout
    }

    public func resolve(_ id: String) throws -> Active? {
        guard id.utf8.count == 43 else { return nil }
        let hash = SecureToken.storedForm(id)
        guard let stored = try store.session(idHash: hash) else { return nil }
        let now = clock()
        if stored.expiresAt <= now || now.timeIntervalSince(stored.lastSeenAt) > settings.idleTimeout {
            try store.delete(idHash: hash)
            return nil
        }
        var lastSeen = stored.lastSeenAt
        if now.timeIntervalSince(stored.lastSeenAt) >= settings.touchEvery {
            try store.touch(idHash: hash, at: now)
            lastSeen = now
        }
        return Active(
            idHash: hash, userID: stored.userID, csrfToken: stored.csrfToken, persistent: stored.persistent, expiresAt: stored.expiresAt,
            lastSeenAt: lastSeen)
    }

    public func close(idHash: String) throws {
        try store.delete(idHash: idHash)
    }

    /// Ends every session of the user (a password change).
    public func closeAll(of user: UserID) throws {
        try store.deleteAll(of: user)
    }

    @discardableResult
    public func purgeExpired() throws -> Int {
        let now = clock()
        return try store.deleteExpired(now: now, idleBefore: now.addingTimeInterval(-settings.idleTimeout))
    }
}
