import CentralPostgres
import Common
import Foundation
import Testing

/// The webs' live updates on PostgreSQL: the feed moves at each announced batch of writes (a
/// `NOTIFY`), not at a write nobody announced (a heartbeat), says it is not listening while the
/// server is down, and moves again when it is back (the web's catch-up read).
@Suite(.serialized) struct PostgresChangeFeedTests {
    @Test func theFeedMovesAtEachAnnouncementAndAfterAServerRestart() async throws {
        let cluster = try PostgresCluster.get()
        let location = try cluster.newDatabase()
        let db = try CentralDatabase.migrate(PostgresSession(location))
        let feed = try #require(db.changeFeed)
        let listening = Task { await feed.run() }
        defer { listening.cancel() }
        #expect(await waitUntil(.seconds(10)) { feed.version != nil })
        let first = try #require(feed.version)

        db.announceChanges()
        #expect(await waitUntil(.seconds(2)) { (feed.version ?? 0) > first })
        let announced = try #require(feed.version)
        // A write nobody announces (a heartbeat's status) moves nothing.
        try db.processes.save([ProcessStatus(process: "web", userID: nil, state: .running)], at: Date())
        try await Task.sleep(for: .milliseconds(300))
        #expect(feed.version == announced)

        try cluster.stopServer(mode: "fast")
        let lost = await waitUntil(.seconds(10)) { feed.version == nil }
        try cluster.startServer()
        #expect(lost)
        #expect(await waitUntil(.seconds(10)) { (feed.version ?? 0) > announced })
        let back = try #require(feed.version)
        db.announceChanges()
        #expect(await waitUntil(.seconds(5)) { (feed.version ?? 0) > back })
    }
}
