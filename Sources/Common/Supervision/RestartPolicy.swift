import Foundation

/// When to start a process again after it exits.
///
/// Backoff doubles from `initial` at each consecutive failure up to `max`, and resets once a
/// run has lasted `healthyAfter`. When `crashLoopRestarts` exits fall within `crashLoopWindow`,
/// the process is in a crash loop: it is reported, and restarted only at the capped delay, never
/// at full speed, until it runs healthily again.
public struct RestartPolicy: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        public var initial: TimeInterval
        public var max: TimeInterval
        public var healthyAfter: TimeInterval
        public var crashLoopRestarts: Int
        public var crashLoopWindow: TimeInterval

        public init(initial: TimeInterval, max: TimeInterval, healthyAfter: TimeInterval, crashLoopRestarts: Int, crashLoopWindow: TimeInterval) {
            self.initial = initial
            self.max = max
            self.healthyAfter = healthyAfter
            self.crashLoopRestarts = crashLoopRestarts
            self.crashLoopWindow = crashLoopWindow
        }

        public init(_ config: TraderConfig) {
            self.init(
                initial: Double(config.restartBackoffInitialMs) / 1000, max: Double(config.restartBackoffMaxMs) / 1000,
                healthyAfter: Double(config.healthyAfterMs) / 1000, crashLoopRestarts: config.crashLoopRestarts,
                crashLoopWindow: Double(config.crashLoopWindowMs) / 1000
            )
        }
    }

    /// What to do after an exit.
    public struct Decision: Sendable, Equatable {
        public var restartAt: Date
        public var crashLoop: Bool
    }

    public let settings: Settings
    public private(set) var consecutiveFailures = 0
    public private(set) var recentExits: [Date] = []
    public private(set) var startedAt: Date?

    public init(settings: Settings) {
        self.settings = settings
    }

    public var isCrashLooping: Bool { recentExits.count >= settings.crashLoopRestarts }

    public mutating func didStart(at now: Date) {
        startedAt = now
    }

    /// A run that lasted long enough counts as healthy: the backoff and the crash-loop count start over.
    public mutating func didRunHealthily(at now: Date) -> Bool {
        guard let startedAt, now.timeIntervalSince(startedAt) >= settings.healthyAfter,
            consecutiveFailures > 0 || !recentExits.isEmpty
        else { return false }
        consecutiveFailures = 0
        recentExits = []
        return true
    }

    public mutating func didExit(at now: Date) -> Decision {
        _ = didRunHealthily(at: now)
        startedAt = nil
        consecutiveFailures += 1
        recentExits.append(now)
        recentExits.removeAll { now.timeIntervalSince($0) > settings.crashLoopWindow }
        let crashLoop = isCrashLooping
        let exponent = Double(min(consecutiveFailures - 1, 30))
        let delay = crashLoop ? settings.max : min(settings.initial * pow(2, exponent), settings.max)
        return Decision(restartAt: now.addingTimeInterval(delay), crashLoop: crashLoop)
    }
}
