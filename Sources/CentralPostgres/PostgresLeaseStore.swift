import Common
import Foundation
import PostgresNIO

/// The `LeaseStore` on PostgreSQL. Every expiry is the database's clock (`now()`) plus the lease
/// time, so hosts whose clocks differ agree on when a lease has lapsed.
public struct PostgresLeaseStore: LeaseStore {
    let db: any PostgresExecutor
    public init(_ db: any PostgresExecutor) { self.db = db }

    static func interval(_ ttl: TimeInterval) -> Double { max(ttl, 0.001) }

    public func heartbeat(host: String, capacity: Int, ttl: TimeInterval) throws -> HostBeat {
        let seconds = Self.interval(ttl)
        let rows = try db.query(
            """
            INSERT INTO hosts (host_id, capacity, draining, seen_at, started_at) VALUES (\(host), \(Int32(clamping: capacity)), false, now(), now())
            ON CONFLICT (host_id) DO UPDATE SET capacity = excluded.capacity, seen_at = now()
            RETURNING draining,
                (SELECT count(*) FROM hosts WHERE NOT draining AND host_id <> \(host) AND seen_at > now() - make_interval(secs => \(seconds)))
            """
        )
        guard let row = rows.first else { return HostBeat(liveHosts: 0, draining: false) }
        let (draining, others) = try row.decode((Bool, Int64).self)
        return HostBeat(liveHosts: Int(others) + (draining ? 0 : 1), draining: draining)
    }

    public func renew(host: String, users: Set<UserID>, ttl: TimeInterval) throws -> [HeldLease] {
        guard !users.isEmpty else { return [] }
        let ids = users.map(\.rawValue)
        let rows = try db.query(
            """
            UPDATE leases SET expires_at = now() + make_interval(secs => \(Self.interval(ttl)))
            WHERE user_id = ANY(\(ids)) AND host_id = \(host) AND expires_at > now()
            RETURNING user_id, epoch
            """
        )
        return try rows.map(Self.held)
    }

    public func claim(host: String, wanted: Set<UserID>, count: Int, ttl: TimeInterval) throws -> [HeldLease] {
        guard count > 0, !wanted.isEmpty else { return [] }
        let ids = wanted.map(\.rawValue)
        // A lease row exists for every user who wants a worker (a new user's first claim).
        try db.execute("INSERT INTO leases (user_id) SELECT unnest(\(ids)::bigint[]) ON CONFLICT (user_id) DO NOTHING")
        let rows = try db.query(
            """
            WITH free AS (
                SELECT user_id FROM leases
                WHERE user_id = ANY(\(ids)) AND (host_id IS NULL OR expires_at IS NULL OR expires_at <= now())
                ORDER BY user_id LIMIT \(Int64(count)) FOR UPDATE SKIP LOCKED
            )
            UPDATE leases SET host_id = \(host), epoch = leases.epoch + 1, expires_at = now() + make_interval(secs => \(Self.interval(ttl)))
            FROM free WHERE leases.user_id = free.user_id
            RETURNING leases.user_id, leases.epoch
            """
        )
        return try rows.map(Self.held)
    }

    public func release(host: String, users: Set<UserID>) throws {
        guard !users.isEmpty else { return }
        let ids = users.map(\.rawValue)
        try db.execute("UPDATE leases SET host_id = NULL, expires_at = NULL WHERE user_id = ANY(\(ids)) AND host_id = \(host)")
    }

    public func leases() throws -> [LeaseRecord] {
        try db.query("SELECT user_id, host_id, epoch, extract(epoch FROM expires_at - now())::float8 FROM leases ORDER BY user_id").map(Self.record)
    }

    public func lease(of user: UserID) throws -> LeaseRecord? {
        try db.query("SELECT user_id, host_id, epoch, extract(epoch FROM expires_at - now())::float8 FROM leases WHERE user_id = \(user.rawValue)")
            .first.map(Self.record)
    }

    public func hosts() throws -> [HostRecord] {
        try db.query(
            """
            SELECT h.host_id, h.capacity, h.draining, h.started_at, extract(epoch FROM now() - h.seen_at)::float8,
                (SELECT count(*) FROM leases l WHERE l.host_id = h.host_id AND l.expires_at > now())
            FROM hosts h ORDER BY h.host_id
            """
        ).map { row in
            let (id, capacity, draining, started, seenAgo, users) = try row.decode((String, Int32, Bool, Date, Double, Int64).self)
            return HostRecord(
                id: id, capacity: Int(capacity), draining: draining, startedAt: PostgresValues.readTime(started), seenAgo: seenAgo, users: Int(users)
            )
        }
    }

    public func setDraining(host: String, _ draining: Bool) throws {
        try db.execute(
            """
            INSERT INTO hosts (host_id, capacity, draining, seen_at, started_at) VALUES (\(host), 0, \(draining), now(), now())
            ON CONFLICT (host_id) DO UPDATE SET draining = excluded.draining
            """
        )
    }

    static func record(_ row: PostgresRow) throws -> LeaseRecord {
        let (user, host, epoch, expiresIn) = try row.decode((Int64, String?, Int64, Double?).self)
        return LeaseRecord(user: UserID(user), host: host, epoch: epoch, expiresIn: host == nil ? nil : expiresIn)
    }

    static func held(_ row: PostgresRow) throws -> HeldLease {
        let (user, epoch) = try row.decode((Int64, Int64).self)
        return HeldLease(user: UserID(user), epoch: epoch)
    }
}
