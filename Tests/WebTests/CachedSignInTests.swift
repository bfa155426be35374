import Foundation
import Synchronization
import Testing

@testable import Common
@testable import Web

/// A cached session is used only while the wall clock allows: never past its absolute end or
/// its idle limit, and not once its `last_seen_at` is due to be written again.
@Suite struct CachedSignInTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func entry(lastSeen: Date = start, expires: Date = start.addingTimeInterval(3600)) -> CachedSignIn {
        CachedSignIn(
            active: Sessions.Active(
                idHash: "h", userID: UserID(rawValue: 1), csrfToken: "c", persistent: false, expiresAt: expires, lastSeenAt: lastSeen),
            user: StoredUser(id: UserID(rawValue: 1), username: "ana", createdAt: start)
        )
    }

    @Test func usableWhileFreshAndUnexpired() {
        var settings = Sessions.Settings()
        settings.touchEvery = 60
        #expect(Self.entry().isUsable(at: Self.start.addingTimeInterval(59), settings: settings))
        #expect(!Self.entry().isUsable(at: Self.start.addingTimeInterval(60), settings: settings))
    }

    @Test func neverPastTheAbsoluteEnd() {
        let settings = Sessions.Settings()
        let entry = Self.entry(expires: Self.start.addingTimeInterval(10))
        #expect(entry.isUsable(at: Self.start.addingTimeInterval(9), settings: settings))
        #expect(!entry.isUsable(at: Self.start.addingTimeInterval(10), settings: settings))
    }

    @Test func neverPastTheIdleLimit() {
        var settings = Sessions.Settings()
        settings.touchEvery = 3600
        settings.idleTimeout = 30
        #expect(Self.entry().isUsable(at: Self.start.addingTimeInterval(30), settings: settings))
        #expect(!Self.entry().isUsable(at: Self.start.addingTimeInterval(31), settings: settings))
    }

    @Test func notWhenTheClockIsBeforeTheLastSighting() {
        #expect(!Self.entry().isUsable(at: Self.start.addingTimeInterval(-1), settings: Sessions.Settings()))
    }
}

/// The sign-in cache over a real central.sqlite: a session ended by another connection is
/// refused from the watch's next poll on, and an ended one is never resurrected.
@Suite struct SignInCacheTests {
    @Test func aSessionEndedElsewhereIsRefusedAfterTheNextPoll() throws {
        let root = FileManager.default.temporaryDirectory.path + "/ctp-signin-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = DataDirectory(root: root + "/data")
        try directory.prepare()
        let database = try CentralDatabase.migrate(directory)
        let user = try database.users.createUser(username: "ana", passwordHash: "x", at: Date())
        let sessions = Sessions(store: database.sessions)
        let opened = try sessions.open(user: user, remember: false, userAgent: nil)
        let now = Mutex(1000.0)
        let watch = CentralChangeWatch(probe: try SQLiteDataVersionProbe(path: directory.centralDatabase), interval: 0.05, clock: { now.withLock { $0 } })
        let cache = SignInCache(sessions: sessions, users: database.users, watch: watch)

        #expect(try cache.resolve(opened.id)?.user.username == "ana")
        #expect(cache.cache.count == 1)
        // Another process deletes the row (a second store on the file stands for it).
        let other = try CentralDatabase.open(directory)
        try other.sessions.delete(idHash: SecureToken.storedForm(opened.id))
        // Within the interval the cached session still answers (the bound the design accepts)…
        now.withLock { $0 += 0.01 }
        #expect(try cache.resolve(opened.id) != nil)
        // …and from the next poll on it is refused.
        now.withLock { $0 += 1 }
        #expect(try cache.resolve(opened.id) == nil)
        #expect(try cache.resolve("not a session id") == nil)
    }

    @Test func thisProcessesLogoutIsSeenAtOnce() throws {
        let root = FileManager.default.temporaryDirectory.path + "/ctp-signin-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = DataDirectory(root: root + "/data")
        try directory.prepare()
        let database = try CentralDatabase.migrate(directory)
        let user = try database.users.createUser(username: "bo", passwordHash: "x", at: Date())
        let sessions = Sessions(store: database.sessions)
        let opened = try sessions.open(user: user, remember: false, userAgent: nil)
        let watch = CentralChangeWatch(probe: try SQLiteDataVersionProbe(path: directory.centralDatabase), interval: 3600, clock: { 0 })
        let cache = SignInCache(sessions: sessions, users: database.users, watch: watch)
        let (active, _) = try #require(try cache.resolve(opened.id))
        try sessions.close(idHash: active.idHash)
        // Without the invalidation the hour-long interval would keep serving it: the cache is in use.
        #expect(try cache.resolve(opened.id) != nil)
        watch.invalidate()
        #expect(try cache.resolve(opened.id) == nil)
    }
}
