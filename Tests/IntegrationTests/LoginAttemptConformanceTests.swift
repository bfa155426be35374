import CentralPostgres
import Foundation
import Testing

@testable import Common

/// The login throttle's counters (`login_attempts`, `login_trust`) on SQLite, PostgreSQL and in
/// memory: read back as written, and shared by two handles on one database as by two web
/// processes, so a guesser spreading its attempts over several webs is counted once.
@Suite struct LoginAttemptConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static func at(_ seconds: Double) -> Date { CentralStoreConformanceTests.at(seconds) }

    /// Two handles on one database: two web processes' view of it.
    static func twoHandles(_ kind: Kind) throws -> (CentralDatabase, CentralDatabase, TemporaryDirectory?) {
        switch kind {
        case .memory:
            let db = CentralDatabase.inMemory()
            return (db, db, nil)
        case .postgres:
            let location = try PostgresCluster.get().newDatabase()
            return (try CentralDatabase.migrate(PostgresSession(location)), try CentralDatabase.open(PostgresSession(location)), nil)
        case .sqlite:
            let temp = try TemporaryDirectory()
            let directory = DataDirectory(root: temp.path + "/data")
            try directory.prepare()
            return (try CentralDatabase.migrate(directory), try CentralDatabase.open(directory), temp)
        }
    }

    @Test(arguments: Kind.allCases)
    func countersReadBackAsWrittenAndAreForgottenWhenEmptyOrOld(kind: Kind) throws {
        let (db, _, temp) = try Self.twoHandles(kind)
        defer { _ = temp }
        let store = db.loginAttempts
        #expect(try store.attempts(account: "alice", address: "10.0.0.1") == LoginAttempts())
        let counted = LoginAttempts(
            account: .init(failures: 7, lastFailure: Self.at(10.125), lockedUntil: Self.at(75.5)),
            address: .init(failures: 2, lastFailure: Self.at(9)), trustedSince: nil
        )
        let answer = try store.update(account: "alice", address: "10.0.0.1") { attempts in
            attempts = counted
            return "done"
        }
        #expect(answer == "done")
        #expect(try store.attempts(account: "alice", address: "10.0.0.1") == counted)
        // Counters are per account and per address: another address shares alice's, not 10.0.0.1's.
        #expect(try store.attempts(account: "alice", address: "10.0.0.2") == LoginAttempts(account: counted.account))
        #expect(try store.attempts(account: "bob", address: "10.0.0.1") == LoginAttempts(address: counted.address))
        try store.update(account: "alice", address: "10.0.0.1") { $0.recordSuccess(now: Self.at(80)) }
        #expect(try store.attempts(account: "alice", address: "10.0.0.1") == LoginAttempts(trustedSince: Self.at(80)))
        #expect(try store.attempts(account: "alice", address: "10.0.0.2") == LoginAttempts())

        try store.update(account: "carol", address: "10.0.0.9") { attempts in
            attempts.account = .init(failures: 1, lastFailure: Self.at(100))
            attempts.address = .init(failures: 6, lastFailure: Self.at(100), lockedUntil: Self.at(1000))
        }
        // Failures before 200 are forgotten unless still locked at 500; sign-ins before 90 too.
        try store.prune(failuresBefore: Self.at(200), trustBefore: Self.at(90), now: Self.at(500))
        #expect(try store.attempts(account: "carol", address: "10.0.0.9") == LoginAttempts(address: .init(failures: 6, lastFailure: Self.at(100), lockedUntil: Self.at(1000))))
        #expect(try store.attempts(account: "alice", address: "10.0.0.1").trustedSince == nil)
    }

    @Test(arguments: Kind.allCases)
    func twoWebProcessesCountEveryFailureAndShareTheLock(kind: Kind) async throws {
        let (first, second, temp) = try Self.twoHandles(kind)
        defer { _ = temp }
        var settings = LoginThrottle.Settings()
        settings.freeFailures = 1000  // counting only: no lock in the way
        let webs = [LoginThrottle(store: first.loginAttempts, settings: settings), LoginThrottle(store: second.loginAttempts, settings: settings)]
        // 2 × 15 failures at once, half through each web: none is lost to the other's update.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask { try webs[index % 2].recordFailure(account: "Dave", address: "198.51.100.\(index % 3)") }
            }
            try await group.waitForAll()
        }
        #expect(try first.loginAttempts.attempts(account: "dave", address: "198.51.100.0").account.failures == 30)
        #expect(try second.loginAttempts.attempts(account: "dave", address: "198.51.100.0").address.failures == 10)

        // With the default settings, five failures through one web lock the address on the other.
        let strict = [LoginThrottle(store: first.loginAttempts), LoginThrottle(store: second.loginAttempts)]
        for attempt in 0..<5 { try strict[attempt % 2].recordFailure(account: "erin", address: "203.0.113.7") }
        guard case .refused(let wait) = try strict[1].check(account: "erin", address: "203.0.113.7") else {
            Issue.record("the other web should refuse the address")
            return
        }
        #expect(wait >= 1 && wait <= 2)
        // A sign-in through one web clears the address on both.
        try strict[0].recordSuccess(account: "erin", address: "203.0.113.7")
        #expect(try strict[1].check(account: "ERIN", address: "203.0.113.7") == .allowed)
    }
}
