import Common
import Foundation
import Synchronization
import Testing

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.now } }
}

@Suite struct CredentialRulesTests {
    @Test func passwordsAndUsernamesFollowTheRules() throws {
        #expect(throws: CredentialRules.Problem.passwordTooShort) { try CredentialRules.check(password: "123456789", username: "alice") }
        #expect(throws: CredentialRules.Problem.passwordIsUsername) { try CredentialRules.check(password: "AliceAlice1", username: "alicealice1") }
        #expect(throws: CredentialRules.Problem.passwordTooLong) { try CredentialRules.check(password: String(repeating: "é", count: 40), username: "a") }
        try CredentialRules.check(password: "correct horse", username: "alice")
        #expect(throws: CredentialRules.Problem.usernameLength) { try CredentialRules.check(username: "al") }
        #expect(throws: CredentialRules.Problem.usernameCharacters) { try CredentialRules.check(username: "al ice") }
        #expect(throws: CredentialRules.Problem.usernameCharacters) { try CredentialRules.check(username: "<script>") }
        try CredentialRules.check(username: "alice.b-c_d")
    }

    @Test func bcryptHashesAreCost12AndVerify() async throws {
        let hash = await PasswordHasher.hash("correct horse")
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(hash.count == 60)
        #expect(await PasswordHasher.verify("correct horse", hash: hash))
        #expect(!(await PasswordHasher.verify("correct horsf", hash: hash)))
        #expect(!(await PasswordHasher.verify("anything", hash: "not a hash")))
    }
}

@Suite struct LoginThrottleTests {
    @Test func failuresAreSlowedThenRefusedAndTheAccountLockIsShort() throws {
        let clock = TestClock()
        let throttle = LoginThrottle(clock: clock.function)
        for attempt in 1...5 {
            #expect(try throttle.check(account: "alice", address: "10.0.0.1") == .allowed, "attempt \(attempt)")
            let delay = try throttle.recordFailure(account: "alice", address: "10.0.0.1")
            #expect(delay == (attempt > 3 ? 1 : 0))
        }
        // Locked for the held-back second plus 1 s.
        #expect(try throttle.check(account: "alice", address: "10.0.0.1") == .refused(retryAfter: 2))
        // Letter case does not make another account.
        #expect(try throttle.check(account: "ALICE", address: "10.0.0.2") == .refused(retryAfter: 2))
        clock.advance(2.1)
        #expect(try throttle.check(account: "alice", address: "10.0.0.1") == .allowed)
        // Each further failure doubles the wait: 2, 4, 8 … s (plus the held-back second).
        try throttle.recordFailure(account: "alice", address: "10.0.0.1")
        #expect(try throttle.check(account: "alice", address: "10.0.0.1") == .refused(retryAfter: 3))
        // An attacker spraying from many addresses locks the account for at most a minute.
        for index in 0..<30 { try throttle.recordFailure(account: "bob", address: "10.1.0.\(index)") }
        guard case .refused(let wait) = try throttle.check(account: "bob", address: "10.2.0.1") else {
            Issue.record("the account should be locked")
            return
        }
        #expect(wait <= 60)
        clock.advance(61)
        #expect(try throttle.check(account: "bob", address: "10.2.0.1") == .allowed)
    }

    @Test func anAddressThatGuessesIsLockedLongButTheOwnersUsualAddressIsNot() throws {
        let clock = TestClock()
        let throttle = LoginThrottle(clock: clock.function)
        try throttle.recordSuccess(account: "carol", address: "192.0.2.7")  // carol's usual address
        // The attacker keeps failing from one address, pacing itself to each lock's end.
        for _ in 0..<15 {
            if case .refused(let wait) = try throttle.check(account: "carol", address: "198.51.100.1") { clock.advance(TimeInterval(wait)) }
            try throttle.recordFailure(account: "carol", address: "198.51.100.1")
        }
        guard case .refused(let wait) = try throttle.check(account: "carol", address: "198.51.100.1") else {
            Issue.record("the guessing address should be locked")
            return
        }
        #expect(wait > 60 && wait <= 15 * 60)
        // Carol, from her usual address, is never locked out by the attacker.
        #expect(try throttle.check(account: "carol", address: "192.0.2.7") == .allowed)
        // A new address of hers is held back at most a minute.
        if case .refused(let other) = try throttle.check(account: "carol", address: "203.0.113.5") { #expect(other <= 60) }
    }

    @Test func failuresAreForgottenAfterTheWindowAndASuccessClearsThem() throws {
        let clock = TestClock()
        let throttle = LoginThrottle(clock: clock.function)
        for _ in 0..<4 { try throttle.recordFailure(account: "dave", address: "10.0.0.3") }
        clock.advance(16 * 60)
        try throttle.recordFailure(account: "dave", address: "10.0.0.3")
        #expect(try throttle.check(account: "dave", address: "10.0.0.3") == .allowed)
        for _ in 0..<3 { try throttle.recordFailure(account: "dave", address: "10.0.0.3") }
        try throttle.recordSuccess(account: "dave", address: "10.0.0.3")
        try throttle.recordFailure(account: "dave", address: "10.0.0.3")
        #expect(try throttle.check(account: "dave", address: "10.0.0.3") == .allowed)
    }

    @Test func aDecisionNeedsOnlyTheStoredCounters() {
        let settings = LoginThrottle.Settings()
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        var attempts = LoginAttempts()
        for _ in 0..<5 { attempts.recordFailure(now: now, settings: settings) }
        #expect(attempts.address.failures == 5 && attempts.account.failures == 5)
        #expect(attempts.decision(now: now, settings: settings) == .refused(retryAfter: 2))
        // The address signed in before: its account lock does not apply, its own does.
        attempts.trustedSince = now
        attempts.address = .init()
        #expect(attempts.decision(now: now, settings: settings) == .allowed)
        attempts.recordSuccess(now: now)
        #expect(attempts == LoginAttempts(trustedSince: now))
    }
}

@Suite struct SessionTests {
    func make(_ clock: TestClock, idle: TimeInterval = 12 * 3600) throws -> (Sessions, CentralDatabase, UserID, TemporaryDirectory) {
        let temp = try TemporaryDirectory()
        let directory = DataDirectory(root: temp.path + "/data")
        try directory.prepare()
        let database = try CentralDatabase.migrate(directory)
        let user = try database.users.createUser(username: "erin", passwordHash: "$2b$12$x", at: clock.now)
        var settings = Sessions.Settings()
        settings.idleTimeout = idle
        return (Sessions(store: database.sessions, settings: settings, clock: clock.function), database, user, temp)
    }

    @Test func idleExpiryEndsAnUnusedSessionAndUseKeepsItAlive() throws {
        let clock = TestClock()
        let (sessions, database, user, _temp) = try make(clock)
        let opened = try sessions.open(user: user, remember: false, userAgent: "test")
        #expect(opened.cookieExpires == nil)
        #expect(opened.id.utf8.count == 43)
        // Used every 11 h: alive after 3 days.
        for _ in 0..<7 {
            clock.advance(11 * 3600)
            #expect(try sessions.resolve(opened.id)?.userID == user)
        }
        clock.advance(12 * 3600 + 1)
        #expect(try sessions.resolve(opened.id) == nil)
        #expect(try database.sessions.count(of: user) == 0)
        withExtendedLifetime(_temp) {}
    }

    @Test func keepMeSignedInEndsAfterThirtyDaysWhateverTheActivity() throws {
        let clock = TestClock()
        let (sessions, _, user, _temp) = try make(clock)
        let opened = try sessions.open(user: user, remember: true, userAgent: nil)
        let expires = try #require(opened.cookieExpires)
        #expect(abs(expires.timeIntervalSince(clock.now) - 30 * 86_400) < 1)
        for _ in 0..<60 {
            clock.advance(12 * 3600 - 60)
            #expect(try sessions.resolve(opened.id) != nil)
        }
        clock.advance(12 * 3600)
        #expect(try sessions.resolve(opened.id) == nil, "past 30 days")
        withExtendedLifetime(_temp) {}
    }

    @Test func idsAreStoredHashedAndEndedOneByOneOrAllTogether() throws {
        let clock = TestClock()
        let (sessions, database, user, _temp) = try make(clock)
        let a = try sessions.open(user: user, remember: false, userAgent: nil)
        let b = try sessions.open(user: user, remember: true, userAgent: nil)
        #expect(a.id != b.id && a.csrfToken != b.csrfToken)
        #expect(try database.sessions.session(idHash: a.id) == nil, "the raw id is not a key of the table")
        #expect(try database.sessions.session(idHash: SecureToken.storedForm(a.id)) != nil)
        let activeA = try #require(try sessions.resolve(a.id))
        try sessions.close(idHash: activeA.idHash)
        #expect(try sessions.resolve(a.id) == nil)
        #expect(try sessions.resolve(b.id) != nil)
        try sessions.closeAll(of: user)
        #expect(try sessions.resolve(b.id) == nil)
        #expect(try sessions.resolve("not-a-session") == nil)
        withExtendedLifetime(_temp) {}
    }

    @Test func expiredSessionsArePurged() throws {
        let clock = TestClock()
        let (sessions, database, user, _temp) = try make(clock, idle: 3600)
        _ = try sessions.open(user: user, remember: false, userAgent: nil)
        let kept = try sessions.open(user: user, remember: false, userAgent: nil)
        clock.advance(1800)
        _ = try sessions.resolve(kept.id)  // within touchEvery of its last use: written now
        clock.advance(2000)
        #expect(try sessions.purgeExpired() == 1)
        #expect(try database.sessions.count(of: user) == 1)
        withExtendedLifetime(_temp) {}
    }
}
