import Foundation
import Synchronization

/// ``NotificationStore`` in memory, for unit tests.
public final class InMemoryNotificationStore: NotificationStore {
    struct Row {
        var item: OutboxItem
        var state = "pending"
        var result: String?
        var doneAt: Date?
    }

    struct State {
        var channels: [Int64: NotificationChannel] = [:]
        var outbox: [Row] = []
        var nextChannel: Int64 = 1
        var nextItem: Int64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    public func channels(for user: UserID) throws -> [NotificationChannel] {
        state.withLock { $0.channels.values.filter { $0.userID == user }.sorted { $0.id < $1.id } }
    }

    public func channel(_ id: Int64) throws -> NotificationChannel? { state.withLock { $0.channels[id] } }

    public func allChannels() throws -> [NotificationChannel] { state.withLock { $0.channels.values.sorted { $0.id < $1.id } } }

    public func saveChannel(_ channel: NotificationChannel) throws -> Int64 {
        state.withLock { state in
            var stored = channel
            if stored.id == 0 {
                stored.id = state.nextChannel
                state.nextChannel += 1
            } else if let old = state.channels[stored.id] {
                (stored.lastResult, stored.lastResultAt, stored.lastOK) = (old.lastResult, old.lastResultAt, old.lastOK)
            }
            state.channels[stored.id] = stored
            return stored.id
        }
    }

    public func deleteChannel(_ id: Int64, for user: UserID) throws -> Bool {
        state.withLock { state in
            guard state.channels[id]?.userID == user else { return false }
            state.channels[id] = nil
            state.outbox.removeAll { $0.item.channelID == id }
            return true
        }
    }

    public func link(channel id: Int64, chat: String) throws {
        state.withLock { state in
            state.channels[id]?.target = chat
            state.channels[id]?.linkCode = nil
        }
    }

    public func setUpdateOffset(channel id: Int64, _ offset: Int64) throws { state.withLock { $0.channels[id]?.updateOffset = offset } }

    public func setResult(channel id: Int64, ok: Bool, result: String, at: Date) throws {
        state.withLock { state in
            state.channels[id]?.lastOK = ok
            state.channels[id]?.lastResult = result
            state.channels[id]?.lastResultAt = at
        }
    }

    public func enqueue(_ items: [OutboxItem]) throws -> Int {
        state.withLock { state in
            var queued = 0
            for item in items where !state.outbox.contains(where: { $0.item.channelID == item.channelID && $0.item.key == item.key }) {
                var stored = item
                stored.id = state.nextItem
                stored.attempts = 0
                state.nextItem += 1
                state.outbox.append(Row(item: stored))
                queued += 1
            }
            return queued
        }
    }

    public func due(now: Date, users: Set<UserID>?, limit: Int) throws -> [OutboxItem] {
        state.withLock { state in
            Array(
                state.outbox.filter { $0.state == "pending" && $0.item.nextAt <= now && (users?.contains($0.item.userID) ?? true) }.map(\.item).prefix(limit))
        }
    }

    public func delivered(_ ids: [Int64], at: Date) throws { finish(ids, state: "delivered", result: nil, at: at) }

    public func retry(_ ids: [Int64], next: Date, result: String) throws {
        state.withLock { state in
            for index in state.outbox.indices where ids.contains(state.outbox[index].item.id) {
                state.outbox[index].item.attempts += 1
                state.outbox[index].item.nextAt = next
                state.outbox[index].result = result
            }
        }
    }

    public func giveUp(_ ids: [Int64], result: String, at: Date) throws { finish(ids, state: "failed", result: result, at: at) }

    public func pendingCount(channel id: Int64) throws -> Int {
        state.withLock { $0.outbox.filter { $0.item.channelID == id && $0.state == "pending" }.count }
    }

    public func prune(before date: Date) throws {
        state.withLock { state in state.outbox.removeAll { $0.state != "pending" && ($0.doneAt ?? .distantFuture) < date } }
    }

    private func finish(_ ids: [Int64], state name: String, result: String?, at: Date) {
        state.withLock { state in
            for index in state.outbox.indices where ids.contains(state.outbox[index].item.id) {
                state.outbox[index].item.attempts += 1
                state.outbox[index].state = name
                state.outbox[index].result = result
                state.outbox[index].doneAt = at
            }
        }
    }
}
