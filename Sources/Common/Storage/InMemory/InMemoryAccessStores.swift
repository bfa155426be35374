import Foundation
import Synchronization

/// ``APITokenStore`` in memory, for unit tests.
public final class InMemoryAPITokenStore: APITokenStore {
    private struct Row {
        var token: StoredAPIToken
        let hash: String
    }

    private let rows = Mutex<[Row]>([])

    public init() {}

    public func create(user: UserID, name: String, tokenHash: String, scopes: Set<APIScope>, at: Date, expiresAt: Date) throws -> StoredAPIToken {
        rows.withLock { rows in
            let token = StoredAPIToken(
                id: Int64(rows.count + 1), userID: user, name: name, scopes: scopes, createdAt: at, expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
            rows.append(Row(token: token, hash: tokenHash))
            return token
        }
    }

    public func tokens(for user: UserID) throws -> [StoredAPIToken] {
        rows.withLock { rows in rows.filter { $0.token.userID == user }.map(\.token).reversed() }
    }

    public func token(hash: String) throws -> StoredAPIToken? { rows.withLock { rows in rows.first { $0.hash == hash }?.token } }

    public func touch(id: Int64, at: Date) throws { change { $0.token.id == id } apply: { $0.lastUsedAt = at } }

    public func revoke(id: Int64, user: UserID, at: Date) throws -> Bool {
        change { $0.token.id == id && $0.token.userID == user && $0.token.revokedAt == nil } apply: { $0.revokedAt = at } > 0
    }

    public func revokeAll(user: UserID, at: Date) throws -> Int {
        change { $0.token.userID == user && $0.token.revokedAt == nil } apply: { $0.revokedAt = at }
    }

    @discardableResult
    private func change(where matches: (Row) -> Bool, apply: (inout StoredAPIToken.Changes) -> Void) -> Int {
        rows.withLock { rows in
            var count = 0
            for index in rows.indices where matches(rows[index]) {
                var changes = StoredAPIToken.Changes(lastUsedAt: rows[index].token.lastUsedAt, revokedAt: rows[index].token.revokedAt)
                apply(&changes)
                let old = rows[index].token
                rows[index].token = StoredAPIToken(
                    id: old.id, userID: old.userID, name: old.name, scopes: old.scopes, createdAt: old.createdAt, expiresAt: old.expiresAt,
                    lastUsedAt: changes.lastUsedAt, revokedAt: changes.revokedAt)
                count += 1
            }
            return count
        }
    }
}

extension StoredAPIToken {
    /// What a store changes of a token.
    struct Changes {
        var lastUsedAt: Date?
        var revokedAt: Date?
    }
}

/// ``AuditLogStore`` in memory, for unit tests.
public final class InMemoryAuditLogStore: AuditLogStore {
    private let rows = Mutex<[AuditEntry]>([])

    public init() {}

    public func append(_ record: AuditRecord) throws -> AuditEntry {
        rows.withLock { rows in
            let entry = AuditChain.append(record, after: rows.last.map { ($0.seq, $0.hash) })
            rows.append(entry)
            return entry
        }
    }

    public func entries(user: UserID?, beforeSeq: Int64?, limit: Int) throws -> [AuditEntry] {
        rows.withLock { rows in
            Array(rows.reversed().filter { (user == nil || $0.record.userID == user) && (beforeSeq == nil || $0.seq < beforeSeq!) }.prefix(limit))
        }
    }

    public func chain(afterSeq: Int64, limit: Int) throws -> [AuditEntry] {
        rows.withLock { rows in Array(rows.filter { $0.seq > afterSeq }.prefix(limit)) }
    }

    public func lastSignIns() throws -> [UserID: Date] {
        rows.withLock { rows in
            var result: [UserID: Date] = [:]
            for entry in rows where entry.record.action == AuditAction.loginSuccess {
                if let user = entry.record.userID { result[user] = max(result[user] ?? .distantPast, entry.record.at) }
            }
            return result
        }
    }
}

/// ``PlatformStore`` in memory, for unit tests.
public final class InMemoryPlatformStore: PlatformStore {
    private let values = Mutex<[String: String]>([:])
    private let invited = Mutex<[Invitation]>([])

    public init() {}

    public func value(_ key: String) throws -> String? { values.withLock { $0[key] } }

    public func set(_ key: String, to value: String?, by actor: String, at: Date) throws { values.withLock { $0[key] = value } }

    public func createInvitation(codeHash: String, by actor: String, at: Date) throws {
        invited.withLock { $0.append(Invitation(codeHash: codeHash, createdBy: actor, createdAt: at, usedAt: nil, usedBy: nil)) }
    }

    public func claimInvitation(codeHash: String, at: Date) throws -> Bool {
        invited.withLock { list in
            guard let index = list.firstIndex(where: { $0.codeHash == codeHash && $0.usedAt == nil }) else { return false }
            let old = list[index]
            list[index] = Invitation(codeHash: old.codeHash, createdBy: old.createdBy, createdAt: old.createdAt, usedAt: at, usedBy: nil)
            return true
        }
    }

    public func finishInvitation(codeHash: String, user: UserID?) throws {
        invited.withLock { list in
            guard let index = list.firstIndex(where: { $0.codeHash == codeHash }) else { return }
            let old = list[index]
            list[index] = Invitation(codeHash: old.codeHash, createdBy: old.createdBy, createdAt: old.createdAt, usedAt: user == nil ? nil : old.usedAt, usedBy: user)
        }
    }

    public func invitations() throws -> [Invitation] { invited.withLock { $0.reversed() } }
}
