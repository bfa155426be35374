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
    var audit: AuditTrail { AuditTrail(store: database.audit, logger: logger) }

    static let wrongCredentials = "Wrong username or password."

    /// Creates an account, as the sign-up mode allows (``SignupMode``; `invitation`: the code
    /// an invite-only installation needs, taken once).
    func signUp(username: String, password: String, address: String? = nil, invitation: String? = nil) async throws(APIError) -> UserID {
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
        let invited = try admit(invitation: invitation)
        do {
            let id = try database.users.createUser(username: username, passwordHash: hash, at: Date())
            if let invited { try? database.platform.finishInvitation(codeHash: invited, user: id) }
            logger.info("account.created", metadata: ["user_id": "\(id.rawValue)"])
            let admin = (try? database.users.user(id))?.isAdmin == true
            audit.record(AuditAction.signup, user: id, actor: username, address: address, detail: admin ? "the first account: administrator" : "")
            return id
        } catch is UsernameTaken {
            if let invited { try? database.platform.finishInvitation(codeHash: invited, user: nil) }
            throw APIError(.conflict, "username_taken", "This username is taken; choose another.")
        } catch {
            if let invited { try? database.platform.finishInvitation(codeHash: invited, user: nil) }
            logger.error("account.create_failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "database_unavailable", "The account could not be stored; try again.")
        }
    }

    static let signupClosed = APIError(.forbidden, "signup_closed", "Sign-up is closed on this installation; ask its administrator for an account.")
    static let invitationNeeded = APIError(
        .forbidden, "invitation_invalid", "Sign-up here needs an unused invitation code from the administrator; this one is missing, unknown or used.")

    /// Whether the sign-up mode lets a new account in: nil, or the hash of the invitation code it
    /// took (given back if the account is not created). The first account always gets in.
    func admit(invitation: String?) throws(APIError) -> String? {
        let (mode, empty) = try read { (try database.platform.signupMode(), try database.users.allUsers().isEmpty) }
        guard !empty else { return nil }
        switch mode {
        case .open: return nil
        case .closed: throw Self.signupClosed
        case .invite:
            let code = RecoveryCodes.normalized(invitation ?? "")
            guard RecoveryCodes.looksLikeOne(code) else { throw Self.invitationNeeded }
            let hash = SecureToken.storedForm(code)
            guard try write({ try database.platform.claimInvitation(codeHash: hash, at: Date()) }) else { throw Self.invitationNeeded }
            return hash
        }
    }

    var secondFactor: SecondFactorService { SecondFactorService(database: database, throttle: throttle, logger: logger, audit: audit) }

    static let disabled = APIError(.forbidden, "account_disabled", "This account is disabled; ask the administrator.")

    /// What a login came to: a session, or (the account has a second factor and no code was
    /// given) a challenge the code's step finishes.
    enum LoginOutcome {
        case signedIn(StoredUser, Sessions.Opened)
        case needsCode(StoredUser, challenge: String)
    }

    /// Checks the password, and the code when the account has a second factor; a session (never
    /// an existing one). Without a code such an account gets `second_factor_required`.
    func logIn(username: String, password: String, remember: Bool, address: String, userAgent: String?, code: String? = nil) async throws(APIError) -> (
        StoredUser, Sessions.Opened
    ) {
        switch try await begin(username: username, password: password, remember: remember, address: address, userAgent: userAgent, code: code, challenge: false) {
        case .signedIn(let user, let opened): return (user, opened)
        case .needsCode:
            throw APIError(.unauthorized, "second_factor_required", "This account has two-factor sign-in: send the six-digit code from the authenticator app (or a recovery code) as \"code\".")
        }
    }

    /// The page's second step: the challenge the password step opened, and its code.
    func finish(challenge id: String, code: String, address: String, userAgent: String?, now: Date = Date()) async throws(APIError) -> (StoredUser, Sessions.Opened, Bool) {
        let hash = SecureToken.storedForm(id)
        guard let challenge = try read({ try database.secondFactors.challenge(idHash: hash, at: now) }),
            let user = try read({ try database.users.user(challenge.userID) })
        else { throw APIError(.unauthorized, "login_expired", "The sign-in took too long; enter the password again.") }
        guard !user.isDisabled else { throw Self.disabled }
        do {
            try await secondFactor.check(code, user: user, address: address, now: now)
        } catch {
            audit.record(AuditAction.loginCodeFailure, by: user, address: address, detail: error.code)
            if error.code == "invalid_code", (try? database.secondFactors.failChallenge(idHash: hash)) ?? LoginChallenge.maxFailures >= LoginChallenge.maxFailures {
                try? database.secondFactors.closeChallenge(idHash: hash)
                throw APIError(.unauthorized, "login_expired", "Too many wrong codes; enter the password again.")
            }
            throw error
        }
        try? database.secondFactors.closeChallenge(idHash: hash)
        recordSuccess(account: user.username, address: address)
        return (user, try open(user, remember: challenge.remember, userAgent: userAgent, address: address), challenge.remember)
    }

    private func recordSuccess(account: String, address: String) {
        do {
            try throttle.recordSuccess(account: account, address: address)
        } catch {
            logger.error("login.throttle_unavailable", metadata: ["error": "\(error)"])
        }
    }

    private func open(_ user: StoredUser, remember: Bool, userAgent: String?, address: String) throws(APIError) -> Sessions.Opened {
        do {
            let opened = try sessions.open(user: user.id, remember: remember, userAgent: userAgent, address: address)
            logger.info("login.succeeded", metadata: ["user_id": "\(user.id.rawValue)"])
            let factor = (try? database.secondFactors.factor(for: user.id))?.isEnabled == true
            audit.record(AuditAction.loginSuccess, by: user, address: address, detail: factor ? "with the second factor" : "password")
            return opened
        } catch {
            logger.error("session.open_failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "database_unavailable", "The session could not be stored; try again.")
        }
    }

    /// Checks the password (throttled); with a second factor, the code too (or, with
    /// `challenge`, opens the challenge of the code's step); opens a new session.
    func begin(username: String, password: String, remember: Bool, address: String, userAgent: String?, code: String?, challenge: Bool) async throws(
        APIError
    ) -> LoginOutcome {
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
            auditFailure(account: account, address: address, detail: "throttled")
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
            auditFailure(account: account, address: address, detail: "wrong username or password")
            if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
            throw APIError(.unauthorized, "invalid_credentials", Self.wrongCredentials)
        }
        if found.user.isDisabled {
            audit.record(AuditAction.loginFailure, by: found.user, address: address, detail: "account disabled")
            throw Self.disabled
        }
        // With a second factor the login succeeds (and the failures are forgotten) only with its code.
        if try secondFactor.isEnabled(found.user.id) {
            if let code, !code.isEmpty {
                do {
                    try await secondFactor.check(code, user: found.user, address: address)
                } catch {
                    audit.record(AuditAction.loginCodeFailure, by: found.user, address: address, detail: error.code)
                    throw error
                }
            } else {
                audit.record(AuditAction.loginCodeRequested, by: found.user, address: address)
                guard challenge else { return .needsCode(found.user, challenge: "") }
                return .needsCode(found.user, challenge: try secondFactor.openChallenge(user: found.user.id, remember: remember))
            }
        }
        recordSuccess(account: account, address: address)
        return .signedIn(found.user, try open(found.user, remember: remember, userAgent: userAgent, address: address))
    }

    /// A failed login: named by the account when one has that name (a mistyped password must
    /// not land in the log as a "username").
    private func auditFailure(account: String, address: String, detail: String) {
        let user = (try? database.users.credentials(username: account))?.user
        audit.record(AuditAction.loginFailure, user: user?.id, actor: user?.username ?? "(no such account)", address: address, detail: detail)
    }

    /// Ends this session (sign-out).
    func logOut(user: StoredUser, session: Sessions.Active?, address: String) {
        guard let session else { return }
        try? sessions.close(idHash: session.idHash)
        audit.record(AuditAction.logout, by: user, address: address)
    }

    /// Changes the password and ends every session of the user; returns a new session for the
    /// client that asked.
    func changePassword(user: StoredUser, current: String, new: String, remember: Bool, userAgent: String?, address: String) async throws(APIError) -> Sessions.Opened {
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
            audit.record(AuditAction.passwordChanged, by: user, address: address, detail: "every session ended")
            return try sessions.open(user: user.id, remember: remember, userAgent: userAgent)
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The password could not be stored; try again.")
        }
    }
}
