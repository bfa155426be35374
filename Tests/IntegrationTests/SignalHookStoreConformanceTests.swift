import CentralPostgres
import Foundation
import Testing

@testable import Common

/// Bots' signal hooks and their records (`signal_hooks`, `signal_records`) on SQLite,
/// PostgreSQL and in memory: a hook found by its id and by its bot, replaced when regenerated,
/// limits changed, another user's bot unknown; records newest first, counted for the rate,
/// an accepted `id` seen (and a second accepted one refused as a replay), settled; a deleted bot
/// takes its hook and records with it.
@Suite struct SignalHookStoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static func at(_ seconds: Double) -> Date { CentralStoreConformanceTests.at(seconds) }

    static let dca = BotDefinition(
        name: "signal dca", mode: .paper, allocationUsdt: 100,
        plan: .dca(DCAParameters(symbol: "BTCUSDT", baseOrder: 10, safetyOrders: 0, deviationPct: 1, stepScale: 1, volumeScale: 1, takeProfitPct: 2, start: .signal)),
        paperBalances: ["USDT": 100])

    @Test(arguments: Kind.allCases)
    func hooksAndRecordsReadBackAsWrittenAndBelongToTheirBot(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.at(0))
        let bot = try db.bots.createBot(Self.dca, for: ann, limits: BotLimits(), at: Self.at(0)).id
        let store = db.signalHooks

        #expect(try store.hook(bot: bot, for: ann) == nil)
        let (hook, _) = SignalHook.make(user: ann, bot: bot, limits: SignalHookLimits(maxLagSeconds: 30, perMinute: 5, allowedAddresses: ["10.0.0.1", "::1"]), at: Self.at(1.25))
        try store.saveHook(hook)
        #expect(try store.hook(id: hook.id) == hook)
        #expect(try store.hook(bot: bot, for: ann) == hook)
        #expect(try store.hook(bot: bot, for: bob) == nil)
        #expect(try store.updateLimits(bot: bot, for: bob, SignalHookLimits()) == false)
        #expect(try store.updateLimits(bot: bot, for: ann, SignalHookLimits(maxLagSeconds: 90, perMinute: 7)) == true)
        #expect(try store.hook(id: hook.id)?.limits == SignalHookLimits(maxLagSeconds: 90, perMinute: 7))

        // Records: newest first, counted since a time, accepted ids seen, a second accepted one refused.
        func record(_ seconds: Double, accepted: Bool, id: String?, reason: String? = nil) -> SignalHookRecord {
            SignalHookRecord(
                hookID: hook.id, userID: ann, botID: bot, receivedAt: Self.at(seconds), address: "10.0.0.1", accepted: accepted, reason: reason,
                action: "start_deal", signalID: id)
        }
        let first = try store.record(record(10, accepted: true, id: "a-1"))
        _ = try store.record(record(11, accepted: false, id: nil, reason: "stale: old"))
        _ = try store.record(record(12, accepted: false, id: "a-1", reason: "replayed: again"))
        #expect(throws: SignalReplayed.self) { try store.record(record(13, accepted: true, id: "a-1")) }
        #expect(try store.seen(hook: hook.id, signalID: "a-1"))
        #expect(try !store.seen(hook: hook.id, signalID: "a-2"))
        #expect(try store.count(hook: hook.id, since: Self.at(11)) == 2)
        try store.settle(record: first, accepted: true, reason: nil, commandID: 42)
        let records = try store.records(bot: bot, for: ann, limit: 10)
        #expect(records.map(\.receivedAt) == [Self.at(12), Self.at(11), Self.at(10)])
        #expect(records.last == SignalHookRecord(
            id: first, hookID: hook.id, userID: ann, botID: bot, receivedAt: Self.at(10), address: "10.0.0.1", accepted: true, action: "start_deal",
            signalID: "a-1", commandID: 42))
        #expect(records.first?.reason == "replayed: again")
        #expect(try store.records(bot: bot, for: bob, limit: 10).isEmpty)
        #expect(try store.records(bot: bot, for: ann, limit: 1).count == 1)

        // Regenerated: a new id; the old one is unknown, the records stay.
        let (again, _) = SignalHook.make(user: ann, bot: bot, limits: hook.limits, at: Self.at(20))
        try store.saveHook(again)
        #expect(try store.hook(id: hook.id) == nil)
        #expect(try store.hook(bot: bot, for: ann)?.id == again.id)
        #expect(try store.records(bot: bot, for: ann, limit: 10).count == 3)
        #expect(try store.deleteHook(bot: bot, for: bob) == false)
        #expect(try store.deleteHook(bot: bot, for: ann) == true)
        #expect(try store.hook(id: again.id) == nil)

        // A deleted bot takes its hook and records along (SQLite and PostgreSQL by their keys).
        guard kind != .memory else { return }
        try store.saveHook(again)
        #expect(try db.bots.deleteBot(bot, for: ann))
        #expect(try store.hook(id: again.id) == nil)
        #expect(try store.records(bot: bot, for: ann, limit: 10).isEmpty)
    }
}
