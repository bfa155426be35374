import Common
import Testing

/// Each host's part in sharing the users' workers: its fair share, its capacity, hand-backs one
/// at a time, draining.
@Suite struct LeasePlanTests {
    static func users(_ ids: ClosedRange<Int64>) -> Set<UserID> { Set(ids.map { UserID($0) }) }

    @Test func theFairShareIsTheUsersOverTheLiveHostsRoundedUp() {
        #expect(LeasePlan.share(users: 20, liveHosts: 3) == 7)
        #expect(LeasePlan.share(users: 20, liveHosts: 2) == 10)
        #expect(LeasePlan.share(users: 21, liveHosts: 3) == 7)
        #expect(LeasePlan.share(users: 0, liveHosts: 3) == 0)
        #expect(LeasePlan.share(users: 5, liveHosts: 0) == 5)
    }

    @Test func aHostClaimsUpToItsShareAndItsCapacity() {
        let wanted = Self.users(1...20)
        #expect(LeasePlan.plan(held: [], wanted: wanted, liveHosts: 3, capacity: 100, draining: false) == LeasePlan(claim: 7, release: []))
        #expect(LeasePlan.plan(held: Self.users(1...5), wanted: wanted, liveHosts: 3, capacity: 100, draining: false) == LeasePlan(claim: 2, release: []))
        #expect(LeasePlan.plan(held: [], wanted: wanted, liveHosts: 3, capacity: 4, draining: false) == LeasePlan(claim: 4, release: []))
        // Alone, a host takes everyone its capacity allows.
        #expect(LeasePlan.plan(held: [], wanted: wanted, liveHosts: 1, capacity: 100, draining: false) == LeasePlan(claim: 20, release: []))
        // A host gone: the share of the two left grows and they claim its users.
        #expect(LeasePlan.plan(held: Self.users(1...7), wanted: wanted, liveHosts: 2, capacity: 100, draining: false) == LeasePlan(claim: 3, release: []))
    }

    @Test func aHostOverItsShareHandsBackOneLeaseAtATimeTheHighestFirst() {
        let wanted = Self.users(1...20)
        // A third host joined: 10 held, the share is 7.
        let plan = LeasePlan.plan(held: Self.users(1...10), wanted: wanted, liveHosts: 3, capacity: 100, draining: false)
        #expect(plan == LeasePlan(claim: 0, release: [UserID(10)]))
        // Alone, nobody could take it: kept.
        #expect(LeasePlan.plan(held: Self.users(1...10), wanted: Self.users(1...10), liveHosts: 1, capacity: 5, draining: false).release.isEmpty)
    }

    @Test func leasesOfUsersWhoNeedNoWorkerAreHandedBackAndADrainingHostHandsBackAll() {
        let plan = LeasePlan.plan(held: Self.users(1...4), wanted: Self.users(3...6), liveHosts: 2, capacity: 100, draining: false)
        #expect(plan == LeasePlan(claim: 0, release: [UserID(1), UserID(2)]))
        #expect(LeasePlan.plan(held: Self.users(1...4), wanted: Self.users(1...9), liveHosts: 2, capacity: 100, draining: true) == LeasePlan(claim: 0, release: Self.users(1...4)))
    }

    @Test func claimsWaitForTheWorkersStillStarting() {
        let wanted = Self.users(1...300)
        // 300 users, 3 hosts: a share of 100, taken 8 starts at a time.
        #expect(LeasePlan.plan(held: [], wanted: wanted, liveHosts: 3, capacity: 1000, draining: false, starting: 0, startLimit: 8).claim == 8)
        #expect(LeasePlan.plan(held: Self.users(1...8), wanted: wanted, liveHosts: 3, capacity: 1000, draining: false, starting: 5, startLimit: 8).claim == 3)
        #expect(LeasePlan.plan(held: Self.users(1...8), wanted: wanted, liveHosts: 3, capacity: 1000, draining: false, starting: 8, startLimit: 8).claim == 0)
        // More starting than the limit (a restart storm) claims nothing, and hand-backs go on.
        let over = LeasePlan.plan(held: Self.users(1...120), wanted: wanted, liveHosts: 3, capacity: 1000, draining: false, starting: 20, startLimit: 8)
        #expect(over == LeasePlan(claim: 0, release: [UserID(120)]))
        // The share still bounds the claim when the limit would allow more.
        #expect(LeasePlan.plan(held: Self.users(1...98), wanted: wanted, liveHosts: 3, capacity: 1000, draining: false, starting: 0, startLimit: 8).claim == 2)
    }
}
