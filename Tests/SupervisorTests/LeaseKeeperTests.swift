import Common
import Foundation
import Logging
import Synchronization
import Testing

@testable import Supervisor

/// The supervisor's side of the leases, against a scripted store and clocks: what it may run,
/// what it lost, when its workers must stop sending orders, and what it does when the database
/// does not answer — no database, no process, no sleep.
@Suite struct LeaseKeeperTests {
    /// A lease table of one host's view: who holds what, and whether the database answers.
    final class Store: LeaseStore, @unchecked Sendable {
        let lock = NSLock()
        var owners: [UserID: (host: String, epoch: Int64)] = [:]
        var liveHosts = 1
        var failing = false
        var draining = false

        struct Down: Error {}

        func locked<T>(_ body: () throws -> T) throws -> T {
            lock.lock()
            defer { lock.unlock() }
            if failing { throw Down() }
            return try body()
        }

        func heartbeat(host: String, capacity: Int, ttl: TimeInterval) throws -> HostBeat {
            try locked { HostBeat(liveHosts: liveHosts, draining: draining) }
        }
        func renew(host: String, users: Set<UserID>, ttl: TimeInterval) throws -> [HeldLease] {
            try locked { users.compactMap { user in owners[user].flatMap { $0.host == host ? HeldLease(user: user, epoch: $0.epoch) : nil } } }
        }
        func claim(host: String, wanted: Set<UserID>, count: Int, ttl: TimeInterval) throws -> [HeldLease] {
            try locked {
                let free = wanted.filter { owners[$0] == nil }.sorted().prefix(count)
                return free.map { user in
                    owners[user] = (host, 1)
                    return HeldLease(user: user, epoch: 1)
                }
            }
        }
        func release(host: String, users: Set<UserID>) throws {
            try locked { for user in users where owners[user]?.host == host { owners[user] = nil } }
        }
        func leases() throws -> [LeaseRecord] { [] }
        func lease(of user: UserID) throws -> LeaseRecord? { nil }
        func hosts() throws -> [HostRecord] { [] }
        func setDraining(host: String, _ draining: Bool) throws { try locked { self.draining = draining } }
    }

    final class Clock: Sendable {
        let seconds = Mutex<TimeInterval>(100)
        func advance(_ by: TimeInterval) { seconds.withLock { $0 += by } }
    }

    static let users: Set<UserID> = [UserID(1), UserID(2), UserID(3)]
    static let wall = Date(timeIntervalSince1970: 1_790_000_000)

    static func keeper(_ store: Store, _ clock: Clock) -> LeaseKeeper {
        LeaseKeeper(store: store, host: "a", capacity: 10, ttl: 6, logger: Logger(label: "test"), clock: { clock.seconds.withLock { $0 } }, wallClock: { wall })
    }

    @Test func itRunsWhatItClaimsAndItsWorkersTradeUntilTheLeaseLessTheMargin() {
        let (store, clock) = (Store(), Clock())
        let keeper = Self.keeper(store, clock)
        let first = keeper.pass(wanted: Self.users, running: [])
        #expect(first.allowed == Self.users && first.lost.isEmpty)
        #expect(first.ordersUntilMs == Int64((Self.wall.timeIntervalSince1970 + 6 - 2) * 1000))
        #expect(keeper.epoch(of: UserID(2)) == 1 && keeper.ordersUntilMs == first.ordersUntilMs)
    }

    @Test func aLeaseAnotherHostTookIsLostAtTheNextPass() {
        let (store, clock) = (Store(), Clock())
        let keeper = Self.keeper(store, clock)
        _ = keeper.pass(wanted: Self.users, running: [])
        store.owners[UserID(3)] = ("b", 2)
        let next = keeper.pass(wanted: Self.users, running: Self.users)
        #expect(next.lost == [UserID(3)] && next.allowed == [UserID(1), UserID(2)])
        #expect(keeper.epoch(of: UserID(3)) == nil)
    }

    @Test func withoutTheDatabaseItKeepsItsUsersOnlyUntilTheLeaseLessTheMargin() {
        let (store, clock) = (Store(), Clock())
        let keeper = Self.keeper(store, clock)
        _ = keeper.pass(wanted: Self.users, running: [])
        store.failing = true
        clock.advance(3.9)
        let within = keeper.pass(wanted: Self.users, running: Self.users)
        #expect(within.allowed == Self.users && within.lost.isEmpty && within.ordersUntilMs == nil)
        clock.advance(0.2)
        let past = keeper.pass(wanted: Self.users, running: Self.users)
        #expect(past.allowed.isEmpty && past.lost == Self.users)
        #expect(keeper.ordersUntilMs == nil)
    }

    @Test func aDrainingHostHandsEachUserBackOnlyOnceItsWorkerStopped() throws {
        let (store, clock) = (Store(), Clock())
        let keeper = Self.keeper(store, clock)
        _ = keeper.pass(wanted: Self.users, running: [])
        store.draining = true
        let stopping = keeper.pass(wanted: Self.users, running: Self.users)
        #expect(stopping.allowed.isEmpty && stopping.lost.isEmpty)
        #expect(store.owners.count == 3)
        let oneStopped = keeper.pass(wanted: Self.users, running: [UserID(1), UserID(2)])
        #expect(oneStopped.allowed.isEmpty)
        #expect(Set(store.owners.keys) == [UserID(1), UserID(2)])
        _ = keeper.pass(wanted: Self.users, running: [])
        #expect(store.owners.isEmpty)
    }
}
