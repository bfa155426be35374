import Common
import Foundation
import Testing

@Suite struct RestartPolicyTests {
    let settings = RestartPolicy.Settings(initial: 0.5, max: 8, healthyAfter: 60, crashLoopRestarts: 5, crashLoopWindow: 60)
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test func backoffDoublesFromHalfASecondUpToTheCap() {
        var policy = RestartPolicy(settings: RestartPolicy.Settings(initial: 0.5, max: 8, healthyAfter: 60, crashLoopRestarts: 100, crashLoopWindow: 60))
        var now = t0
        var delays: [TimeInterval] = []
        for _ in 0..<7 {
            policy.didStart(at: now)
            now += 1
            let decision = policy.didExit(at: now)
            delays.append(decision.restartAt.timeIntervalSince(now))
            now = decision.restartAt
        }
        #expect(delays == [0.5, 1, 2, 4, 8, 8, 8])
    }

    @Test func aHealthyRunResetsTheBackoff() {
        var policy = RestartPolicy(settings: settings)
        policy.didStart(at: t0)
        _ = policy.didExit(at: t0 + 1)
        policy.didStart(at: t0 + 2)
        let second = policy.didExit(at: t0 + 3)
        #expect(second.restartAt == t0 + 4)
        policy.didStart(at: t0 + 4)
        let decision = policy.didExit(at: t0 + 4 + 61)
        #expect(decision.restartAt == t0 + 65 + 0.5)
        #expect(!decision.crashLoop)
    }

    @Test func fiveExitsInTheWindowAreACrashLoopRetriedOnlyAtTheCap() {
        var policy = RestartPolicy(settings: settings)
        var now = t0
        var decisions: [RestartPolicy.Decision] = []
        for _ in 0..<5 {
            policy.didStart(at: now)
            now += 0.1
            let decision = policy.didExit(at: now)
            decisions.append(decision)
            now = decision.restartAt
        }
        #expect(decisions.prefix(4).allSatisfy { !$0.crashLoop })
        #expect(decisions[4].crashLoop)
        #expect(decisions[4].restartAt.timeIntervalSince(now - 8) >= 0)
        #expect(policy.isCrashLooping)
    }

    @Test func exitsOutsideTheWindowDoNotCount() {
        var policy = RestartPolicy(settings: RestartPolicy.Settings(initial: 0.5, max: 1, healthyAfter: 600, crashLoopRestarts: 3, crashLoopWindow: 10))
        var now = t0
        for _ in 0..<6 {
            policy.didStart(at: now)
            now += 6
            let decision = policy.didExit(at: now)
            #expect(!decision.crashLoop)
        }
    }

    @Test func didRunHealthilyClearsACrashLoop() {
        var policy = RestartPolicy(settings: settings)
        var now = t0
        for _ in 0..<5 {
            policy.didStart(at: now)
            now += 0.1
            now = policy.didExit(at: now).restartAt
        }
        #expect(policy.isCrashLooping)
        policy.didStart(at: now)
        let early = policy.didRunHealthily(at: now + 30)
        let late = policy.didRunHealthily(at: now + 60)
        #expect(!early)
        #expect(late)
        #expect(!policy.isCrashLooping)
        #expect(policy.consecutiveFailures == 0)
    }
}
