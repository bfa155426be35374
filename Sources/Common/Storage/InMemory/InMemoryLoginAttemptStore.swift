import Foundation
import Synchronization

/// ``LoginAttemptStore`` in memory: unit tests, and a throttle made without a database.
public final class InMemoryLoginAttemptStore: LoginAttemptStore {
    struct State {
        var counters: [String: LoginAttempts.Counter] = [:]
        var trusted: [String: Date] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    static func key(_ scope: LoginAttemptScope, _ key: String) -> String { scope.rawValue + "\u{0}" + key }

    public func attempts(account: String, address: String) throws -> LoginAttempts {
        state.withLock { Self.read($0, account: account, address: address) }
    }

    public func update<T>(account: String, address: String, _ body: (inout LoginAttempts) -> T) throws -> T {
        state.withLock { state in
            var attempts = Self.read(state, account: account, address: address)
            let result = body(&attempts)
            state.counters[Self.key(.account, account)] = attempts.account.isEmpty ? nil : attempts.account
            state.counters[Self.key(.address, address)] = attempts.address.isEmpty ? nil : attempts.address
            state.trusted[account + "\u{0}" + address] = attempts.trustedSince
            return result
        }
    }

    public func prune(failuresBefore: Date, trustBefore: Date, now: Date) throws {
        state.withLock { state in
            state.counters = state.counters.filter { $0.value.lastFailure >= failuresBefore || $0.value.lockedUntil > now }
            state.trusted = state.trusted.filter { $0.value >= trustBefore }
        }
    }

    static func read(_ state: State, account: String, address: String) -> LoginAttempts {
        LoginAttempts(
            account: state.counters[key(.account, account)] ?? .init(), address: state.counters[key(.address, address)] ?? .init(),
            trustedSince: state.trusted[account + "\u{0}" + address]
        )
    }
}
