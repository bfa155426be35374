import Foundation

/// Which occurrences of a failure that repeats every pass (the central database down: every
/// status write, every key read) go to the log: the first, then one every `every` seconds saying
/// how many were left out, and the first success after them saying how long it lasted. A
/// database outage is then a few lines, not ten per second.
public struct FailureLogGate: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// Log this one; `leftOut` earlier ones were not.
        case log(leftOut: Int)
        case quiet
    }

    /// The failures ended: how many there were, since when.
    public struct Recovery: Sendable, Equatable {
        public let failures: Int
        public let since: Date
        public init(failures: Int, since: Date) {
            self.failures = failures
            self.since = since
        }
    }

    public let every: TimeInterval
    var since: Date?
    var lastLogged: Date?
    var failures = 0
    var leftOut = 0

    public init(every: TimeInterval = 30) { self.every = every }

    public mutating func failed(at now: Date) -> Decision {
        failures += 1
        if since == nil { since = now }
        if let lastLogged, now.timeIntervalSince(lastLogged) < every {
            leftOut += 1
            return .quiet
        }
        lastLogged = now
        defer { leftOut = 0 }
        return .log(leftOut: leftOut)
    }

    /// A success: the recovery to log when failures came before it (once), else nil.
    public mutating func succeeded() -> Recovery? {
        guard let since else { return nil }
        defer { self = FailureLogGate(every: every) }
        return Recovery(failures: failures, since: since)
    }
}
