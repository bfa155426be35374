import Common
import ServiceLifecycle

/// The supervision loop as a service: starts the children, ticks every 100 ms, and on graceful
/// shutdown stops every child before returning.
struct SupervisorService: Service {
    let supervisor: ProcessSupervisor

    func run() async throws {
        try supervisor.start()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            supervisor.tick()
            try? await Task.sleep(for: .milliseconds(100))
        }
        await supervisor.stopAll()
    }
}
