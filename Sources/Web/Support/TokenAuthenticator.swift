import Common
import Foundation
import Hummingbird
import Synchronization

/// Resolves `Authorization: Bearer <token>` on `/api/v1`: the token's user, when the token is
/// known, active and its scope covers the request; a 401, 403 or 429 answer otherwise. Each
/// token has its own request budget (``TokenBucket``); its last use is written at most once a
/// minute.
final class TokenAuthenticator: Sendable {
    let database: CentralDatabase
    let buckets = Mutex<[Int64: TokenBucket]>([:])
    let clock: @Sendable () -> Double

    init(database: CentralDatabase, clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.database = database
        self.clock = clock
    }

    static let invalid = APIError(.unauthorized, "invalid_token", "The API token is unknown, revoked or expired; create a new one on /settings.")

    func resolve(_ text: String, method: String, path: String, now: Date = Date()) throws(APIError) -> (StoredUser, StoredAPIToken) {
        let found: (StoredAPIToken, StoredUser)?
        do {
            found = try database.apiTokens.token(hash: SecureToken.storedForm(text)).flatMap { token in
                try database.users.user(token.userID).map { (token, $0) }
            }
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be read.")
        }
        guard let (token, user) = found, token.isActive(at: now), !user.isDisabled else { throw Self.invalid }
        switch APIScopeRule.need(method: method, path: path) {
        case .session:
            throw APIError(.forbidden, "session_required", "An API token cannot do this: sign in on the dashboard (account security needs the browser).")
        case .scope(let scope):
            guard token.scopes.contains(scope), scope != .admin || user.isAdmin else {
                throw APIError(.forbidden, "insufficient_scope", "This token lacks the \"\(scope.rawValue)\" scope this request needs.")
            }
        }
        let wait = buckets.withLock { buckets -> Double? in
            let now = clock()
            var bucket = buckets[token.id] ?? TokenBucket(at: now)
            defer { buckets[token.id] = bucket }
            return bucket.take(at: now)
        }
        if let wait {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw APIError(.tooManyRequests, "rate_limited", "Too many requests with this token; try again in \(seconds) s.", headers: [.retryAfter: String(seconds)])
        }
        if token.isUseDue(at: now) { try? database.apiTokens.touch(id: token.id, at: now) }
        return (user, token)
    }
}
