import Common
import Foundation
import Synchronization
import Testing

@Suite struct WeightBudgetTests {
    final class ManualClock: Sendable {
        let now = Mutex<Int64>(1_800_000_000_000)
        func advance(_ ms: Int64) { now.withLock { $0 += ms } }
    }

    @Test func aShareIsEightyPercentSplitAmongProcesses() {
        #expect(WeightBudget.share(hostLimit: 6_000, processes: 1) == 4_800)
        #expect(WeightBudget.share(hostLimit: 6_000, processes: 2) == 2_400)
        #expect(WeightBudget.share(hostLimit: 6_000, processes: 100) == 48)
        #expect(WeightBudget.share(hostLimit: 6_000, processes: 0) == 4_800)
        #expect(WeightBudget.share(hostLimit: 6_000 * 100, processes: 100) * 100 <= 6_000 * 100 * 8 / 10)
    }

    @Test func reservationsStopAtTheShareUntilTheNextMinute() {
        let clock = ManualClock()
        let budget = WeightBudget(share: 10, hostLimit: 6_000, clock: { clock.now.withLock { $0 } })
        #expect(budget.tryReserve(4) == nil)
        #expect(budget.tryReserve(4) == nil)
        let wait = budget.tryReserve(4)
        #expect(wait != nil && wait! > 0 && wait! <= 60_000)
        clock.advance(wait!)
        #expect(budget.tryReserve(4) == nil, "a new minute, a new share")
    }

    @Test func theExchangesCountIsHonoured() {
        let clock = ManualClock()
        let budget = WeightBudget(share: 1_000, hostLimit: 100, clock: { clock.now.withLock { $0 } })
        budget.exchangeReported(79)
        #expect(budget.tryReserve(2) != nil, "the host budget (80) would be passed")
        #expect(budget.tryReserve(1) == nil)
    }

    @Test func aClientOverItsShareIsToldToWaitWithoutSending() async {
        let budget = WeightBudget(share: 1, hostLimit: 6_000)
        _ = budget.tryReserve(1)
        let client = BinanceClient(baseURL: "http://127.0.0.1:9", credentials: nil, budget: budget)
        do {
            try await budget.reserve(1, maxWait: .zero)
            Issue.record("a spent share was reserved")
        } catch {
            guard case .rateLimited(let seconds) = error else {
                Issue.record("expected rateLimited, got \(error)")
                return
            }
            #expect(seconds >= 1 && seconds <= 60)
        }
        _ = client
    }
}
