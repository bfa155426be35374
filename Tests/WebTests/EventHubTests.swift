import Common
import Foundation
import Testing

@testable import Web

/// The hub against in-memory stores: numbered events, the replay to a page that reconnects, and
/// the reload when it cannot be told what it missed. No server, no poller: each test calls `poll`.
@Suite struct EventHubTests {
    let database = CentralDatabase.inMemory()

    func user() throws -> UserID { try database.users.createUser(username: "kim", passwordHash: "-", at: Date()) }

    func addFill(_ trade: Int64, for user: UserID) throws {
        try database.trading.saveFill(TradingRouteTests.fill(trade, minute: Int(trade)), for: user)
    }

    /// The fills a stream has ready now, with their ids (the stream never waits here: `poll` has
    /// already yielded everything, and the hub then finishes the stream).
    static func fills(_ messages: AsyncStream<HubMessage>) async -> [(id: LiveEventID, tradeID: Int64)] {
        var found: [(LiveEventID, Int64)] = []
        for await message in messages {
            guard case .event(let id, let event) = message, event.name == "fill" else { continue }
            if let trade = Self.tradeID(event) { found.append((id, trade)) }
        }
        return found
    }

    static func tradeID(_ event: LiveEvent) -> Int64? {
        ((try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any])?["trade_id"] as? Int64
    }

    static func tradeIDs(_ decision: EventReplayLog.Decision) -> [Int64]? {
        guard case .replay(let entries) = decision else { return nil }
        return entries.filter { $0.event.name == "fill" }.compactMap { tradeID($0.event) }
    }

    @Test func eventsAreNumberedUpwardsFromTheConnectionsMark() async throws {
        let user = try user()
        let hub = EventHub(database: database, epoch: "e1")
        let page = await hub.subscribe(user)
        #expect(page.decision == .fresh)
        try addFill(1, for: user)
        await hub.poll()
        try addFill(2, for: user)
        await hub.poll()
        await hub.closeAll()
        let fills = await Self.fills(page.messages)
        #expect(fills.map(\.tradeID) == [1, 2])
        #expect(fills.allSatisfy { $0.id.epoch == "e1" })
        #expect(fills.map(\.id.sequence) == fills.map(\.id.sequence).sorted())
        #expect(try #require(fills.first).id.sequence > page.mark.sequence)
    }

    @Test func aPageThatReconnectsGetsWhatItMissed() async throws {
        let user = try user()
        let hub = EventHub(database: database, epoch: "e1")
        let first = await hub.subscribe(user)
        try addFill(1, for: user)
        await hub.poll()
        // The page goes away (a network break); fills go on while it is away.
        await hub.unsubscribe(user, first.id)
        try addFill(2, for: user)
        try addFill(3, for: user)
        await hub.poll()
        // It last saw fill 1, and comes back with that id.
        var iterator = first.messages.makeAsyncIterator()
        guard case .event(let seen, let event)? = await iterator.next() else { Issue.record("no event"); return }
        #expect(Self.tradeID(event) == 1)
        let again = await hub.subscribe(user, lastEventID: seen.description)
        #expect(Self.tradeIDs(again.decision) == [2, 3])
        // A page that saw nothing since its connection's mark gets everything after it.
        let fromMark = await hub.subscribe(user, lastEventID: first.mark.description)
        #expect(Self.tradeIDs(fromMark.decision) == [1, 2, 3])
        // The new connection's mark is the newest event: a reconnect from there misses nothing.
        #expect(await hub.subscribe(user, lastEventID: again.mark.description).decision == .replay([]))
    }

    @Test func aRestartedWebTellsAnOldPageToReload() async throws {
        let user = try user()
        let before = EventHub(database: database, epoch: LiveEventID.newEpoch())
        let page = await before.subscribe(user)
        let after = EventHub(database: database, epoch: LiveEventID.newEpoch())
        #expect(await after.subscribe(user, lastEventID: page.mark.description).decision == .reload)
    }

    @Test func aPageAwayLongerThanTheLingerIsToldToReload() async throws {
        let user = try user()
        let hub = EventHub(database: database, epoch: "e1", linger: 60)
        let page = await hub.subscribe(user)
        let left = Date()
        await hub.unsubscribe(user, page.id, now: left)
        await hub.poll(now: left.addingTimeInterval(30))
        #expect(await hub.isWatching)
        await hub.poll(now: left.addingTimeInterval(61))
        #expect(await !hub.isWatching)
        // Fills recorded while no one watched were never numbered: the page must reload.
        try addFill(1, for: user)
        #expect(await hub.subscribe(user, lastEventID: page.mark.description).decision == .reload)
    }

    @Test func aBurstLargerThanTheLogMeansReload() async throws {
        let user = try user()
        let hub = EventHub(database: database, epoch: "e1", logCapacity: 2)
        let page = await hub.subscribe(user)
        for trade in Int64(1)...3 { try addFill(trade, for: user) }
        await hub.poll()
        #expect(await hub.subscribe(user, lastEventID: page.mark.description).decision == .reload)
    }

    @Test func theHubsOwnPayloadsKeepTheirShape() throws {
        let user = try user()
        let id = try database.commands.record(user: user, command: "stop", payload: nil, at: Date())
        let sent = try #require(try database.commands.command(id: id))
        #expect(LivePayload.text(LivePayload.Command(sent)) == #"{"acknowledged_at":null,"command":"stop","command_id":1,"result":null}"#)
        try database.commands.markAcknowledged(user: user, id: id, result: "ok", at: Date(timeIntervalSince1970: 1_790_000_000))
        let acknowledged = try #require(try database.commands.command(id: id))
        #expect(
            LivePayload.text(LivePayload.Command(acknowledged))
                == #"{"acknowledged_at":"2026-09-21T14:13:20.000Z","command":"stop","command_id":1,"result":"ok"}"#
        )
        #expect(LivePayload.text(LivePayload.Reload(reason: "missed_events")) == #"{"reason":"missed_events"}"#)
    }

    @Test func theHeartbeatSaysWhetherTheWorkerIsAlive() throws {
        let user = try user()
        let now = Date()
        try database.exchangeKeys.storeKey(
            StoredExchangeKey(userID: user, apiKeyToken: "k", apiSecretToken: "s", maskedKey: "ab…cd", canTrade: true, verifiedAt: nil), at: now
        )
        var worker = ProcessStatus(process: ProcessStatus.workerName(user), userID: user, state: .running)
        worker.pid = 123
        worker.lastHeartbeatAt = now
        try database.processes.save([worker], at: now)
        let text = LivePayload.text(LivePayload.Heartbeat(try BotView.load(database, user: user, now: now)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["alive", "last_heartbeat", "state"])
        #expect(object["alive"] as? Bool == true)
        #expect(object["last_heartbeat"] as? String == Timestamp.string(now))
    }
}
