import Logging
import ServiceLifecycle

/// Saves the simulator's state at most once a second when it changed, and once more at shutdown.
struct SnapshotService: Service {
    let exchange: SimExchange
    let store: SimStore
    let logger: Logger

    func run() async throws {
        var saved = 0
        var ticks = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if ticks % 10 == 0 { saved = save(after: saved) }
            ticks += 1
            try? await Task.sleep(for: .milliseconds(100))
        }
        _ = save(after: saved)
    }

    private func save(after revision: Int) -> Int {
        guard let (snapshot, current) = exchange.snapshot(after: revision) else { return revision }
        do {
            try store.save(snapshot)
            return current
        } catch {
            logger.error("sim.state_save_failed", metadata: ["error": "\(error)"])
            return revision
        }
    }
}
