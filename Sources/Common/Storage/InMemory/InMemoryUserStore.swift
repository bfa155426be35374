import Foundation
import Synchronization

/// ``UserStore`` in memory, for unit tests: ids from 1 up, usernames unique in any letter case
/// (SQLite's `NOCASE` folds ASCII letters only, and so does this).
public final class InMemoryUserStore: UserStore {
    private struct Row {
        var user: StoredUser
        var passwordHash: String
    }

    private let rows = Mutex<[Row]>([])
    private let changes: InMemoryChangeCounter

    public init(changes: InMemoryChangeCounter = InMemoryChangeCounter()) { self.changes = changes }

    public func createUser(username: String, passwordHash: String, at: Date = Date()) throws -> UserID {
        let id = try rows.withLock { rows in
            let key = Self.folded(username)
            guard !rows.contains(where: { Self.folded($0.user.username) == key }) else { throw UsernameTaken() }
            let id = UserID(Int64(rows.count + 1))
            rows.append(Row(user: StoredUser(id: id, username: username, createdAt: at, isAdmin: rows.isEmpty), passwordHash: passwordHash))
            return id
        }
        changes.bump()
        return id
    }

    public func user(_ id: UserID) throws -> StoredUser? {
        rows.withLock { rows in rows.first { $0.user.id == id }?.user }
    }

    public func credentials(username: String) throws -> (user: StoredUser, passwordHash: String)? {
        let key = Self.folded(username)
        return rows.withLock { rows in rows.first { Self.folded($0.user.username) == key }.map { ($0.user, $0.passwordHash) } }
    }

    public func passwordHash(_ id: UserID) throws -> String? {
        rows.withLock { rows in rows.first { $0.user.id == id }?.passwordHash }
    }

    public func setPasswordHash(_ hash: String, for id: UserID, at: Date) throws {
        update(id) { $0.passwordHash = hash }
    }

    public func setLanguage(_ language: String?, for id: UserID) throws {
        update(id) { $0.user.language = language }
    }

    public func setAdmin(_ admin: Bool, for id: UserID) throws {
        update(id) { $0.user.isAdmin = admin }
    }

    public func setDisabled(at: Date?, for id: UserID) throws {
        update(id) { $0.user.disabledAt = at }
    }

    public func setApproved(at: Date?, for id: UserID) throws {
        update(id) { $0.user.approvedAt = at }
    }

    public func allUsers() throws -> [StoredUser] { rows.withLock { $0.map(\.user) } }

    private func update(_ id: UserID, _ change: (inout Row) -> Void) {
        rows.withLock { rows in
            if let index = rows.firstIndex(where: { $0.user.id == id }) { change(&rows[index]) }
        }
        changes.bump()
    }

    /// The comparison key of SQLite's `NOCASE`: ASCII letters folded, every other byte as is.
    static func folded(_ text: String) -> String {
        String(decoding: text.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
