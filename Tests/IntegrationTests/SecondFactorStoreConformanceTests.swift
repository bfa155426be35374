import CentralPostgres
import Foundation
import Testing

@testable import Common

/// Second factors, recovery codes and login challenges on SQLite, PostgreSQL and in memory: an
/// enrolment replaced until confirmed, never once on; a step and a recovery code taken once;
/// a challenge open for its lifetime, its failures counted, closed.
@Suite struct SecondFactorStoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static func at(_ seconds: Double) -> Date { CentralStoreConformanceTests.at(seconds) }

    @Test(arguments: Kind.allCases)
    func factorsCodesAndChallengesBehaveAlike(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        let store = db.secondFactors

        #expect(try store.factor(for: ann) == nil)
        #expect(try store.begin(user: ann, secret: "FIRST", at: Self.at(1)))
        #expect(try store.begin(user: ann, secret: "SECOND", at: Self.at(2)))
        #expect(try store.factor(for: ann) == SecondFactor(userID: ann, secret: "SECOND", enabledAt: nil, lastStep: nil))
        #expect(try !store.use(step: 5, for: ann), "not on yet")
        #expect(try store.enable(user: ann, step: 10, recoveryHashes: ["h1", "h2"], at: Self.at(3)))
        #expect(try !store.enable(user: ann, step: 11, recoveryHashes: [], at: Self.at(4)), "on already")
        #expect(try !store.begin(user: ann, secret: "THIRD", at: Self.at(5)), "an enabled factor is not replaced")
        #expect(try store.factor(for: ann) == SecondFactor(userID: ann, secret: "SECOND", enabledAt: Self.at(3), lastStep: 10))

        #expect(try !store.use(step: 10, for: ann) && !store.use(step: 9, for: ann))
        #expect(try store.use(step: 11, for: ann) && !store.use(step: 11, for: ann))
        #expect(try store.recoveryLeft(for: ann) == 2)
        #expect(try store.useRecovery(hash: "h1", for: ann, at: Self.at(6)) && !store.useRecovery(hash: "h1", for: ann, at: Self.at(7)))
        #expect(try !store.useRecovery(hash: "nope", for: ann, at: Self.at(7)))
        #expect(try store.recoveryLeft(for: ann) == 1)

        let challenge = LoginChallenge(idHash: "c1", userID: ann, remember: true, expiresAt: Self.at(100))
        try store.openChallenge(challenge)
        #expect(try store.challenge(idHash: "c1", at: Self.at(50)) == challenge)
        #expect(try store.challenge(idHash: "c1", at: Self.at(101)) == nil, "expired")
        #expect(try store.failChallenge(idHash: "c1") == 1 && store.failChallenge(idHash: "c1") == 2)
        #expect(try store.challenge(idHash: "c1", at: Self.at(50))?.failures == 2)
        try store.closeChallenge(idHash: "c1")
        #expect(try store.challenge(idHash: "c1", at: Self.at(50)) == nil)

        try store.disable(user: ann)
        #expect(try store.factor(for: ann) == nil && store.recoveryLeft(for: ann) == 0)
        #expect(try store.begin(user: ann, secret: "AGAIN", at: Self.at(8)))
    }
}
