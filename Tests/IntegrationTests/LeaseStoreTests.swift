import CentralPostgres
import Common
import Foundation
import Synchronization
import Testing

/// The leases on PostgreSQL: claims up to a count, epochs that grow at every change of owner,
/// renewals only of one's own live leases, expiry by the database's clock, hand-backs, draining
/// hosts not counted, concurrent claims never handing one user to two hosts, and the fence.
@Suite(.serialized) struct LeaseStoreTests {
    static func database() throws -> (CentralDatabase, [UserID]) {
        let db = try CentralDatabase.migrate(PostgresSession(try PostgresCluster.get().newDatabase()))
        let users = try (1...6).map { try db.users.createUser(username: "u\($0)", passwordHash: "h", at: Date()) }
        return (db, users)
    }

    @Test func claimsRenewalsExpiryAndHandBacks() async throws {
        let (db, users) = try Self.database()
        let leases = try #require(db.leases)
        #expect(try leases.heartbeat(host: "a", capacity: 10, ttl: 5) == HostBeat(liveHosts: 1, draining: false))
        #expect(try leases.heartbeat(host: "b", capacity: 10, ttl: 5) == HostBeat(liveHosts: 2, draining: false))
        let wanted = Set(users)
        let a = try leases.claim(host: "a", wanted: wanted, count: 4, ttl: 5)
        #expect(a.map(\.user) == Array(users.prefix(4)) && a.allSatisfy { $0.epoch == 1 })
        let b = try leases.claim(host: "b", wanted: wanted, count: 4, ttl: 5)
        #expect(b.map(\.user) == Array(users.suffix(2)))
        // Nobody renews another's lease; a renewal answers the leases still one's own.
        #expect(try leases.renew(host: "b", users: Set(users.prefix(2)), ttl: 5).isEmpty)
        #expect(try Set(leases.renew(host: "a", users: Set(users.prefix(4)), ttl: 5).map(\.user)) == Set(users.prefix(4)))

        // A hand-back frees the user; the next owner's epoch is one more.
        try leases.release(host: "a", users: [users[0]])
        try leases.release(host: "b", users: [users[1]])  // not b's: nothing happens
        let taken = try leases.claim(host: "b", wanted: wanted, count: 4, ttl: 5)
        #expect(taken == [HeldLease(user: users[0], epoch: 2)])
        #expect(try leases.leases().first { $0.user == users[1] }?.host == "a")
        #expect(try leases.lease(of: users[1])?.host == "a" && leases.lease(of: users[0])?.epoch == 2 && leases.lease(of: UserID(999)) == nil)

        // A lease not renewed lapses by the database's clock, and cannot be renewed after.
        _ = try leases.claim(host: "a", wanted: wanted, count: 0, ttl: 5)
        try leases.release(host: "a", users: Set(users[1...3]))
        let short = try leases.claim(host: "a", wanted: [users[1]], count: 1, ttl: 0.2)
        #expect(short == [HeldLease(user: users[1], epoch: 2)])
        try await Task.sleep(for: .milliseconds(400))
        #expect(try leases.renew(host: "a", users: [users[1]], ttl: 5).isEmpty)
        #expect(try leases.claim(host: "b", wanted: [users[1]], count: 1, ttl: 5) == [HeldLease(user: users[1], epoch: 3)])

        // A draining host is not counted among the live ones.
        try leases.setDraining(host: "a", true)
        #expect(try leases.heartbeat(host: "a", capacity: 10, ttl: 5) == HostBeat(liveHosts: 1, draining: true))
        #expect(try leases.heartbeat(host: "b", capacity: 10, ttl: 5) == HostBeat(liveHosts: 1, draining: false))
        // The status page's list: every host, draining or not, seen just now, with its current leases.
        let hosts = try leases.hosts()
        #expect(hosts.map(\.id) == ["a", "b"] && hosts.map(\.draining) == [true, false] && hosts.map(\.capacity) == [10, 10])
        #expect(hosts.allSatisfy { $0.seenAgo >= 0 && $0.seenAgo < 5 })
        let current = try leases.leases().filter { $0.host != nil && ($0.expiresIn ?? 0) > 0 }
        #expect(hosts.map(\.users) == ["a", "b"].map { host in current.filter { $0.host == host }.count })
        #expect(hosts[1].users > 0)
    }

    @Test func concurrentClaimsNeverGiveAUserToTwoHosts() throws {
        let (db, users) = try Self.database()
        let leases = try #require(db.leases)
        let hosts = (0..<6).map { "host\($0)" }
        let results = Mutex<[HeldLease]>([])
        let group = DispatchGroup()
        for host in hosts {
            DispatchQueue.global().async(group: group) {
                let won = (try? leases.claim(host: host, wanted: Set(users), count: 3, ttl: 30)) ?? []
                results.withLock { $0 += won }
            }
        }
        group.wait()
        let claimed = results.withLock { $0 }
        #expect(Set(claimed.map(\.user)).count == claimed.count)
        #expect(try leases.leases().filter { $0.host != nil }.count == claimed.count)
    }

    @Test func theFenceRefusesAWriteOfAHostWhoseEpochIsNotCurrent() throws {
        let (db, users) = try Self.database()
        let leases = try #require(db.leases)
        let user = users[0]
        let first = try #require(try leases.claim(host: "a", wanted: [user], count: 1, ttl: 30).first)
        let event = WorkerEvent(userID: user, time: Date(), level: "info", kind: "test", message: "written")
        try db.fenced(user: user, lease: ("a", first.epoch)) { try $0.workerEvents.record([event]) }
        try leases.release(host: "a", users: [user])
        _ = try leases.claim(host: "b", wanted: [user], count: 1, ttl: 30)
        // Host a's old epoch, and b's name with a's epoch: both refused, nothing written.
        #expect(throws: FenceRefused.self) { try db.fenced(user: user, lease: ("a", first.epoch)) { try $0.workerEvents.record([event]) } }
        #expect(throws: FenceRefused.self) { try db.fenced(user: user, lease: ("b", first.epoch)) { try $0.workerEvents.record([event]) } }
        #expect(try db.workerEvents.events(for: user, limit: 10).count == 1)
        try db.fenced(user: user, lease: ("b", first.epoch + 1)) { try $0.workerEvents.record([event]) }
        #expect(try db.workerEvents.events(for: user, limit: 10).count == 2)

        // A lease that lapsed, even one nobody took yet, no longer lets its host write.
        try leases.release(host: "b", users: [user])
        let short = try #require(try leases.claim(host: "a", wanted: [user], count: 1, ttl: 0.2).first)
        Thread.sleep(forTimeInterval: 0.4)
        #expect(throws: FenceRefused.self) { try db.fenced(user: user, lease: ("a", short.epoch)) { try $0.workerEvents.record([event]) } }
        #expect(try db.workerEvents.events(for: user, limit: 10).count == 2)
    }

    /// Many users' statuses in one transaction: only those whose lease the host holds at the
    /// given epoch are written; the others are returned as refused.
    @Test func oneTransactionWritesTheUsersWhoseLeaseIsCurrentAndRefusesTheOthers() throws {
        let (db, users) = try Self.database()
        let leases = try #require(db.leases)
        let held = try leases.claim(host: "a", wanted: Set(users.prefix(3)), count: 3, ttl: 30)
        _ = try leases.claim(host: "b", wanted: [users[3]], count: 1, ttl: 30)
        var epochs = Dictionary(uniqueKeysWithValues: held.map { ($0.user, $0.epoch) })
        epochs[users[1]] = held[1].epoch + 1  // an epoch a never had
        epochs[users[3]] = 1  // b's user
        epochs[users[4]] = -1  // nobody's
        let refused = try db.fencedEach(host: "a", epochs: epochs) { db, current in
            try db.processes.save(current.sorted().map { ProcessStatus(process: ProcessStatus.workerName($0), userID: $0, state: .running) }, at: Date())
        }
        #expect(refused == [users[1], users[3], users[4]])
        #expect(Set(try db.processes.all().compactMap(\.userID)) == [users[0], users[2]])
        #expect(try db.fencedEach(host: "a", epochs: [:]) { _, _ in Issue.record("nothing to write") }.isEmpty)
    }

    /// A host stopped (SIGSTOP) inside a fenced write holds the lease row's lock: another host's
    /// claim skips that row while it is held, and the server ends the idle transaction, so the
    /// claim succeeds within its limit and the stopped host's write fails when it resumes.
    @Test func aWriteStoppedInsideItsTransactionKeepsNoUserFromAnotherHost() throws {
        let (db, users) = try Self.database()
        let leases = try #require(db.leases)
        let user = users[0]
        let held = try #require(try leases.claim(host: "a", wanted: [user], count: 1, ttl: 0.5).first)
        let inside = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let result = Result {
                try db.fenced(user: user, lease: ("a", held.epoch)) { tx in
                    inside.signal()
                    // Stopped here: the connection sits idle in its transaction.
                    Thread.sleep(forTimeInterval: Double(PostgresSession.idleInTransactionTimeoutMs) / 1000 + 2)
                    try tx.workerEvents.record([WorkerEvent(userID: user, time: Date(), level: "info", kind: "test", message: "late")])
                }
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        inside.wait()
        Thread.sleep(forTimeInterval: 0.7)  // the lease has lapsed; its row is still locked
        let started = Date()
        #expect(try leases.claim(host: "b", wanted: [user], count: 1, ttl: 30).isEmpty)
        var taken: [HeldLease] = []
        while taken.isEmpty, Date().timeIntervalSince(started) < 10 {
            Thread.sleep(forTimeInterval: 0.2)
            taken = try leases.claim(host: "b", wanted: [user], count: 1, ttl: 30)
        }
        #expect(taken == [HeldLease(user: user, epoch: held.epoch + 1)])
        #expect(Date().timeIntervalSince(started) < Double(PostgresSession.idleInTransactionTimeoutMs) / 1000 + 2)
        done.wait()
        #expect(throws: (any Error).self) { try outcome.withLock { $0 }?.get() }
        #expect(try db.workerEvents.events(for: user, limit: 10).isEmpty)
    }
}
