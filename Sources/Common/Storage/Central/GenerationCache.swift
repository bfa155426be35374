import Synchronization

/// Values read from central.sqlite, kept while ``CentralChangeWatch``'s generation stays the one
/// they were read at. The generation is taken before the read, so a value read while the file
/// changed is stamped with the older generation and dropped at the next look.
///
/// All entries share one generation: when it moves, the whole cache is emptied at the next
/// store (old entries are never served again, and memory stays bounded by what one generation
/// reads, capped at `capacity`).
public final class GenerationCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Store {
        var generation: UInt64 = 0
        var values: [Key: Value] = [:]
    }
    private let store = Mutex(Store())
    private let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
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
        store.withLock { store in
            // A value from an older generation than the one kept is already old: not kept.
            guard generation >= store.generation else { return }
            if generation != store.generation || store.values.count >= capacity {
                store.values.removeAll(keepingCapacity: true)
                store.generation = generation
            }
            store.values[key] = value
        }
    }

    /// Forgets `key` (this process changed what it names).
    public func remove(_ key: Key) {
        _ = store.withLock { $0.values.removeValue(forKey: key) }
    }

    public var count: Int { store.withLock { $0.values.count } }
}
