import Foundation

/// What one host does with the leases of the users' workers at each renewal, when several
/// supervisors share the central database (PostgreSQL).
///
/// Every host sees the same users wanting a worker (a stored key, or a paper bot to run) and
/// how many hosts are alive, so each can compute its fair share alone: the users divided by the
/// live hosts, rounded up, and never past its own capacity. A host claims unowned or expired
/// leases up to that share; one over it hands back one lease per renewal (the highest user id:
/// deterministic, and slow enough that users move one by one when a host joins rather than all
/// at once); a lease of a user who no longer wants a worker is handed back; a draining host
/// hands back everything and claims nothing.
///
/// Claims also wait for the host's workers that are still starting: at most `startLimit` at once
/// (a new worker reads its user's history and the exchange before its first heartbeat). A host
/// that claimed a hundred users in one pass would start a hundred processes at once, starve its
/// own renewals on a small machine, lose the leases, and the next host would do the same.
public struct LeasePlan: Sendable, Equatable {
    /// How many unowned or expired leases to try to claim.
    public var claim: Int
    /// Held leases to hand back, once their workers have stopped.
    public var release: Set<UserID>

    public init(claim: Int, release: Set<UserID>) {
        self.claim = claim
        self.release = release
    }

    /// The fair share of each of `liveHosts` hosts among `users` users.
    public static func share(users: Int, liveHosts: Int) -> Int {
        let hosts = max(liveHosts, 1)
        return (users + hosts - 1) / hosts
    }

    /// `starting`: this host's workers claimed or started that have not yet sent a heartbeat.
    public static func plan(
        held: Set<UserID>, wanted: Set<UserID>, liveHosts: Int, capacity: Int, draining: Bool, starting: Int = 0, startLimit: Int = .max
    ) -> LeasePlan {
        if draining { return LeasePlan(claim: 0, release: held) }
        var release = held.subtracting(wanted)
        let kept = held.intersection(wanted)
        let target = min(max(capacity, 0), share(users: wanted.count, liveHosts: liveHosts))
        if kept.count > target, liveHosts > 1, let highest = kept.max() {
            release.insert(highest)
        }
        let room = max(0, startLimit - max(starting, 0))
        return LeasePlan(claim: min(max(0, target - kept.count), room), release: release)
    }
}
