import Foundation
import Synchronization

/// ``SignalHookStore`` in memory, for unit tests.
public final class InMemorySignalHookStore: SignalHookStore {
    struct State {
        var hooks: [String: SignalHook] = [:]
        var records: [SignalHookRecord] = []
        var nextID: Int64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    public func hook(id: String) throws -> SignalHook? { state.withLock { $0.hooks[id] } }

    public func hook(bot: Int64, for user: UserID) throws -> SignalHook? {
        state.withLock { $0.hooks.values.first { $0.botID == bot && $0.userID == user } }
    }

    public func saveHook(_ hook: SignalHook) throws {
        state.withLock { state in
            state.hooks = state.hooks.filter { $0.value.botID != hook.botID }
            state.hooks[hook.id] = hook
        }
    }

    public func updateLimits(bot: Int64, for user: UserID, _ limits: SignalHookLimits) throws -> Bool {
        state.withLock { state in
            guard var hook = state.hooks.values.first(where: { $0.botID == bot && $0.userID == user }) else { return false }
            hook.maxLagSeconds = limits.maxLagSeconds
            hook.perMinute = limits.perMinute
            hook.allowedAddresses = limits.allowedAddresses
            state.hooks[hook.id] = hook
            return true
        }
    }

    public func deleteHook(bot: Int64, for user: UserID) throws -> Bool {
        state.withLock { state in
            let before = state.hooks.count
            state.hooks = state.hooks.filter { !($0.value.botID == bot && $0.value.userID == user) }
            return state.hooks.count < before
        }
    }

    public func seen(hook: String, signalID: String) throws -> Bool {
        state.withLock { $0.records.contains { $0.hookID == hook && $0.signalID == signalID && $0.accepted } }
    }

    public func count(hook: String, since: Date) throws -> Int {
        state.withLock { $0.records.count { $0.hookID == hook && $0.receivedAt >= since } }
    }

    public func record(_ record: SignalHookRecord) throws -> Int64 {
        try state.withLock { state throws(SignalReplayed) in
            if record.accepted, let signalID = record.signalID,
                state.records.contains(where: { $0.hookID == record.hookID && $0.signalID == signalID && $0.accepted })
            {
                throw SignalReplayed()
            }
            var record = record
            record.id = state.nextID
            state.nextID += 1
            state.records.append(record)
            return record.id
        }
    }

    public func settle(record id: Int64, accepted: Bool, reason: String?, commandID: Int64?) throws {
        state.withLock { state in
            guard let index = state.records.firstIndex(where: { $0.id == id }) else { return }
            state.records[index].accepted = accepted
            state.records[index].reason = reason
            state.records[index].commandID = commandID
        }
    }

    public func records(bot: Int64, for user: UserID, limit: Int) throws -> [SignalHookRecord] {
        state.withLock { Array($0.records.filter { $0.botID == bot && $0.userID == user }.reversed().prefix(limit)) }
    }
}
