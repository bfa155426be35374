import Foundation
import Synchronization

/// ``SecondFactorStore`` in memory, for unit tests.
public final class InMemorySecondFactorStore: SecondFactorStore {
    struct State {
        var factors: [UserID: SecondFactor] = [:]
        var codes: [UserID: [String: Date?]] = [:]
        var challenges: [String: LoginChallenge] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func factor(for user: UserID) throws -> SecondFactor? { state.withLock { $0.factors[user] } }

    public func begin(user: UserID, secret: String, at: Date) throws -> Bool {
        state.withLock { state in
            guard state.factors[user]?.isEnabled != true else { return false }
            state.factors[user] = SecondFactor(userID: user, secret: secret, enabledAt: nil, lastStep: nil)
            return true
        }
    }

    public func enable(user: UserID, step: Int64, recoveryHashes: [String], at: Date) throws -> Bool {
        state.withLock { state in
            guard let factor = state.factors[user], !factor.isEnabled else { return false }
            state.factors[user] = SecondFactor(userID: user, secret: factor.secret, enabledAt: at, lastStep: step)
            state.codes[user] = Dictionary(uniqueKeysWithValues: recoveryHashes.map { ($0, nil) })
            return true
        }
    }

    public func disable(user: UserID) throws {
        state.withLock { state in
            state.factors[user] = nil
            state.codes[user] = nil
        }
    }

    public func use(step: Int64, for user: UserID) throws -> Bool {
        state.withLock { state in
            guard let factor = state.factors[user], factor.isEnabled, (factor.lastStep ?? .min) < step else { return false }
            state.factors[user] = SecondFactor(userID: user, secret: factor.secret, enabledAt: factor.enabledAt, lastStep: step)
            return true
        }
    }

    public func useRecovery(hash: String, for user: UserID, at: Date) throws -> Bool {
        state.withLock { state in
            guard let entry = state.codes[user]?[hash], entry == nil else { return false }
            state.codes[user]?[hash] = .some(at)
            return true
        }
    }

    public func recoveryLeft(for user: UserID) throws -> Int { state.withLock { ($0.codes[user] ?? [:]).values.filter { $0 == nil }.count } }

    public func openChallenge(_ challenge: LoginChallenge) throws { state.withLock { $0.challenges[challenge.idHash] = challenge } }

    public func challenge(idHash: String, at now: Date) throws -> LoginChallenge? {
        state.withLock { state in state.challenges[idHash].flatMap { $0.expiresAt >= now ? $0 : nil } }
    }

    public func failChallenge(idHash: String) throws -> Int {
        state.withLock { state in
            guard let old = state.challenges[idHash] else { return LoginChallenge.maxFailures }
            let new = LoginChallenge(idHash: idHash, userID: old.userID, remember: old.remember, expiresAt: old.expiresAt, failures: old.failures + 1)
            state.challenges[idHash] = new
            return new.failures
        }
    }

    public func closeChallenge(idHash: String) throws { state.withLock { $0.challenges[idHash] = nil } }
}
