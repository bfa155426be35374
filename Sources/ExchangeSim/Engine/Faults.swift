import Foundation
import Synchronization

/// Injected faults (`/sim/v1/faults`): slow answers, a share of 5xx answers, and an outage in
/// which every connection is reset. The admin endpoints are never affected.
final class Faults: Sendable {
    struct Settings: Equatable, Sendable {
        var latencyMs = 0
        var errorRate = 0.0
        var outage = false
    }

    private let settings = Mutex(Settings())

    var current: Settings { settings.withLock { $0 } }

    func set(_ new: Settings) {
        settings.withLock { $0 = new }
    }

    /// Whether this request gets a 5xx instead of an answer.
    func shouldFail() -> Bool {
        let rate = current.errorRate
        return rate > 0 && Double.random(in: 0..<1) < rate
    }
}
