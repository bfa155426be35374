import Common
import Foundation
import Testing

@testable import Supervisor

/// Reports the database could not take wait per user in arrival order, and past the capacity the
/// oldest are dropped and counted.
@Suite struct ReportBacklogTests {
    static func entry(_ n: Int) -> ReportBacklog.Entry {
        .init(report: .event(level: "info", kind: "k", message: "m\(n)"), leaseEpoch: 1, at: Date(timeIntervalSince1970: Double(n)))
    }

    @Test func reportsWaitPerUserInArrivalOrder() {
        var backlog = ReportBacklog(capacity: 10)
        let (ann, bob) = (UserID(1), UserID(2))
        backlog.append(Self.entry(1), for: ann)
        backlog.append(Self.entry(2), for: bob)
        backlog.append(Self.entry(3), for: ann)
        #expect(backlog.users == [ann, bob] && backlog.count == 3)
        #expect(backlog.hasWaiting(ann) && backlog.first(of: ann) == Self.entry(1))
        backlog.removeFirst(of: ann)
        #expect(backlog.first(of: ann) == Self.entry(3))
        backlog.removeFirst(of: ann)
        #expect(!backlog.hasWaiting(ann) && backlog.users == [bob])
        backlog.removeFirst(of: bob)
        #expect(backlog.isEmpty && backlog.users.isEmpty)
        backlog.removeFirst(of: bob)
        #expect(backlog.count == 0)
    }

    @Test func pastItsCapacityTheOldestAreDroppedAndCounted() {
        var backlog = ReportBacklog(capacity: 3)
        let (ann, bob) = (UserID(1), UserID(2))
        backlog.append(Self.entry(1), for: ann)
        backlog.append(Self.entry(2), for: bob)
        backlog.append(Self.entry(3), for: ann)
        backlog.append(Self.entry(4), for: bob)
        #expect(backlog.count == 3 && backlog.dropped == 1)
        #expect(backlog.first(of: ann) == Self.entry(3) && backlog.first(of: bob) == Self.entry(2))
        backlog.append(Self.entry(5), for: bob)
        #expect(backlog.dropped == 2 && !backlog.hasWaiting(ann) && backlog.users == [bob])
    }
}
