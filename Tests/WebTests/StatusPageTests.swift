import Common
import Foundation
import Testing

@testable import Web

/// The status page on several hosts: every host sharing the database in place of the one
/// supervisor's line, each host's own web row, and a silent host said to be silent.
@Suite struct StatusPageTests {
    static let viewer = Layout.Viewer(username: "ana", csrfToken: "token")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func severalHostsAreListedInsteadOfTheLastSupervisorsLine() {
        let hosts = [
            HostRecord(id: "h1", capacity: 100, draining: false, startedAt: Self.now.addingTimeInterval(-60), seenAgo: 0.4, users: 3),
            HostRecord(id: "h2", capacity: 100, draining: true, startedAt: Self.now.addingTimeInterval(-60), seenAgo: 1, users: 1),
            HostRecord(id: "h3", capacity: 100, draining: false, startedAt: Self.now.addingTimeInterval(-60), seenAgo: 12.4, users: 2),
        ]
        let statuses = [
            ProcessStatus(process: "web@h1", state: .running), ProcessStatus(process: "web@h2", state: .running),
            ProcessStatus(process: ProcessStatus.workerName(UserID(9)), userID: UserID(9), state: .running),
        ]
        let info = ["state": "running", "pid": "4242", "started_at": "2027-01-15T08:00:00.000Z", "database": "postgres postgres://ctp@db/ctp", "host_id": "h2"]
        let page = StatusPage.render(
            statuses: statuses, info: info, exchange: "sim", viewer: Self.viewer, user: UserID(1), lease: nil, hosts: hosts, now: Self.now
        )
        let started = DisplayTime.text(Self.now.addingTimeInterval(-60), .gmt)
        #expect(page.contains("<li>h1: running since \(started); workers: 3 (at most 100)</li>"), "\(page)")
        #expect(page.contains("h2: draining"))
        #expect(page.contains("h3: not heard from for 12 s"))
        // The last supervisor's pid is not offered as "the" supervisor's.
        #expect(!page.contains("4242"))
        #expect(page.contains("web@h1") && page.contains("web@h2"))
        // Another user's worker is never shown.
        #expect(!page.contains(ProcessStatus.workerName(UserID(9))))

        let none = StatusPage.render(statuses: [], info: info, exchange: "sim", viewer: Self.viewer, user: UserID(1), hosts: [], now: Self.now)
        #expect(none.contains("no host has joined yet"))
        let single = StatusPage.render(statuses: [], info: info, exchange: "sim", viewer: Self.viewer, user: UserID(1), now: Self.now)
        #expect(single.contains("running (pid 4242)") && !single.contains("Hosts sharing"))
    }
}
