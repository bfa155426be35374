import Common
import Foundation
import Hummingbird
import Logging

/// Sign-up, login and password changes, shared by the HTML forms and the JSON API, so that both
/// follow the same rules and give the same messages.
struct AccountService: Sendable {
    let database: CentralDatabase
    let sessions: Sessions
    let throttle: LoginThrottle
    let logger: Logger

    static let wrongCredentials = "Wrong username or password."

    func signUp(username: String, password: String) async throws(APIError) -> UserID {
        let username = username.trimmingCharacters(in: .whitespaces)
        do {
            try CredentialRules.check(username: username)
            try CredentialRules.check(password: password, username: username)
        } catch {
            throw APIError(.unprocessableContent, error.code, error.description)
        }
        if (try? database.users.credentials(username: username)) != nil {
            throw APIError(.conflict, "username_taken", "This username is taken; choose another.")
        }
        let hash = await PasswordHasher.hash(password)
        do {
            let id = try database.users.createUser(username: username, passwordHash: hash, at: Date())
            logger.info("account.created", metadata: ["user_id": "\(id.rawValue)"])
            return id
        } catch is UsernameTaken {
            throw APIError(.conflict, "username_taken", "This username is taken; choose another.")
        } catch {
            logger.error("account.create_failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "database_unavailable", "The account could not be stored; try again.")
        }
    }

    /// Checks the password (throttled) and opens a new session: never an existing one.
    func logIn(username: String, password: String, remember: Bool, address: String, userAgent: String?) async throws(APIError) -> (StoredUser, Sessions.Opened) {
        let account = username.trimmingCharacters(in: .whitespaces)
        let decision: LoginThrottle.Decision
        do {
            decision = try throttle.check(account: account, address: address)
        } catch {
            // The counters are in the central database: without it no password is checked.
            logger.error("login.throttle_unavailable", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "database_unavailable", "The login could not be checked; try again.")
        }
        if case .refused(let retryAfter) = decision {
            logger.notice("login.throttled", metadata: ["address": "\(address)"])
            throw APIError(
                .tooManyRequests, "too_many_attempts",
                "Too many failed logins; try again in \(retryAfter) s.", headers: [.retryAfter: String(retryAfter)]
            )
        }
        let found = try? database.users.credentials(username: account)
        let matches = await PasswordHasher.verify(password, hash: found?.passwordHash ?? PasswordHasher.decoyHash)
        guard let found, matches, password.utf8.count <= PasswordHasher.maximumBytes else {
            let delay: TimeInterval
            do {
                delay = try throttle.recordFailure(account: account, address: address)
            } catch {
                logger.error("login.throttle_unavailable", metadata: ["error": "\(error)"])
                delay = throttle.settings.failureDelay
            }
            logger.notice("login.failed", metadata: ["address": "\(address)"])
            if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
            throw APIError(.unauthorized, "invalid_credentials", Self.wrongCredentials)
        }
        do {
            try throttle.recordSuccess(account: account, address: address)
        } catch {
            logger.error("login.throttle_unavailable", metadata: ["error": "\(error)"])
        }
        do {
            let opened = try sessions.open(user: found.user.id, remember: remember, userAgent: userAgent)
            logger.info("login.succeeded", metadata: ["user_id": "\(found.user.id.rawValue)"])
            return (found.user, opened)
        } catch {
            logger.error("session.open_failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "database_unavailable", "The session could not be stored; try again.")
        }
    }

    /// Changes the password and ends every session of the user; returns a new session for the
    /// client that asked.
    func changePassword(user: StoredUser, current: String, new: String, remember: Bool, userAgent: String?) async throws(APIError) -> Sessions.Opened {
        guard let hash = try? database.users.passwordHash(user.id), await PasswordHasher.verify(current, hash: hash) else {
            throw APIError(.forbidden, "wrong_password", "The current password is wrong.")
        }
        do {
            try CredentialRules.check(password: new, username: user.username)
        } catch {
            throw APIError(.unprocessableContent, error.code, error.description)
        }
        let newHash = await PasswordHasher.hash(new)
        do {
            try database.users.setPasswordHash(newHash, for: user.id, at: Date())
            try sessions.closeAll(of: user.id)
            logger.info("account.password_changed", metadata: ["user_id": "\(user.id.rawValue)"])
            return try sessions.open(user: user.id, remember: remember, userAgent: userAgent)
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The password could not be stored; try again.")
        }
    }
}
