import Common
import Foundation
import Logging
import Testing

@testable import Supervisor

/// Which uid each child gets under uid isolation, decided without touching the system: the web
/// at `first_uid`, the simulator at +1, user N's worker at +10+N, and nothing past the range.
@Suite struct UIDAllocationTests {
    static let mode = Isolation.Mode.uids(first: 60_000, count: 100)

    @Test func eachChildHasItsOwnUidAndAccountName() throws {
        #expect(try Isolation.web(Self.mode) == Identity(uid: 60_000, gid: 60_000, name: "ctp-web"))
        #expect(try Isolation.sim(Self.mode) == Identity(uid: 60_001, gid: 60_001, name: "ctp-sim"))
        #expect(try Isolation.worker(Self.mode, UserID(1)) == Identity(uid: 60_011, gid: 60_011, name: "ctp-u1"))
        #expect(try Isolation.worker(Self.mode, UserID(89)) == Identity(uid: 60_099, gid: 60_099, name: "ctp-u89"))
    }

    @Test func aUidPastTheRangeIsRefused() throws {
        #expect(throws: Isolation.Failure.self) { try Isolation.worker(Self.mode, UserID(90)) }
        let tiny = Isolation.Mode.uids(first: 60_000, count: 1)
        #expect(try Isolation.web(tiny)?.uid == 60_000)
        do {
            _ = try Isolation.sim(tiny)
            Issue.record("the simulator's uid is past a range of 1")
        } catch {
            #expect(error.description == "ctp-sim needs uid 60001, past the configured range of 1 uids from 60000 (isolation.uid_count)")
        }
    }

    @Test func withFileModesOnlyEveryChildKeepsTheSupervisorsUid() throws {
        let off = Isolation.Mode.fileModes(reason: "the supervisor does not run as root (uid 1000)")
        #expect(try Isolation.web(off) == nil)
        #expect(try Isolation.sim(off) == nil)
        #expect(try Isolation.worker(off, UserID(1_000_000)) == nil)
        #expect(!Isolation(mode: off, logger: .init(label: "test")).isOn)
        #expect(Isolation(mode: Self.mode, logger: .init(label: "test")).isOn)
    }
}
