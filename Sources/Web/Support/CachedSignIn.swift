import Common
import Foundation

/// A session and its user as read from central.sqlite, kept by ``SignInCache`` while the file
/// is unchanged, and whether it may still be used without reading the file again.
///
/// The wall clock counts even when the file does not change: past the session's absolute end,
/// past its idle limit, or once `last_seen_at` is due to be written again
/// (`Sessions.Settings.touchEvery`), the entry is not used and `Sessions.resolve` decides
/// (deleting or touching the row) as it does without a cache.
struct CachedSignIn: Sendable, Equatable {
    let active: Sessions.Active
    let user: StoredUser

    func isUsable(at now: Date, settings: Sessions.Settings) -> Bool {
        let idle = now.timeIntervalSince(active.lastSeenAt)
        return now < active.expiresAt && idle >= 0 && idle < settings.touchEvery && idle <= settings.idleTimeout
    }
}
