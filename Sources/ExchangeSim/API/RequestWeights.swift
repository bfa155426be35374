import Foundation
import Synchronization

/// Request weight per client address and minute, as Binance counts it: every answer carries
/// `X-MBX-USED-WEIGHT-1M`; past the limit the answer is 429 with `Retry-After`; a client that
/// keeps sending after 429s is banned (418) for two minutes.
final class RequestWeights: Sendable {
    struct Window {
        var minute: Int64
        var used: Int
        var violations: Int
        var bannedUntil: Int64
    }

    enum Verdict: Equatable {
        case allowed(used: Int)
        case limited(used: Int, retryAfter: Int)
        case banned(retryAfter: Int)
    }

    let limit: Int
    private let windows = Mutex<[String: Window]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    func charge(_ address: String, weight: Int, nowMs: Int64) -> Verdict {
        windows.withLock { windows in
            let minute = nowMs / 60_000
            var window = windows[address] ?? Window(minute: minute, used: 0, violations: 0, bannedUntil: 0)
            defer { windows[address] = window }
            if window.bannedUntil > nowMs {
                return .banned(retryAfter: Int((window.bannedUntil - nowMs + 999) / 1_000))
            }
            if window.minute != minute {
                window.minute = minute
                window.used = 0
                window.violations = max(0, window.violations - 1)
            }
            window.used += weight
            if window.used > limit {
                window.violations += 1
                if window.violations > 5 {
                    window.bannedUntil = nowMs + 120_000
                    return .banned(retryAfter: 120)
                }
                return .limited(used: window.used, retryAfter: Int(((minute + 1) * 60_000 - nowMs + 999) / 1_000))
            }
            return .allowed(used: window.used)
        }
    }
}
