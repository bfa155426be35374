import CentralPostgres
import Foundation
import Testing

@testable import Common

/// Notification channels and their outbox (`notification_channels`, `notification_outbox`) on
/// SQLite, PostgreSQL and in memory: channels read back as written and belong to their user; a
/// Telegram channel links; a message with a key its channel queued before is dropped; due
/// messages come oldest first, retried ones when due again, delivered and given-up ones never;
/// a deleted channel takes its messages with it.
@Suite struct NotificationStoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static func at(_ seconds: Double) -> Date { CentralStoreConformanceTests.at(seconds) }

    @Test(arguments: Kind.allCases)
    func channelsAndTheOutboxReadBackAsWritten(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Self.at(0))
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Self.at(0))
        let store = db.notifications

        var telegram = NotificationChannel(
            userID: ann, kind: .telegram, name: "phone", target: "", events: [.fills, .botState], secretToken: "sealed-token", linkCode: "ctp-12345678",
            unreachableMinutes: 7, createdAt: Self.at(1.25))
        telegram.id = try store.saveChannel(telegram)
        var hook = NotificationChannel(
            userID: ann, kind: .webhook, name: "hook", target: "https://example.com/…", preset: .discord, events: [.orders], secretToken: "sealed-url",
            createdAt: Self.at(2))
        hook.id = try store.saveChannel(hook)
        let mail = NotificationChannel(userID: bob, kind: .email, name: "mail", target: "bob@example.com", createdAt: Self.at(3))
        let mailID = try store.saveChannel(mail)
        #expect(try store.channels(for: ann) == [telegram, hook])
        #expect(try store.channel(telegram.id) == telegram)
        #expect(try store.allChannels().map(\.id) == [telegram.id, hook.id, mailID])
        #expect(!telegram.isReady)

        // Linked, its offset kept, its last result shown; a change keeps the result.
        try store.link(channel: telegram.id, chat: "111")
        try store.setUpdateOffset(channel: telegram.id, 42)
        try store.setResult(channel: telegram.id, ok: false, result: "failed: 401 from Telegram", at: Self.at(5))
        var read = try #require(try store.channel(telegram.id))
        #expect(read.target == "111" && read.linkCode == nil && read.isReady && read.updateOffset == 42)
        #expect(read.lastOK == false && read.lastResult == "failed: 401 from Telegram" && read.lastResultAt == Self.at(5))
        read.events = [.dailySummary]
        _ = try store.saveChannel(read)
        #expect(try store.channel(telegram.id)?.events == [.dailySummary] && store.channel(telegram.id)?.lastResult == "failed: 401 from Telegram")

        // The master key's rotation re-encrypts the channels' sealed secrets with the exchange keys.
        if kind != .memory {
            #expect(try db.exchangeKeys.allTokens() == ["sealed-token", "sealed-url"])
            #expect(try db.exchangeKeys.reencryptAll { "new-" + $0 } == 2)
            #expect(try store.channel(telegram.id)?.secretToken == "new-sealed-token" && store.channel(hook.id)?.secretToken == "new-sealed-url")
            #expect(try store.channel(mailID)?.secretToken == nil)
        }

        // The outbox: one row per channel and key; due oldest first.
        func item(_ channel: Int64, _ key: String, at seconds: Double, user: UserID = ann) -> OutboxItem {
            OutboxItem(channelID: channel, userID: user, event: "fills", key: key, text: "Filled \(key)", data: #"{"k":"\#(key)"}"#, queuedAt: Self.at(seconds), nextAt: Self.at(seconds))
        }
        #expect(try store.enqueue([item(telegram.id, "a", at: 10), item(hook.id, "a", at: 10), item(telegram.id, "b", at: 11)]) == 3)
        #expect(try store.enqueue([item(telegram.id, "a", at: 12), item(mailID, "m", at: 12, user: bob)]) == 1)
        let due = try store.due(now: Self.at(11), users: nil, limit: 10)
        #expect(due.map(\.key) == ["a", "a", "b"] && due.first?.text == "Filled a" && due.first?.data == #"{"k":"a"}"# && due.first?.queuedAt == Self.at(10))
        #expect(try store.due(now: Self.at(20), users: [bob], limit: 10).map(\.key) == ["m"])
        #expect(try store.pendingCount(channel: telegram.id) == 2)

        try store.delivered([due[0].id], at: Self.at(12))
        try store.retry([due[1].id], next: Self.at(30), result: "503 from example.com")
        try store.giveUp([due[2].id], result: "refused with 401", at: Self.at(12))
        #expect(try store.due(now: Self.at(20), users: [ann], limit: 10).isEmpty)
        let again = try store.due(now: Self.at(30), users: [ann], limit: 10)
        #expect(again.map(\.id) == [due[1].id] && again.first?.attempts == 1 && again.first?.nextAt == Self.at(30))
        #expect(try store.pendingCount(channel: telegram.id) == 0 && store.pendingCount(channel: hook.id) == 1)

        // Finished rows are pruned; another user's channel is not deleted; a deleted one takes its messages.
        try store.prune(before: Self.at(13))
        #expect(try store.enqueue([item(telegram.id, "a", at: 40)]) == 1, "a pruned key may be queued again")
        #expect(try !store.deleteChannel(hook.id, for: bob))
        #expect(try store.deleteChannel(hook.id, for: ann))
        #expect(try store.channel(hook.id) == nil && store.pendingCount(channel: hook.id) == 0)
        #expect(try store.due(now: Self.at(50), users: nil, limit: 10).map(\.key) == ["m", "a"])
    }
}
