import CentralPostgres
import Foundation
import Synchronization
import Testing

@testable import Common

/// The account stores (users, sessions, exchange keys, processes, commands, worker events,
/// supervisor facts) answer alike on SQLite, PostgreSQL and in memory beyond what
/// ``CentralStoreConformanceTests`` covers: every field read back as written, SQLite's orders,
/// ties and millisecond boundaries, nil for what is not there, another user's rows apart.
@Suite struct AccountStoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static func at(_ seconds: Double) -> Date { CentralStoreConformanceTests.at(seconds) }

    @Test(arguments: Kind.allCases)
    func usernamesFoldASCIILettersOnlyAndKeepTheirSpelling(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let alice = try db.users.createUser(username: "Alice", passwordHash: "h1", at: Self.at(0.25))
        // SQLite's NOCASE folds A–Z only: "Émile" and "émile" are two names.
        let upper = try db.users.createUser(username: "Émile", passwordHash: "h2", at: Self.at(1))
        let lower = try db.users.createUser(username: "émile", passwordHash: "h3", at: Self.at(1))
        #expect(upper.rawValue == 2 && lower.rawValue == 3)
        #expect(throws: UsernameTaken.self) { try db.users.createUser(username: "ÉMILE", passwordHash: "h4", at: Self.at(1)) }
        #expect(try db.users.credentials(username: "émile")?.passwordHash == "h3")
        #expect(try db.users.credentials(username: "EMILE") == nil)
        #expect(try db.users.credentials(username: "alice ") == nil)

        let found = try #require(try db.users.credentials(username: "aLiCe"))
        #expect(found.user == StoredUser(id: alice, username: "Alice", createdAt: Self.at(0.25), language: nil, isAdmin: true), "the first account is the administrator")
        #expect(try db.users.user(alice) == found.user)
        try db.users.setLanguage("ko", for: alice)
        try db.users.setLanguage(nil, for: alice)
        #expect(try db.users.user(alice)?.language == nil)
        #expect(try db.users.passwordHash(UserID(99)) == nil)
        // Another user's password is untouched by a change of Alice's.
        try db.users.setPasswordHash("h5", for: alice, at: Self.at(2))
        #expect(try db.users.passwordHash(upper) == "h2")
    }

    @Test(arguments: Kind.allCases)
    func sessionsReadBackWholeAndExpireAtTheMillisecond(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        let kept = StoredSession(
            idHash: "kept", userID: user, csrfToken: "csrf", persistent: true, createdAt: Self.at(0.5), lastSeenAt: Self.at(40),
            expiresAt: Self.at(1000.125), userAgent: nil
        )
        try db.sessions.insert(kept)
        #expect(throws: (any Error).self) { try db.sessions.insert(kept) }
        for (hash, owner, end) in [("ends", user, 100.0004), ("others", other, 1000)] {
            try db.sessions.insert(
                StoredSession(
                    idHash: hash, userID: owner, csrfToken: "t", persistent: false, createdAt: Self.at(0), lastSeenAt: Self.at(50),
                    expiresAt: Self.at(end), userAgent: "curl"
                )
            )
        }
        #expect(try db.sessions.session(idHash: "kept") == kept)
        #expect(try db.sessions.session(idHash: "others")?.userAgent == "curl")
        #expect(try db.sessions.session(idHash: "nope") == nil)
        // Times compare at the stored millisecond: "ends" ends within now's millisecond (gone),
        // "kept" was last seen within idleBefore's (not idle since before it).
        #expect(try db.sessions.deleteExpired(now: Self.at(100), idleBefore: Self.at(40.0006)) == 1)
        #expect(try db.sessions.session(idHash: "ends") == nil)
        try db.sessions.touch(idHash: "kept", at: Self.at(70))
        #expect(try db.sessions.session(idHash: "kept")?.lastSeenAt == Self.at(70))
        #expect(try db.sessions.deleteExpired(now: Self.at(100), idleBefore: Self.at(60)) == 1)
        #expect(try db.sessions.session(idHash: "others") == nil)
        #expect(try db.sessions.count(of: user) == 1)
        #expect(try db.sessions.deleteAll(of: other) == 0)
        try db.sessions.delete(idHash: "kept")
        #expect(try db.sessions.count(of: user) == 0)
    }

    @Test(arguments: Kind.allCases)
    func aKeyReadsBackWholeAndARevisionFollowsTheHighestLeft(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let a = try db.users.createUser(username: "a", passwordHash: "h", at: Self.at(0))
        let b = try db.users.createUser(username: "b", passwordHash: "h", at: Self.at(0))
        #expect(try db.exchangeKeys.keyRevisions().isEmpty && db.exchangeKeys.allTokens().isEmpty)
        #expect(try db.exchangeKeys.reencryptAll { $0 + "!" } == 0)
        #expect(try db.exchangeKeys.key(for: a) == nil)
        var key = StoredExchangeKey(userID: a, apiKeyToken: "k", apiSecretToken: "s", maskedKey: "ab…cd", canTrade: false, verifiedAt: Self.at(3.5))
        key.revision = 1
        #expect(try db.exchangeKeys.storeKey(key, at: Self.at(4)) == 1)
        #expect(try db.exchangeKeys.key(for: a) == key)
        #expect(try db.exchangeKeys.key(for: b) == nil)
        let plain = { (token: String) in
            StoredExchangeKey(userID: b, apiKeyToken: token, apiSecretToken: token, maskedKey: "x", canTrade: true, verifiedAt: nil)
        }
        #expect(try db.exchangeKeys.storeKey(plain("k2"), at: Self.at(5)) == 2)
        // The highest revision deleted, the next store is one more than the highest left.
        #expect(try db.exchangeKeys.deleteKey(for: b))
        #expect(try db.exchangeKeys.storeKey(plain("k3"), at: Self.at(6)) == 2)
        #expect(try db.exchangeKeys.key(for: b)?.verifiedAt == nil)
        #expect(try db.exchangeKeys.keyRevisions() == [a: 1, b: 2])
    }

    @Test(arguments: Kind.allCases)
    func aProcessReadsBackWholeIsReplacedWholeAndListsInByteOrder(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        var worker = ProcessStatus(process: ProcessStatus.workerName(user), userID: user, state: .backoff)
        worker.pid = 4242
        worker.startedAt = Self.at(1.5)
        worker.lastHeartbeatAt = Self.at(2)
        worker.reportedState = "running"
        worker.restarts = 3
        worker.lastExitStatus = "signal 9"
        worker.lastExitAt = Self.at(3)
        worker.nextRestartAt = Self.at(8)
        worker.crashLoop = true
        worker.message = "restarting"
        worker.weightUsed = 120
        worker.exchangeErrors = ["-1021": 2, "network": 1]
        let names = ["worker/2", "worker/10", "web", "Web", "_x", "exchange-sim"]
        try db.processes.save(names.map { ProcessStatus(process: $0, state: .stopped) } + [worker], at: Self.at(9))
        #expect(try db.processes.status(process: worker.process) == worker)
        #expect(try db.processes.all().map(\.process) == ["Web", "_x", "exchange-sim", "web", "worker/1", "worker/10", "worker/2"])

        // A save replaces every field; of one name saved twice at once, the later wins.
        var again = ProcessStatus(process: worker.process, userID: user, state: .starting)
        again.message = "first"
        var last = again
        last.message = "second"
        try db.processes.save([again, last], at: Self.at(10))
        #expect(try db.processes.status(process: worker.process) == last)

        // Stopped rows keep their message; the others lose their pid and restart time.
        var running = ProcessStatus(process: "web", state: .running)
        running.pid = 7
        running.nextRestartAt = Self.at(11)
        var stopped = ProcessStatus(process: "exchange-sim", state: .stopped)
        stopped.message = "exited"
        stopped.nextRestartAt = Self.at(12)
        try db.processes.save([running, stopped], at: Self.at(11))
        try db.processes.markAllStopped(message: "bye", at: Self.at(13))
        #expect(try db.processes.status(process: "exchange-sim") == stopped)
        var expected = running
        (expected.state, expected.pid, expected.nextRestartAt, expected.message) = (.stopped, nil, nil, "bye")
        #expect(try db.processes.status(process: "web") == expected)
        try db.processes.remove(process: "web")
        #expect(try db.processes.status(process: "web") == nil)
        #expect(try db.processes.all().count == names.count)
    }

    @Test(arguments: Kind.allCases)
    func commandsReadBackInTheirUsersOrder(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        let first = try db.commands.record(user: user, command: "settings_changed", payload: "{\"a\":1}", at: Self.at(0.5))
        let others = try db.commands.record(user: other, command: "settings_changed", payload: nil, at: Self.at(1))
        let second = try db.commands.record(user: user, command: "settings_changed", payload: "{\"a\":2}", at: Self.at(1))
        let third = try db.commands.record(user: user, command: "stop", payload: nil, at: Self.at(1))
        #expect([first, others, second, third] == [1, 2, 3, 4])
        #expect(try db.commands.undelivered(user: user).map(\.id) == [first, second, third])
        try db.commands.markDelivered(id: second, at: Self.at(2.25))
        #expect(try db.commands.undelivered(user: user).map(\.id) == [first, third])
        #expect(try db.commands.undelivered(user: other).map(\.id) == [others])

        #expect(try db.commands.latest(user: user, command: "settings_changed")?.payload == "{\"a\":2}")
        #expect(try db.commands.latest(user: other, command: "stop") == nil)
        #expect(try db.commands.command(id: 99) == nil)
        try db.commands.markAcknowledged(user: user, id: second, result: "ok", at: Self.at(3.5))
        #expect(
            try db.commands.command(id: second)
                == StoredCommand(
                    id: second, userID: user, command: "settings_changed", payload: "{\"a\":2}", createdAt: Self.at(1), deliveredAt: Self.at(2.25),
                    acknowledgedAt: Self.at(3.5), result: "ok"
                )
        )
        // The latest acknowledgement by time, not by id.
        try db.commands.markAcknowledged(user: user, id: third, result: "ok", at: Self.at(3))
        #expect(try db.commands.lastAcknowledgedID(user: user) == second)
        try db.commands.markAcknowledged(user: user, id: first, result: "late", at: Self.at(4))
        #expect(try db.commands.lastAcknowledgedID(user: user) == first)
        #expect(try db.commands.lastAcknowledgedID(user: other) == 0)
    }

    @Test(arguments: Kind.allCases)
    func workerEventsAreTheirUsersNewestRecordedFirst(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let user = try db.users.createUser(username: "u", passwordHash: "h", at: Self.at(0))
        let other = try db.users.createUser(username: "v", passwordHash: "h", at: Self.at(0))
        let event = { (owner: UserID, second: Double, message: String) in
            WorkerEvent(userID: owner, time: Self.at(second), level: "warning", kind: "order", message: message)
        }
        try db.workerEvents.record([])
        // Recorded out of time order: the newest recorded comes first, whatever its time.
        try db.workerEvents.record([event(user, 5, "a"), event(other, 6, "x"), event(user, 1.5, "b")])
        try db.workerEvents.record([event(user, 3, "c")])
        #expect(try db.workerEvents.events(for: user, limit: 10) == [event(user, 3, "c"), event(user, 1.5, "b"), event(user, 5, "a")])
        #expect(try db.workerEvents.events(for: user, limit: 2).map(\.message) == ["c", "b"])
        #expect(try db.workerEvents.events(for: user, limit: 0).isEmpty)
        #expect(try db.workerEvents.events(for: other, limit: 10).map(\.message) == ["x"])
        #expect(try db.workerEvents.events(for: UserID(99), limit: 10).isEmpty)
    }

    @Test(arguments: Kind.allCases)
    func supervisorFactsAreSetAndKept(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        #expect(try db.supervisorInfo.all().isEmpty)
        try db.supervisorInfo.set([:])
        try db.supervisorInfo.set(["running": "1", "started_at": "2026-12-01T00:00:00.000Z", "empty": ""])
        try db.supervisorInfo.set(["running": "0"])
        #expect(try db.supervisorInfo.all() == ["running": "0", "started_at": "2026-12-01T00:00:00.000Z", "empty": ""])
    }

    /// Several writers at once (PostgreSQL's hosts): stores of keys never draw one revision twice,
    /// and of one name signed up at once, one account is made and the others are told it is taken.
    @Test(arguments: Kind.allCases)
    func concurrentWritersShareNeitherARevisionNorAName(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let users = try (0..<12).map { try db.users.createUser(username: "u\($0)", passwordHash: "h", at: Self.at(0)) }
        let revisions = Mutex<[Int64]>([])
        DispatchQueue.concurrentPerform(iterations: users.count) { index in
            let key = StoredExchangeKey(userID: users[index], apiKeyToken: "k", apiSecretToken: "s", maskedKey: "m", canTrade: true, verifiedAt: nil)
            let revision = (try? db.exchangeKeys.storeKey(key, at: Self.at(1))) ?? -1
            revisions.withLock { $0.append(revision) }
        }
        #expect(revisions.withLock { $0.sorted() } == Array(1...Int64(users.count)))

        let outcomes = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let outcome: String
            do {
                _ = try db.users.createUser(username: "Same", passwordHash: "h", at: Self.at(2))
                outcome = "created"
            } catch is UsernameTaken {
                outcome = "taken"
            } catch {
                outcome = "\(error)"
            }
            outcomes.withLock { $0.append(outcome) }
        }
        #expect(outcomes.withLock { $0.sorted() } == ["created"] + Array(repeating: "taken", count: 7))
    }

    /// Several hosts: the host running a worker takes the commands another host recorded for it,
    /// past the grace, each once, marked delivered in the same write.
    @Test(arguments: Kind.allCases)
    func commandsAreTakenOnceByTheHostRunningTheWorker(kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.at(0))
        let old = try db.commands.record(user: ann, command: "bot_stop", payload: "{}", at: Self.at(1))
        let delivered = try db.commands.record(user: ann, command: "bot_start", payload: nil, at: Self.at(2))
        try db.commands.markDelivered(id: delivered, at: Self.at(2))
        let fresh = try db.commands.record(user: ann, command: "settings_changed", payload: nil, at: Self.at(10))
        let bobs = try db.commands.record(user: bob, command: "bot_stop", payload: nil, at: Self.at(1))
        let taken = try db.commands.takeUndelivered(users: [ann], recordedBefore: Self.at(9), at: Self.at(11))
        #expect(taken.map(\.id) == [old])
        #expect(taken.first?.payload == "{}" && taken.first?.deliveredAt == Self.at(11))
        #expect(try db.commands.command(id: old)?.deliveredAt == Self.at(11))
        #expect(try db.commands.takeUndelivered(users: [ann], recordedBefore: Self.at(9), at: Self.at(12)).isEmpty)
        #expect(try db.commands.takeUndelivered(users: [ann, bob], recordedBefore: Self.at(20), at: Self.at(21)).map(\.id) == [fresh, bobs].sorted())
        #expect(try db.commands.takeUndelivered(users: [], recordedBefore: Self.at(99), at: Self.at(99)).isEmpty)
    }
}
