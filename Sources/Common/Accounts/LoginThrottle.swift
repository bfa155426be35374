import Foundation

/// Slows down and then refuses repeated failed logins, per account and per client address.
///
/// - Per address: from the `freeFailures`-th failure on, the next attempt must wait a delay that
///   doubles with every failure (after the held-back answer), up to `addressLockCap` (15 min by default). An address that
///   guesses is shut out for long.
/// - Per account: the same, but capped at `accountLockCap` (1 min), and never applied to an
///   address that has signed in to that account before. An attacker spraying one account from
///   many addresses slows it down for a minute at most, and never for its owner's usual address.
/// - Every failure past the third is answered only after `failureDelay` (the "slow down").
/// - Failures are forgotten after `window` without any; a success clears the account's and the
///   address's failures.
///
/// The counters live in a ``LoginAttemptStore``: the central database's table `login_attempts`,
/// so every web process in front of one database counts the same failures (a guesser gains
/// nothing by spreading its attempts over them), and a restart of the web forgets nothing. The
/// decisions are ``LoginAttempts``' own, pure.
public final class LoginThrottle: Sendable {
    public struct Settings: Sendable {
        public var freeFailures = 5
        public var accountLockCap: TimeInterval = 60
        public var addressLockCap: TimeInterval = 15 * 60
        public var window: TimeInterval = 15 * 60
        public var failureDelay: TimeInterval = 1
        public var trustedFor: TimeInterval = 30 * 86_400
        public init() {}
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        /// Refused without checking the password; retry after this many whole seconds.
        case refused(retryAfter: Int)
    }

    public let settings: Settings
    let store: any LoginAttemptStore
    let clock: @Sendable () -> Date

    public init(
        store: any LoginAttemptStore = InMemoryLoginAttemptStore(), settings: Settings = Settings(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    /// The account's key: lowercased, and cut where no username reaches (they have at most 32
    /// characters), so a guesser's long names cost the table nothing.
    static func key(_ account: String) -> String { String(account.lowercased().prefix(64)) }

    /// Whether an attempt may check a password now.
    public func check(account: String, address: String) throws -> Decision {
        let now = clock()
        return try store.attempts(account: Self.key(account), address: address).decision(now: now, settings: settings)
    }

    /// Records a wrong password (or unknown user); returns how long to hold the answer back.
    @discardableResult
    public func recordFailure(account: String, address: String) throws -> TimeInterval {
        let now = clock()
        let settings = settings
        let delay = try store.update(account: Self.key(account), address: address) { attempts in
            attempts.recordFailure(now: now, settings: settings)
        }
        // Forgotten counters go now and then, not at every failure.
        if Int.random(in: 0..<50) == 0 { try store.prune(failuresBefore: now.addingTimeInterval(-settings.window), trustBefore: now.addingTimeInterval(-settings.trustedFor), now: now) }
        return delay
    }

    public func recordSuccess(account: String, address: String) throws {
        let now = clock()
        try store.update(account: Self.key(account), address: address) { attempts in attempts.recordSuccess(now: now) }
    }
}

/// One account's and one address's failed logins, and whether that address signed in to that
/// account before: what ``LoginThrottle`` decides on, as ``LoginAttemptStore`` keeps it.
public struct LoginAttempts: Sendable, Equatable {
    public struct Counter: Sendable, Equatable {
        public var failures = 0
        public var lastFailure = Date.distantPast
        public var lockedUntil = Date.distantPast
        public init(failures: Int = 0, lastFailure: Date = .distantPast, lockedUntil: Date = .distantPast) {
            self.failures = failures
            self.lastFailure = lastFailure
            self.lockedUntil = lockedUntil
        }
        /// Nothing to keep.
        public var isEmpty: Bool { failures == 0 }
    }

    public var account = Counter()
    public var address = Counter()
    /// When that address last signed in to that account.
    public var trustedSince: Date?

    public init(account: Counter = Counter(), address: Counter = Counter(), trustedSince: Date? = nil) {
        self.account = account
        self.address = address
        self.trustedSince = trustedSince
    }

    public func decision(now: Date, settings: LoginThrottle.Settings) -> LoginThrottle.Decision {
        var wait: TimeInterval = 0
        if address.lockedUntil > now { wait = max(wait, address.lockedUntil.timeIntervalSince(now)) }
        if !isTrusted(now: now, settings: settings), account.lockedUntil > now { wait = max(wait, account.lockedUntil.timeIntervalSince(now)) }
        return wait > 0 ? .refused(retryAfter: Int(wait.rounded(.up))) : .allowed
    }

    /// Counts a failure; returns how long to hold the answer back.
    @discardableResult public mutating func recordFailure(now: Date, settings: LoginThrottle.Settings) -> TimeInterval {
        let addressFailures = Self.bump(&address, now: now, cap: settings.addressLockCap, settings: settings)
        if !isTrusted(now: now, settings: settings) {
            Self.bump(&account, now: now, cap: settings.accountLockCap, settings: settings)
        }
        return addressFailures > 3 ? settings.failureDelay : 0
    }

    public mutating func recordSuccess(now: Date) {
        account = Counter()
        address = Counter()
        trustedSince = now
    }

    public func isTrusted(now: Date, settings: LoginThrottle.Settings) -> Bool {
        guard let trustedSince else { return false }
        return now.timeIntervalSince(trustedSince) < settings.trustedFor
    }

    @discardableResult
    static func bump(_ counter: inout Counter, now: Date, cap: TimeInterval, settings: LoginThrottle.Settings) -> Int {
        if now.timeIntervalSince(counter.lastFailure) > settings.window { counter = Counter() }
        counter.failures += 1
        counter.lastFailure = now
        let excess = counter.failures - settings.freeFailures
        if excess >= 0 {
            // The lock starts after the held-back answer, so the next attempt always meets it.
            counter.lockedUntil = now.addingTimeInterval(min(cap, settings.failureDelay + pow(2, Double(min(excess, 30)))))
        }
        return counter.failures
    }
}
