import Foundation

/// Users' exchange keys at rest: encrypted with the master key into Fernet tokens on the way in,
/// decrypted only for the worker that needs them. Only the supervisor holds one of these.
public struct ExchangeKeyVault: Sendable {
    public struct Credentials: Sendable, CustomStringConvertible {
        public let apiKey: String
        public let apiSecret: String
        public let revision: Int64
        public var description: String { "Credentials(key: \(KeyMask.mask(apiKey)), secret: redacted)" }
    }

    let fernet: Fernet
    let store: any ExchangeKeyStore

    public init(fernet: Fernet, store: any ExchangeKeyStore) {
        self.fernet = fernet
        self.store = store
    }

    /// Encrypts and stores a user's key; returns the new revision.
    @discardableResult
    public func store(user: UserID, apiKey: String, apiSecret: String, canTrade: Bool, verifiedAt: Date?, at now: Date = Date()) throws -> Int64 {
        try store.storeKey(
            StoredExchangeKey(
                userID: user, apiKeyToken: fernet.encrypt(apiKey, now: now), apiSecretToken: fernet.encrypt(apiSecret, now: now),
                maskedKey: KeyMask.mask(apiKey), canTrade: canTrade, verifiedAt: verifiedAt
            ),
            at: now
        )
    }

    /// The decrypted key, or nil when the user has none. Throws ``Fernet/Error`` when the
    /// tokens were not made with this master key; the tokens are never modified.
    public func credentials(for user: UserID) throws -> Credentials? {
        guard let stored = try store.key(for: user) else { return nil }
        return Credentials(
            apiKey: try fernet.decryptString(stored.apiKeyToken), apiSecret: try fernet.decryptString(stored.apiSecretToken),
            revision: stored.revision
        )
    }
}
