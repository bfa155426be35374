import Common
import Foundation

/// Who a session cookie names, without reading central.sqlite on every request: the session
/// row and its user are read once per generation of the file (``CentralChangeWatch``) and kept
/// while ``CachedSignIn/isUsable(at:settings:)`` says the clock allows. A logout or a password
/// change made by this process invalidates the watch at once (see `SessionMiddleware`); one
/// made by another process is seen at the next poll of the file (50 ms).
struct SignInCache: Sendable {
    let sessions: Sessions
    let users: any UserStore
    let watch: CentralChangeWatch
    /// Keyed by the cookie's value (kept in this process's memory only, as the request had it).
    let cache = GenerationCache<String, CachedSignIn>(capacity: 10_000)

    /// The valid session `id` names and its user, or nil (unknown, expired, or the user is gone).
    func resolve(_ id: String, now: Date = Date()) throws -> (session: Sessions.Active, user: StoredUser)? {
        let generation = watch.generation()
        if let cached = cache.cached(id, at: generation), cached.isUsable(at: now, settings: sessions.settings) {
            return (cached.active, cached.user)
        }
        // As without a cache: `resolve` deletes an expired row and touches a due one.
        // A disabled account's sessions end (the admin's action deletes them too; this covers a race).
        guard let active = try sessions.resolve(id), let user = try users.user(active.userID), !user.isDisabled else { return nil }
        // Stamped with the generation from before the reads: a change made meanwhile drops it.
        cache.store(CachedSignIn(active: active, user: user), for: id, at: generation)
        return (active, user)
    }
}
