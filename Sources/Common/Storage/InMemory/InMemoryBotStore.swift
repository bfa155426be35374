import Foundation
import Synchronization

/// ``BotStore`` in memory, for unit tests: ids shared by every user and never reused, a user's
/// bots oldest first, names compared without case as SQLite's `NOCASE` index does.
public final class InMemoryBotStore: BotStore {
    struct State {
        var bots: [(user: UserID, record: BotRecord)] = []
        var lastID: Int64 = 0
        var statuses: [Int64: (user: UserID, status: BotRunStatus)] = [:]
        var equity: [Int64: [(time: Date, value: Decimal)]] = [:]
    }

    let state = Mutex(State())
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func bots(for user: UserID) throws -> [BotRecord] {
        state.withLock { state in state.bots.filter { $0.user == user }.map(\.record) }
    }

    public func firstBotID(for user: UserID) throws -> Int64? {
        state.withLock { state in state.bots.first { $0.user == user }?.record.id }
    }

    public func addBotEquity(_ value: Decimal, bot: Int64, for user: UserID, at: Date, every: TimeInterval) throws {
        let added = state.withLock { state in
            guard state.bots.contains(where: { $0.user == user && $0.record.id == bot }),
                !(state.equity[bot] ?? []).contains(where: { StoredMillis.of($0.time) > StoredMillis.of(at.addingTimeInterval(-every)) })
            else { return false }
            state.equity[bot, default: []].append((at, value))
            return true
        }
        if added { changes.bump() }
    }

    public func botEquity(_ bot: Int64, for user: UserID, limit: Int, before: Date?) throws -> [(time: Date, totalUSDT: Decimal)] {
        state.withLock { state in
            guard state.bots.contains(where: { $0.user == user && $0.record.id == bot }) else { return [] }
            let end = StoredMillis.of(before ?? .distantFuture)
            return (state.equity[bot] ?? []).filter { StoredMillis.of($0.time) < end }.sorted { $0.time > $1.time }.prefix(limit).map { ($0.time, $0.value) }
        }
    }

    public func traderBotID(for user: UserID) throws -> Int64? {
        state.withLock { state in state.bots.first { $0.user == user }.flatMap { $0.record.isHosted ? nil : $0.record.id } }
    }

    public func liveHostedBotIDs(for user: UserID) throws -> Set<Int64> {
        state.withLock { state in
            Set(state.bots.filter { $0.user == user && $0.record.isHosted && $0.record.definition.mode == .live }.map(\.record.id))
        }
    }

    public func bot(_ id: Int64, for user: UserID) throws -> BotRecord? {
        state.withLock { state in state.bots.first { $0.user == user && $0.record.id == id }?.record }
    }

    public func createBot(_ definition: BotDefinition, for user: UserID, limits: BotLimits, at: Date) throws -> BotRecord {
        let record: BotRecord = try state.withLock { state throws(SettingsError) in
            let names = state.bots.filter { $0.user == user }.map(\.record.definition.name)
            if let refusal = limits.refusal(adding: definition.name, to: names) { throw refusal }
            state.lastID += 1
            let record = BotRecord(id: state.lastID, definition: definition, createdAt: at, updatedAt: at)
            state.bots.append((user, record))
            return record
        }
        changes.bump()
        return record
    }

    public func updateBot(_ id: Int64, _ definition: BotDefinition, for user: UserID, at: Date) throws -> BotRecord? {
        let record: BotRecord? = try state.withLock { state throws(SettingsError) in
            guard let index = state.bots.firstIndex(where: { $0.user == user && $0.record.id == id }) else { return nil }
            let others = state.bots.filter { $0.user == user && $0.record.id != id }.map(\.record.definition.name)
            if let refusal = BotLimits(maxPerUser: .max).refusal(adding: definition.name, to: others) { throw refusal }
            state.bots[index].record.definition = definition
            state.bots[index].record.updatedAt = at
            return state.bots[index].record
        }
        if record != nil { changes.bump() }
        return record
    }

    public func deleteBot(_ id: Int64, for user: UserID) throws -> Bool {
        let deleted = state.withLock { state in
            let before = state.bots.count
            state.bots.removeAll { $0.user == user && $0.record.id == id }
            return state.bots.count < before
        }
        if deleted { changes.bump() }
        return deleted
    }

    public func setWanted(_ id: Int64, _ wanted: Bool, for user: UserID, at: Date) throws -> Bool {
        let found = state.withLock { state in
            guard let index = state.bots.firstIndex(where: { $0.user == user && $0.record.id == id }) else { return false }
            state.bots[index].record.wanted = wanted
            state.bots[index].record.wantedAt = at
            return true
        }
        if found { changes.bump() }
        return found
    }

    public func usersWithWantedPaperBots() throws -> Set<UserID> {
        state.withLock { state in
            Set(state.bots.filter { bot in
                let running = ["running", "starting"].contains(state.statuses[bot.record.id]?.status.state ?? "")
                return (bot.record.wanted || running) && bot.record.isHosted && bot.record.definition.mode == .paper
            }.map(\.user))
        }
    }

    public func saveStatus(_ status: BotRunStatus, for user: UserID, at: Date) throws -> Bool {
        let saved = state.withLock { state in
            guard state.bots.contains(where: { $0.user == user && $0.record.id == status.botID }) else { return false }
            state.statuses[status.botID] = (user, status)
            return true
        }
        if saved { changes.bump() }
        return saved
    }

    public func statuses(for user: UserID) throws -> [Int64: BotRunStatus] {
        state.withLock { state in state.statuses.filter { $0.value.user == user }.mapValues(\.status) }
    }
}
