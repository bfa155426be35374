import Common
import Foundation
import Logging
import Synchronization

/// This host's leases on its users' workers, when several supervisors share a PostgreSQL
/// database (``LeaseStore``, ``LeasePlan``).
///
/// At each pass it records that the host is alive, renews what it holds, learns which leases it
/// lost (lapsed and taken by another host), hands back what the plan says once that user's worker
/// has stopped, and claims its fair share of the rest. A host that cannot reach the database
/// keeps its users only while its last renewal is younger than the lease less a margin, then
/// gives them all up, before another host can take them. Each pass also says until when the
/// workers may send orders (``SupervisorMessage/lease(untilMs:)``): the lease's end less the
/// margin, counted from before the renewal was sent, so a worker stops first even if this
/// process is stopped (SIGSTOP) and cannot tell it.
final class LeaseKeeper: Sendable {
    struct Outcome: Equatable {
        /// The users whose workers this host may run now.
        var allowed: Set<UserID>
        /// Leases lost since the last pass: their workers must stop at once.
        var lost: Set<UserID>
        /// Each held user's epoch, for the fenced writes of its reports.
        var epochs: [UserID: Int64]
        /// Wall-clock milliseconds until which the workers may send orders; nil: unchanged.
        var ordersUntilMs: Int64?
    }

    struct State {
        var held: [UserID: HeldLease] = [:]
        var releasing: Set<UserID> = []
        /// The monotonic time (``clock``) the last successful pass began.
        var renewedAt: TimeInterval?
        var failing = false
    }

    /// What spawning a worker reads while a pass may be talking to the database.
    struct Published {
        var epochs: [UserID: Int64] = [:]
        var ordersUntilMs: Int64?
    }

    let store: any LeaseStore
    let host: String
    let capacity: Int
    let ttl: TimeInterval
    let logger: Logger
    /// Monotonic seconds, and the wall clock the workers' order deadline is written in.
    let clock: @Sendable () -> TimeInterval
    let wallClock: @Sendable () -> Date
    let state = Mutex(State())
    let published = Mutex(Published())

    /// The part of a lease a worker never trades in: time for the renewal's answer, a worker
    /// slow to read its stdin, and the kill of a worker whose lease could not be renewed.
    var margin: TimeInterval { min(2, ttl / 3) }

    init(
        store: any LeaseStore, host: String, capacity: Int, ttl: TimeInterval, logger: Logger,
        clock: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }, wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.clock = clock
        self.wallClock = wallClock
        self.store = store
        self.host = host
        self.capacity = capacity
        self.ttl = ttl
        self.logger = logger
    }

    /// One pass. `wanted`: the users who need a worker; `running`: those whose worker process
    /// is still alive here.
    /// `starting`: this host's workers not yet heard from (``LeasePlan``'s start limit).
    func pass(wanted: Set<UserID>, running: Set<UserID>, starting: Int = 0, startLimit: Int = .max) -> Outcome {
        state.withLock { state in
            let started = clock()
            let startedWall = wallClock()
            do {
                let beat = try store.heartbeat(host: host, capacity: capacity, ttl: ttl)
                let renewed = try store.renew(host: host, users: Set(state.held.keys), ttl: ttl)
                let lost = Set(state.held.keys).subtracting(renewed.map(\.user))
                state.held = Dictionary(uniqueKeysWithValues: renewed.map { ($0.user, $0) })
                state.releasing.formIntersection(state.held.keys)
                let plan = LeasePlan.plan(
                    held: Set(state.held.keys), wanted: wanted, liveHosts: beat.liveHosts, capacity: capacity, draining: beat.draining,
                    starting: starting, startLimit: startLimit
                )
                state.releasing.formUnion(plan.release)
                let stopped = state.releasing.subtracting(running)
                if !stopped.isEmpty {
                    try store.release(host: host, users: stopped)
                    for user in stopped { state.held[user] = nil }
                    state.releasing.subtract(stopped)
                    logger.info("lease.released", metadata: ["host": "\(host)", "users": "\(stopped.map(\.rawValue).sorted())"])
                }
                let claimed = try store.claim(host: host, wanted: wanted.subtracting(state.held.keys), count: plan.claim, ttl: ttl)
                for lease in claimed { state.held[lease.user] = lease }
                if !claimed.isEmpty {
                    logger.info("lease.claimed", metadata: ["host": "\(host)", "users": "\(claimed.map(\.user.rawValue).sorted())"])
                }
                if !lost.isEmpty {
                    logger.warning("lease.lost", metadata: ["host": "\(host)", "users": "\(lost.map(\.rawValue).sorted())"])
                }
                state.renewedAt = started
                state.failing = false
                let until = Int64((startedWall.timeIntervalSince1970 + ttl - margin) * 1000)
                return outcome(state, lost: lost, ordersUntilMs: until)
            } catch {
                if !state.failing { logger.error("lease.renew_failed", metadata: ["host": "\(host)", "error": "\(error)"]) }
                state.failing = true
                if let renewedAt = state.renewedAt, clock() - renewedAt < ttl - margin {
                    return outcome(state, lost: [], ordersUntilMs: nil)
                }
                let lost = Set(state.held.keys)
                if !lost.isEmpty {
                    logger.warning("lease.given_up", metadata: ["host": "\(host)", "users": "\(lost.map(\.rawValue).sorted())"])
                }
                state.held = [:]
                state.releasing = []
                return outcome(state, lost: lost, ordersUntilMs: nil)
            }
        }
    }

    private func outcome(_ state: State, lost: Set<UserID>, ordersUntilMs: Int64?) -> Outcome {
        let epochs = state.held.mapValues(\.epoch)
        published.withLock { published in
            published.epochs = epochs
            if let ordersUntilMs { published.ordersUntilMs = ordersUntilMs }
            if epochs.isEmpty, state.renewedAt == nil || state.failing { published.ordersUntilMs = nil }
        }
        return Outcome(allowed: Set(state.held.keys).subtracting(state.releasing), lost: lost, epochs: epochs, ordersUntilMs: ordersUntilMs)
    }

    /// The epoch this host holds the user's lease at, if it does.
    func epoch(of user: UserID) -> Int64? { published.withLock { $0.epochs[user] } }

    /// The users this host holds a lease on, as of the last renewal.
    var heldUsers: Set<UserID> { published.withLock { Set($0.epochs.keys) } }

    /// Until when the workers may send orders, as of the last renewal.
    var ordersUntilMs: Int64? { published.withLock { $0.ordersUntilMs } }

    /// Hands every lease back (the supervisor stops, its workers have stopped).
    func releaseAll() {
        let users = state.withLock { state -> Set<UserID> in
            defer { state.held = [:] }
            return Set(state.held.keys)
        }
        published.withLock { $0 = Published() }
        try? store.release(host: host, users: users)
    }
}
