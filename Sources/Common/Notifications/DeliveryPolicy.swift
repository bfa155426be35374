import Foundation

/// When a notification that could not be delivered is tried again, and when it is given up.
///
/// At least once: a message stays in the outbox until its channel accepts it. A failure waits
/// `base · 2^(attempts − 1)` (1 s, 2 s, 4 s … up to `cap`, 5 min), or what the receiver asked
/// (Telegram's `retry_after`, an HTTP `Retry-After`) when that is longer. A message is given up
/// after `maxAge` (24 h) or when the receiver refused it for good (a 4xx other than 408 and 429:
/// a wrong token, a chat that blocked the bot), and its channel's last result says why.
public struct DeliveryPolicy: Sendable, Equatable {
    public var base: TimeInterval = 1
    public var cap: TimeInterval = 300
    public var maxAge: TimeInterval = 86_400

    public init() {}

    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Worth trying again: no answer, a 5xx, 408 or 429 (`retryAfter`: what the receiver asked).
        case failed(status: Int?, retryAfter: TimeInterval?)
    }

    public enum Decision: Sendable, Equatable {
        case done
        case retry(at: Date)
        case giveUp(reason: String)
    }

    /// What to do after attempt number `attempts` (1 for the first) of a message queued at `queuedAt`.
    public func decide(_ outcome: Outcome, attempts: Int, queuedAt: Date, now: Date) -> Decision {
        guard case .failed(let status, let retryAfter) = outcome else { return .done }
        if let status, (400..<500).contains(status), status != 408, status != 429 {
            return .giveUp(reason: "refused with \(status): not tried again")
        }
        let backoff = min(cap, base * pow(2, Double(min(max(attempts - 1, 0), 30))))
        let wait = max(backoff, retryAfter ?? 0)
        let at = now.addingTimeInterval(wait)
        if at.timeIntervalSince(queuedAt) > maxAge {
            return .giveUp(reason: String(format: "not delivered within %.0f h", maxAge / 3600))
        }
        return .retry(at: at)
    }
}
