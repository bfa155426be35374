import Synchronization

/// Values read from central.sqlite, kept while ``CentralChangeWatch``'s generation stays the one
/// they were read at. The generation is taken before the read, so a value read while the file
/// changed is stamped with the older generation and dropped at the next look.
///
/// All entries share one generation: when it moves, the whole cache is emptied at the next
/// store (old entries are never served again, and memory stays bounded by what one generation
/// reads, capped at `capacity` entries and `maxCost` of their `cost`, such as bytes).
public final class GenerationCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Store {
        var generation: UInt64 = 0
        var values: [Key: Value] = [:]
        var cost = 0
    }
    private let store = Mutex(Store())
    private let capacity: Int
    private let maxCost: Int
    private let cost: @Sendable (Value) -> Int

    public init(capacity: Int = 4096, maxCost: Int = .max, cost: @escaping @Sendable (Value) -> Int = { _ in 0 }) {
        self.capacity = capacity
        self.maxCost = maxCost
        self.cost = cost
    }

    /// The value of `key` at `generation`: the cached one, or `load()`'s, then kept.
    /// A thrown error is not cached.
    public func value(_ key: Key, at generation: UInt64, load: () throws -> Value) rethrows -> Value {
        if let cached = cached(key, at: generation) { return cached }
        let value = try load()
        store(value, for: key, at: generation)
        return value
    }

    /// The value kept for `key` if it was read at `generation`.
    public func cached(_ key: Key, at generation: UInt64) -> Value? {
        store.withLock { $0.generation == generation ? $0.values[key] : nil }
    }

    /// Keeps `value`, read at `generation` (taken before the read).
    public func store(_ value: Value, for key: Key, at generation: UInt64) {
        let added = cost(value)
        // One value past the whole budget is not kept (it would empty the cache for nothing).
        guard added <= maxCost else { return }
        store.withLock { store in
            // A value from an older generation than the one kept is already old: not kept.
            guard generation >= store.generation else { return }
            if let replaced = store.values.removeValue(forKey: key) { store.cost -= cost(replaced) }
            if generation != store.generation || store.values.count >= capacity || store.cost + added > maxCost {
                store.values.removeAll(keepingCapacity: true)
                store.cost = 0
                store.generation = generation
            }
            store.values[key] = value
            store.cost += added
        }
    }

    /// Forgets `key` (this process changed what it names).
    public func remove(_ key: Key) {
        store.withLock { store in
            if let removed = store.values.removeValue(forKey: key) { store.cost -= cost(removed) }
        }
    }

    /// The summed cost of the kept values.
    public var totalCost: Int { store.withLock { $0.cost } }

    public var count: Int { store.withLock { $0.values.count } }
}
