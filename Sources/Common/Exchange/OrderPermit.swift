import Foundation
import Synchronization

/// Whether this worker may change orders on the exchange now.
///
/// On one machine it always may. When several hosts share the central database a worker runs
/// under its supervisor's lease on the user, and may send an order (place, cancel, replace) only
/// until the time its supervisor last gave it (``SupervisorMessage/lease(untilMs:)``), which lies
/// before the lease's end: a supervisor that stops renewing (stopped, cut off from the database)
/// leaves its workers unable to trade before another host can take the user over. Reads are
/// never refused.
public final class OrderPermit: Sendable {
    private let untilMs: Mutex<Int64?>
    private let clock: @Sendable () -> Int64

    /// - Parameter leased: the worker runs under a lease: nothing may be sent before the first
    ///   time arrives.
    public init(leased: Bool, clock: @escaping @Sendable () -> Int64 = BinanceClient.localMs) {
        untilMs = Mutex(leased ? 0 : nil)
        self.clock = clock
    }

    /// Orders may be sent until `untilMs` (wall-clock milliseconds).
    public func extend(untilMs time: Int64) {
        untilMs.withLock { current in
            if current != nil { current = time }
        }
    }

    /// Throws, before anything is sent, when orders may not be sent now.
    public func check() throws(ExchangeError) {
        guard let until = untilMs.withLock({ $0 }) else { return }
        let now = clock()
        guard now < until else {
            throw .refusedLocally("this host's lease on the user has lapsed (the supervisor has not renewed it): no order is sent until it does")
        }
    }

    /// Whether a request changes orders: a non-GET call of the order, order-list,
    /// cancel-replace or open-orders endpoints.
    public static func changesOrders(method: String, path: String) -> Bool {
        method != "GET" && (path.hasPrefix("/api/v3/order") || path == "/api/v3/openOrders")
    }
}
