import Common
import Foundation

extension SimExchange {
    /// `POST /api/v3/userDataStream`: the account's listenKey (the same one while it lives),
    /// valid for 60 minutes from now.
    func listenKey(for apiKey: String) throws(SimError) -> String {
        let now = nowMs
        return try state.withLock { (state: inout State) throws(SimError) -> String in
            guard state.accounts[apiKey] != nil else { throw .rejectedKey }
            if let existing = state.listenKeys.first(where: { $0.value.0 == apiKey && $0.value.1 > now }) {
                state.listenKeys[existing.key] = (apiKey, now + 3_600_000)
                return existing.key
            }
            let key = Self.randomToken(60)
            state.listenKeys[key] = (apiKey, now + 3_600_000)
            return key
        }
    }

    func keepAlive(listenKey: String, apiKey: String) throws(SimError) {
        let now = nowMs
        try state.withLock { (state: inout State) throws(SimError) in
            guard let entry = state.listenKeys[listenKey], entry.0 == apiKey, entry.1 > now else {
                throw SimError(status: 400, code: -1125, message: "This listenKey does not exist.")
            }
            state.listenKeys[listenKey] = (apiKey, now + 3_600_000)
        }
    }

    func close(listenKey: String, apiKey: String) throws(SimError) {
        try state.withLock { (state: inout State) throws(SimError) in
            guard state.listenKeys[listenKey]?.0 == apiKey else { throw SimError(status: 400, code: -1125, message: "This listenKey does not exist.") }
            state.listenKeys[listenKey] = nil
        }
    }

    /// The account a live listenKey belongs to.
    func account(forListenKey listenKey: String) -> String? {
        let now = nowMs
        return state.withLock { state in state.listenKeys[listenKey].flatMap { $0.1 > now ? $0.0 : nil } }
    }

    func userEvents(_ apiKey: String, after cursor: Int) -> [(Int, String)] {
        state.withLock { $0.userEvents.after(apiKey, cursor) }
    }

    var latestUserEvent: Int { state.withLock { $0.userEvents.latest } }

    /// Counts a user-data connection for as long as `body` runs.
    func listening<T>(to apiKey: String, _ body: () async throws -> T) async rethrows -> T {
        state.withLock { $0.listeners[apiKey, default: 0] += 1 }
        defer { state.withLock { $0.listeners[apiKey, default: 1] -= 1 } }
        return try await body()
    }
}
