import Common
import Foundation
import Logging

/// Two-factor sign-in with TOTP (RFC 6238), shared by the pages and the JSON API: enrolment
/// (a new secret, confirmed by a first code, then ten recovery codes shown once and stored
/// hashed), the code asked after the password (throttled like passwords, each code accepted
/// once), and turning it off (the password and a code).
struct SecondFactorService: Sendable {
    let database: CentralDatabase
    let throttle: LoginThrottle
    let logger: Logger
    let audit: AuditTrail

    struct Enrolment: Sendable {
        let secret: String
        let uri: String
    }

    func isEnabled(_ user: UserID) throws(APIError) -> Bool {
        try read { try database.secondFactors.factor(for: user)?.isEnabled ?? false }
    }

    /// A new secret waiting for its first code (replacing one not yet confirmed).
    func begin(user: StoredUser, now: Date = Date()) throws(APIError) -> Enrolment {
        let secret = TOTP.newSecret()
        let started = try write { try database.secondFactors.begin(user: user.id, secret: Base32.encode(secret), at: now) }
        guard started else { throw APIError(.conflict, "second_factor_on", "Two-factor sign-in is on already; turn it off first to enrol again.") }
        return Enrolment(secret: Base32.encode(secret), uri: TOTP.uri(secret: secret, account: user.username))
    }

    /// The first code turns it on; returns the recovery codes, shown this once.
    func confirm(user: StoredUser, code: String, address: String, now: Date = Date()) throws(APIError) -> [String] {
        guard let factor = try read({ try database.secondFactors.factor(for: user.id) }), !factor.isEnabled, let secret = Base32.decode(factor.secret) else {
            throw APIError(.conflict, "no_enrolment", "Start the enrolment first: it shows the code to scan.")
        }
        guard let step = TOTP.verify(code, secret: secret, at: now, usedStep: nil) else {
            throw APIError(.unprocessableContent, "invalid_code", "That code does not match: check the phone's clock and type the six digits it shows now.")
        }
        let codes = RecoveryCodes.make()
        let enabled = try write {
            try database.secondFactors.enable(user: user.id, step: step, recoveryHashes: codes.map { SecureToken.storedForm(RecoveryCodes.normalized($0)) }, at: now)
        }
        guard enabled else { throw APIError(.conflict, "no_enrolment", "Start the enrolment first: it shows the code to scan.") }
        logger.info("second_factor.enabled", metadata: ["user_id": "\(user.id.rawValue)"])
        audit.record(AuditAction.secondFactorOn, by: user, address: address)
        return codes
    }

    /// Off, with the password and a code (or a recovery code).
    func disable(user: StoredUser, password: String, code: String, address: String) async throws(APIError) {
        guard let hash = try? database.users.passwordHash(user.id), await PasswordHasher.verify(password, hash: hash) else {
            throw APIError(.forbidden, "wrong_password", "The password is wrong.")
        }
        try await check(code, user: user, address: address)
        try write { try database.secondFactors.disable(user: user.id) }
        logger.info("second_factor.disabled", metadata: ["user_id": "\(user.id.rawValue)"])
        audit.record(AuditAction.secondFactorOff, by: user, address: address)
    }

    /// A code from the authenticator or an unused recovery code; throttled per account and
    /// address like passwords, each accepted once.
    func check(_ code: String, user: StoredUser, address: String, now: Date = Date()) async throws(APIError) {
        let account = user.username + "#code"
        let decision: LoginThrottle.Decision
        do {
            decision = try throttle.check(account: account, address: address)
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The code could not be checked; try again.")
        }
        if case .refused(let retryAfter) = decision {
            throw APIError(.tooManyRequests, "too_many_attempts", "Too many wrong codes; try again in \(retryAfter) s.", headers: [.retryAfter: String(retryAfter)])
        }
        if try accepted(code, user: user.id, now: now) {
            try? throttle.recordSuccess(account: account, address: address)
            return
        }
        let delay = (try? throttle.recordFailure(account: account, address: address)) ?? throttle.settings.failureDelay
        logger.notice("second_factor.failed", metadata: ["address": "\(address)"])
        if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
        throw APIError(.unauthorized, "invalid_code", "The code is wrong or was used already.")
    }

    private func accepted(_ code: String, user: UserID, now: Date) throws(APIError) -> Bool {
        guard let factor = try read({ try database.secondFactors.factor(for: user) }), factor.isEnabled, let secret = Base32.decode(factor.secret) else {
            return false
        }
        if RecoveryCodes.looksLikeOne(code) {
            let used = try write { try database.secondFactors.useRecovery(hash: SecureToken.storedForm(RecoveryCodes.normalized(code)), for: user, at: now) }
            if used { logger.notice("second_factor.recovery_code_used", metadata: ["user_id": "\(user.rawValue)"]) }
            return used
        }
        guard let step = TOTP.verify(code, secret: secret, at: now, usedStep: factor.lastStep) else { return false }
        return try write { try database.secondFactors.use(step: step, for: user) }
    }

    /// A login whose password was right: the id the browser keeps for the code's step.
    func openChallenge(user: UserID, remember: Bool, now: Date = Date()) throws(APIError) -> String {
        let id = SecureToken.random()
        try write {
            try database.secondFactors.openChallenge(
                LoginChallenge(idHash: SecureToken.storedForm(id), userID: user, remember: remember, expiresAt: now.addingTimeInterval(LoginChallenge.lifetime)))
        }
        return id
    }
}
