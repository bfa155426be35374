import Foundation
import Synchronization

/// ``ExchangeKeyStore`` in memory, for unit tests: the same revisions as SQLite's (one more
/// than the highest stored).
public final class InMemoryExchangeKeyStore: ExchangeKeyStore {
    private let keys = Mutex<[UserID: StoredExchangeKey]>([:])
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    @discardableResult
    public func storeKey(_ key: StoredExchangeKey, at: Date = Date()) throws -> Int64 {
        let revision = keys.withLock { keys in
            var key = key
            key.revision = (keys.values.map(\.revision).max() ?? 0) + 1
            keys[key.userID] = key
            return key.revision
        }
        changes.bump()
        return revision
    }

    @discardableResult
    public func deleteKey(for user: UserID) throws -> Bool {
        let removed = keys.withLock { $0.removeValue(forKey: user) != nil }
        changes.bump()
        return removed
    }

    public func key(for user: UserID) throws -> StoredExchangeKey? {
        keys.withLock { $0[user] }
    }

    public func keyRevisions() throws -> [UserID: Int64] {
        keys.withLock { $0.mapValues(\.revision) }
    }

    public func allTokens() throws -> [String] {
        keys.withLock { keys in keys.values.sorted { $0.userID < $1.userID }.flatMap { [$0.apiKeyToken, $0.apiSecretToken] } }
    }

    @discardableResult
    public func reencryptAll(_ transform: (String) throws -> String) throws -> Int {
        // All or nothing: the new tokens are computed first and stored only when every one is.
        let count = try keys.withLock { keys in
            var updated = keys
            for (user, key) in keys {
                updated[user]?.apiKeyToken = try transform(key.apiKeyToken)
                updated[user]?.apiSecretToken = try transform(key.apiSecretToken)
            }
            keys = updated
            return keys.count
        }
        changes.bump()
        return count
    }
}
