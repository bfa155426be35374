import Common
import Synchronization
import Testing

/// A worker under a lease sends orders only until the time its supervisor last gave it; reads
/// are never refused; on one machine nothing is.
@Suite struct OrderPermitTests {
    final class Clock: Sendable {
        let now = Atomic<Int64>(1_000)
        func read() -> Int64 { now.load(ordering: .relaxed) }
    }

    @Test func aLeasedWorkerSendsNothingBeforeItsFirstTimeAndNothingAfterIt() throws {
        let clock = Clock()
        let permit = OrderPermit(leased: true) { clock.read() }
        #expect(throws: ExchangeError.self) { try permit.check() }
        permit.extend(untilMs: 5_000)
        try permit.check()
        clock.now.store(4_999, ordering: .relaxed)
        try permit.check()
        clock.now.store(5_000, ordering: .relaxed)
        #expect {
            try permit.check()
        } throws: { error in
            guard case .refusedLocally(let reason) = error as? ExchangeError else { return false }
            return reason.contains("lease")
        }
        permit.extend(untilMs: 9_000)
        try permit.check()
    }

    @Test func onOneMachineEveryOrderMayGo() throws {
        let permit = OrderPermit(leased: false) { Int64.max }
        try permit.check()
        permit.extend(untilMs: 0)
        try permit.check()
    }

    @Test(arguments: [
        ("POST", "/api/v3/order", true), ("DELETE", "/api/v3/order", true), ("POST", "/api/v3/orderList/oco", true),
        ("DELETE", "/api/v3/orderList", true), ("POST", "/api/v3/order/cancelReplace", true), ("DELETE", "/api/v3/openOrders", true),
        ("GET", "/api/v3/order", false), ("GET", "/api/v3/openOrders", false), ("POST", "/api/v3/userDataStream", false),
        ("PUT", "/api/v3/userDataStream", false), ("GET", "/api/v3/account", false),
    ])
    func onlyCallsThatChangeOrdersNeedThePermit(method: String, path: String, changes: Bool) {
        #expect(OrderPermit.changesOrders(method: method, path: path) == changes)
    }
}
