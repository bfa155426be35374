import Common
import Foundation
import Testing

/// Resource limits per worker (issue: operations): the open-files limit is set on every worker,
/// and a worker whose resident memory passes the limit is killed, started again, and the reason
/// recorded for its user and shown on the dashboard.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LimitsTests {
    @Test func aWorkerOverItsMemoryLimitIsRestartedAndTheReasonShown() async throws {
        // A worker needs ~35 MB: 8 MB is a limit it always passes.
        let environment = ["TRADER_WORKER_MEMORY_LIMIT_MB": "8", "TRADER_WORKER_OPEN_FILES": "256"]
        try await AccountTests.withSystem("limits", environment: environment) { supervisor, web in
            let (user, _) = try await TradingTests.user(supervisor, web)
            // The limit is set on each worker as it starts (read from a live one: they come and go here).
            var line = ""
            let read = await waitUntil(.seconds(10)) {
                guard let pid = supervisor.child("worker", user: user)?.pid,
                    let limits = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
                else { return false }
                line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
                return !line.isEmpty
            }
            #expect(read)
            #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(2) == ["256", "256"], "\(line)")
            let database = try CentralDatabase.open(supervisor.directory)
            let restarted = try await waitUntilAsync(.seconds(20)) {
                let status = try database.processes.status(process: ProcessStatus.workerName(user))
                return (status?.restarts ?? 0) >= 1 && (status?.lastExitStatus ?? "").contains("over the limit of 8 MB")
            }
            let status = try database.processes.status(process: ProcessStatus.workerName(user))
            #expect(restarted, "\(String(describing: status))")
            let events = try database.workerEvents.events(for: user, limit: 10)
            #expect(events.contains { $0.kind == "memory_limit" && $0.message.contains("over the limit of 8 MB") }, "\(events)")
            let page = try await web.get("/trading").body
            #expect(page.contains("memory_limit") && page.contains("over the limit of 8 MB"))
        }
    }
}
