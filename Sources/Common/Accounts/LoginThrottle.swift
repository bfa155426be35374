import Foundation
import Synchronization

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
/// Kept in memory: a restart of the web process forgets it, which costs an attacker nothing
/// they could not get by waiting `window`.
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

    struct Counter {
        var failures = 0
        var lastFailure = Date.distantPast
        var lockedUntil = Date.distantPast
    }

    struct State {
        var accounts: [String: Counter] = [:]
        var addresses: [String: Counter] = [:]
        /// "account\u{0}address" → when that address last signed in to that account.
        var trusted: [String: Date] = [:]
    }

    public let settings: Settings
    let clock: @Sendable () -> Date
    private let state = Mutex(State())

    public init(settings: Settings = Settings(), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.clock = clock
    }

    /// Whether an attempt may check a password now.
    public func check(account: String, address: String) -> Decision {
        let now = clock()
        let account = account.lowercased()
        return state.withLock { state in
            var wait: TimeInterval = 0
            if let counter = state.addresses[address], counter.lockedUntil > now {
                wait = max(wait, counter.lockedUntil.timeIntervalSince(now))
            }
            if !isTrusted(state, account: account, address: address, now: now), let counter = state.accounts[account], counter.lockedUntil > now {
                wait = max(wait, counter.lockedUntil.timeIntervalSince(now))
            }
            return wait > 0 ? .refused(retryAfter: Int(wait.rounded(.up))) : .allowed
        }
    }

    /// Records a wrong password (or unknown user); returns how long to hold the answer back.
    @discardableResult
    public func recordFailure(account: String, address: String) -> TimeInterval {
        let now = clock()
        let account = account.lowercased()
        return state.withLock { state in
            let addressFailures = bump(&state.addresses[address, default: Counter()], now: now, cap: settings.addressLockCap)
            if !isTrusted(state, account: account, address: address, now: now) {
                bump(&state.accounts[account, default: Counter()], now: now, cap: settings.accountLockCap)
            }
            if state.addresses.count + state.accounts.count > 100_000 { prune(&state, now: now) }
            return addressFailures > 3 ? settings.failureDelay : 0
        }
    }

    public func recordSuccess(account: String, address: String) {
        let now = clock()
        let account = account.lowercased()
        state.withLock { state in
            state.accounts[account] = nil
            state.addresses[address] = nil
            state.trusted[account + "\u{0}" + address] = now
        }
    }

    @discardableResult
    private func bump(_ counter: inout Counter, now: Date, cap: TimeInterval) -> Int {
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

    private func isTrusted(_ state: State, account: String, address: String, now: Date) -> Bool {
        guard let since = state.trusted[account + "\u{0}" + address] else { return false }
        return now.timeIntervalSince(since) < settings.trustedFor
    }

    private func prune(_ state: inout State, now: Date) {
        let window = settings.window
        state.accounts = state.accounts.filter { now.timeIntervalSince($0.value.lastFailure) <= window || $0.value.lockedUntil > now }
        state.addresses = state.addresses.filter { now.timeIntervalSince($0.value.lastFailure) <= window || $0.value.lockedUntil > now }
        state.trusted = state.trusted.filter { now.timeIntervalSince($0.value) < settings.trustedFor }
    }
}
