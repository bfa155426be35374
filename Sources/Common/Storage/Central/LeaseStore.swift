import Foundation

/// A user's lease as this host holds it: the epoch grows at every change of owner, and rows the
/// host writes for the user carry it (fencing).
public struct HeldLease: Sendable, Equatable {
    public let user: UserID
    public let epoch: Int64

    public init(user: UserID, epoch: Int64) {
        self.user = user
        self.epoch = epoch
    }
}

/// One row of `leases`, for the operator's view and the tests.
public struct LeaseRecord: Sendable, Equatable {
    public let user: UserID
    public let host: String?
    public let epoch: Int64
    /// Seconds until it expires by the database's clock (negative: expired); nil when unowned.
    public let expiresIn: Double?

    public init(user: UserID, host: String?, epoch: Int64, expiresIn: Double?) {
        self.user = user
        self.host = host
        self.epoch = epoch
        self.expiresIn = expiresIn
    }
}

/// What a host's heartbeat answers (``LeaseStore/heartbeat(host:capacity:ttl:)``).
public struct HostBeat: Sendable, Equatable {
    /// Hosts alive and not draining, this one included when it is not draining.
    public let liveHosts: Int
    /// This host is draining: it hands its users to the others.
    public let draining: Bool

    public init(liveHosts: Int, draining: Bool) {
        self.liveHosts = liveHosts
        self.draining = draining
    }
}

/// One row of `hosts`: a supervisor sharing the central database, for the status page.
public struct HostRecord: Sendable, Equatable {
    public let id: String
    public let capacity: Int
    public let draining: Bool
    public let startedAt: Date
    /// Seconds since its last heartbeat, by the database's clock.
    public let seenAgo: Double
    /// Users whose current (unexpired) lease it holds.
    public let users: Int

    public init(id: String, capacity: Int, draining: Bool, startedAt: Date, seenAgo: Double, users: Int) {
        self.id = id
        self.capacity = capacity
        self.draining = draining
        self.startedAt = startedAt
        self.seenAgo = seenAgo
        self.users = users
    }
}

/// Which supervisor runs which user's worker when several share the central database: a lease
/// per user (owner host, epoch, expiry set by the database's clock) and a row per host (alive
/// when seen within the lease time). Written by the supervisors only. Exists on PostgreSQL; a
/// single machine (central.sqlite) runs every worker itself and has none.
public protocol LeaseStore: Sendable {
    /// Records that `host` is alive; answers how many hosts are alive and not draining (itself
    /// included when it is not) and whether `host` is draining (`supervisor drain`).
    func heartbeat(host: String, capacity: Int, ttl: TimeInterval) throws -> HostBeat
    /// Extends `host`'s leases on `users`; returns those still its own (another may have taken
    /// an expired one).
    func renew(host: String, users: Set<UserID>, ttl: TimeInterval) throws -> [HeldLease]
    /// Takes up to `count` of `wanted`'s leases that nobody holds or whose lease expired, each
    /// with a new epoch; rows locked by another host's claim are skipped, not waited for.
    func claim(host: String, wanted: Set<UserID>, count: Int, ttl: TimeInterval) throws -> [HeldLease]
    /// Hands `users`' leases back (only those `host` holds).
    func release(host: String, users: Set<UserID>) throws
    /// Every lease.
    func leases() throws -> [LeaseRecord]
    /// `user`'s lease, if the user ever had one.
    func lease(of user: UserID) throws -> LeaseRecord?
    /// Marks `host` draining (or not): it hands its users to the others.
    func setDraining(host: String, _ draining: Bool) throws
    /// Every host that ever joined, by id.
    func hosts() throws -> [HostRecord]
}
