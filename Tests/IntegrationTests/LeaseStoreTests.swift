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
        #expect(try leases.heartbeat(host: "a", capacity: 10, draining: false, ttl: 5) == 1)
        #expect(try leases.heartbeat(host: "b", capacity: 10, draining: false, ttl: 5) == 2)
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
        #expect(try leases.isDraining(host: "a"))
        #expect(try leases.heartbeat(host: "b", capacity: 10, draining: false, ttl: 5) == 1)
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
    }
}
