import CentralPostgres
import Foundation
import Testing

@testable import Common

/// Roles, disabled accounts, API tokens and the audit log on SQLite, PostgreSQL and in memory.
@Suite struct AccessStoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static func at(_ seconds: Double) -> Date { CentralStoreConformanceTests.at(seconds) }

    @Test(arguments: Kind.allCases)
    func theFirstAccountIsAdministratorAndRolesAndDisablingAreStored(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.at(1))
        #expect(try db.users.user(ann)?.isAdmin == true && db.users.user(bob)?.isAdmin == false)
        try db.users.setAdmin(true, for: bob)
        try db.users.setDisabled(at: Self.at(5), for: bob)
        #expect(try db.users.credentials(username: "BOB")?.user == StoredUser(id: bob, username: "bob", createdAt: Self.at(1), isAdmin: true, disabledAt: Self.at(5)))
        try db.users.setDisabled(at: nil, for: bob)
        try db.users.setAdmin(false, for: ann)
        #expect(try db.users.allUsers().map { "\($0.username):\($0.isAdmin):\($0.isDisabled)" } == ["ann:false:false", "bob:true:false"])
    }

    @Test(arguments: Kind.allCases)
    func tokensAreFoundByHashListedTouchedAndRevoked(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.at(0))
        let store = db.apiTokens
        let first = try store.create(user: ann, name: "report", tokenHash: "hash-1", scopes: [.read], at: Self.at(1), expiresAt: Self.at(100))
        let second = try store.create(user: ann, name: "trader", tokenHash: "hash-2", scopes: [.read, .trade], at: Self.at(2), expiresAt: Self.at(200))
        _ = try store.create(user: bob, name: "bob's", tokenHash: "hash-3", scopes: [.read], at: Self.at(3), expiresAt: Self.at(300))
        #expect(first == StoredAPIToken(id: first.id, userID: ann, name: "report", scopes: [.read], createdAt: Self.at(1), expiresAt: Self.at(100), lastUsedAt: nil, revokedAt: nil))
        #expect(try store.tokens(for: ann).map(\.name) == ["trader", "report"])
        #expect(try store.token(hash: "hash-2") == second && store.token(hash: "nope") == nil)
        try store.touch(id: second.id, at: Self.at(10))
        #expect(try store.token(hash: "hash-2")?.lastUsedAt == Self.at(10))
        #expect(try !store.revoke(id: second.id, user: bob, at: Self.at(11)), "not bob's")
        #expect(try store.revoke(id: second.id, user: ann, at: Self.at(11)) && !store.revoke(id: second.id, user: ann, at: Self.at(12)))
        #expect(try store.token(hash: "hash-2")?.revokedAt == Self.at(11))
        #expect(try store.revokeAll(user: ann, at: Self.at(13)) == 1)
        #expect(try store.tokens(for: ann).allSatisfy { $0.revokedAt != nil } && store.tokens(for: bob).allSatisfy { $0.revokedAt == nil })
    }

    @Test(arguments: Kind.allCases)
    func platformSettingsAreSetReplacedAndRemoved(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        #expect(try db.platform.value(PlatformSetting.killSwitch) == nil && !db.platform.isHalted())
        try db.platform.set(PlatformSetting.killSwitch, to: "on", by: "root", at: Self.at(1))
        #expect(try db.platform.isHalted())
        try db.platform.set(PlatformSetting.killSwitch, to: "on", by: "other", at: Self.at(2))
        try db.platform.set("other", to: "x", by: "root", at: Self.at(2))
        try db.platform.set(PlatformSetting.killSwitch, to: nil, by: "root", at: Self.at(3))
        #expect(try !db.platform.isHalted() && db.platform.value("other") == "x")
        #expect(try db.platform.signupMode() == .open)
        try db.platform.set(PlatformSetting.signupMode, to: "invite", by: "root", at: Self.at(4))
        #expect(try db.platform.signupMode() == .invite)

        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        try db.platform.createInvitation(codeHash: "i1", by: "root", at: Self.at(5))
        #expect(try db.platform.claimInvitation(codeHash: "i1", at: Self.at(6)) && !db.platform.claimInvitation(codeHash: "i1", at: Self.at(7)))
        #expect(try !db.platform.claimInvitation(codeHash: "unknown", at: Self.at(7)))
        try db.platform.finishInvitation(codeHash: "i1", user: nil)
        #expect(try db.platform.invitations() == [Invitation(codeHash: "i1", createdBy: "root", createdAt: Self.at(5), usedAt: nil, usedBy: nil)], "given back")
        #expect(try db.platform.claimInvitation(codeHash: "i1", at: Self.at(8)))
        try db.platform.finishInvitation(codeHash: "i1", user: ann)
        #expect(try db.platform.invitations() == [Invitation(codeHash: "i1", createdBy: "root", createdAt: Self.at(5), usedAt: Self.at(8), usedBy: ann)])
    }

    @Test(arguments: Kind.allCases)
    func theAuditLogChainsPagesAndVerifies(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        var appended: [AuditEntry] = []
        for n in 0..<7 {
            let record = AuditRecord(
                at: Self.at(Double(n)), userID: n == 3 ? nil : ann, actor: "ann", address: n % 2 == 0 ? "10.0.0.\(n)" : nil,
                action: n == 1 ? AuditAction.loginSuccess : AuditAction.change, detail: "step \(n), \"quoted\"")
            appended.append(try db.audit.append(record))
        }
        #expect(appended.map(\.seq) == Array(1...7) && appended[1].previousHash == appended[0].hash)
        #expect(try db.audit.chain(afterSeq: 0, limit: 100) == appended, "read back exactly as appended")
        let verified = try db.audit.verify(pageSize: 3)
        #expect(verified.checked == 7 && verified.broken == nil, "read in pages of 3")
        #expect(try db.audit.entries(user: nil, beforeSeq: nil, limit: 2).map(\.seq) == [7, 6])
        #expect(try db.audit.entries(user: ann, beforeSeq: 6, limit: 10).map(\.seq) == [5, 3, 2, 1])
        #expect(try db.audit.lastSignIns() == [ann: Self.at(1)])
    }
}

/// The optimisations' store on SQLite, PostgreSQL and in memory (issue 20).
@Suite(.serialized) struct OptimizationStoreConformanceTests {
    static func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_800_000_000 + seconds) }

    @Test(arguments: CentralStoreConformanceTests.Kind.allCases)
    func optimizationsAreKeptPerUser(_ kind: CentralStoreConformanceTests.Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.at(0))
        for (n, user) in [(1, ann), (2, ann), (3, bob)] {
            try db.optimizations.create(OptimizationRecord(
                id: "o\(n)", user: user, createdAt: Self.at(Double(n)), strategy: "sma_cross", symbol: "BTCUSDT", runner: n == 3 ? "host-b" : "host-a", request: "{}"))
        }
        try db.optimizations.finish(id: "o1", status: .done, report: "{\"best\":1}", error: nil, at: Self.at(10))
        try db.optimizations.finish(id: "o1", status: .failed, report: nil, error: "late", at: Self.at(11))
        #expect(try db.optimizations.list(user: ann, limit: 10).map(\.id) == ["o2", "o1"])
        #expect(try db.optimizations.list(user: ann, limit: 10).allSatisfy { $0.report == nil }, "lists leave the reports out")
        let done = try #require(try db.optimizations.get(user: ann, id: "o1"))
        #expect(done.status == .done && done.report == "{\"best\":1}" && done.finishedAt == Self.at(10) && done.error == nil, "a finished one stays finished")
        #expect(try db.optimizations.get(user: bob, id: "o1") == nil, "another user's is not found")
        #expect(try db.optimizations.interruptRunning(runner: "host-b", at: Self.at(20)) == 1, "only the restarted web's own")
        #expect(try db.optimizations.get(user: bob, id: "o3")?.status == .interrupted)
        #expect(try db.optimizations.get(user: ann, id: "o2")?.status == .running)
        #expect(try db.optimizations.get(user: ann, id: "o2")?.runner == "host-a")
    }
}
