import Common
import Foundation
import Testing

/// A failure that repeats every pass is logged once, then every 30 s with the count left out,
/// and its end once.
@Suite struct FailureLogGateTests {
    @Test func anOutageIsAFewLinesNotOnePerPass() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var gate = FailureLogGate(every: 30)
        #expect(gate.succeeded() == nil)
        #expect(gate.failed(at: t0) == .log(leftOut: 0))
        // Ten passes a second for a minute: two more lines, each with what it left out.
        var logged: [FailureLogGate.Decision] = []
        for tick in 1...600 {
            let decision = gate.failed(at: t0.addingTimeInterval(Double(tick) / 10))
            if decision != .quiet { logged.append(decision) }
        }
        #expect(logged == [.log(leftOut: 299), .log(leftOut: 299)])
        #expect(gate.succeeded() == FailureLogGate.Recovery(failures: 601, since: t0))
        // Once: the next success has nothing to report, and the next failure is logged at once.
        #expect(gate.succeeded() == nil)
        #expect(gate.failed(at: t0.addingTimeInterval(61)) == .log(leftOut: 0))
    }
}
