import Foundation
import Synchronization

/// This process's share of the host's request weight per minute.
///
/// Binance limits request weight per IP address, so every worker on a host draws on one budget.
/// The supervisor hands each worker a share (80 % of the exchange's limit divided among the
/// running workers, resent when their number changes); the client reserves weight before every
/// request and waits for the next minute rather than exceed its share. The exchange's own
/// `X-MBX-USED-WEIGHT-1M` count is honoured too: past the host budget nobody sends.
public final class WeightBudget: Sendable {
    struct Window {
        var minute: Int64 = 0
        var used = 0
        var share: Int
        var reportedByExchange = 0
    }

    public let hostLimit: Int
    private let window: Mutex<Window>
    private let clock: @Sendable () -> Int64

    /// - Parameters:
    ///   - share: weight this process may use per minute.
    ///   - hostLimit: the exchange's limit for the whole address (Binance: 6000).
    public init(share: Int, hostLimit: Int = 6_000, clock: @escaping @Sendable () -> Int64 = BinanceClient.localMs) {
        self.hostLimit = hostLimit
        self.clock = clock
        window = Mutex(Window(share: share))
    }

    /// The share for each of `processes` processes: 80 % of the limit, split evenly.
    public static func share(hostLimit: Int, processes: Int) -> Int {
        max(1, (hostLimit - hostLimit / 5) / max(processes, 1))
    }

    public var share: Int { window.withLock { $0.share } }

    public func setShare(_ share: Int) {
        window.withLock { $0.share = max(1, share) }
    }

    /// Takes `weight` from this minute's share; `nil` when it fits, else the milliseconds
    /// until the next minute, when it will.
    public func tryReserve(_ weight: Int) -> Int64? {
        let now = clock()
        return window.withLock { window in
            let minute = now / 60_000
            if window.minute != minute {
                window = Window(minute: minute, used: 0, share: window.share, reportedByExchange: 0)
            }
            let hostBudget = hostLimit - hostLimit / 5
            if window.used + weight > window.share || window.reportedByExchange + weight > hostBudget {
                return (minute + 1) * 60_000 - now
            }
            window.used += weight
            return nil
        }
    }

    /// Waits, if need be, until `weight` fits, up to `maxWait`; past that the caller is told
    /// to back off (`rateLimited`) instead of sending.
    public func reserve(_ weight: Int, maxWait: Duration = .seconds(61)) async throws(ExchangeError) {
        let deadline = ContinuousClock.now + maxWait
        while let wait = tryReserve(weight) {
            guard ContinuousClock.now + .milliseconds(wait) <= deadline else {
                throw .rateLimited(retryAfter: Int((wait + 999) / 1_000))
            }
            do {
                // In short steps: a new share (the supervisor's, just after start) counts at once.
                try await Task.sleep(for: .milliseconds(min(wait, 200)))
            } catch {
                // The caller is being cancelled (the worker stops): give up, do not spin.
                throw .temporary("cancelled while waiting for request weight")
            }
        }
    }

    /// What the exchange said this address has used in the current minute.
    public func exchangeReported(_ used: Int) {
        let minute = clock() / 60_000
        window.withLock { window in
            if window.minute != minute { window = Window(minute: minute, used: 0, share: window.share, reportedByExchange: 0) }
            window.reportedByExchange = max(window.reportedByExchange, used)
        }
    }

    public var usedThisMinute: Int { window.withLock { $0.used } }
}
