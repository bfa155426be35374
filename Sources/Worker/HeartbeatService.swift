import Common
import ServiceLifecycle

/// Reports that the worker is alive, and the bot's state, every interval.
struct HeartbeatService: Service {
    let bot: BotState
    let reporter: Reporter
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            reporter.send(.heartbeat(state: bot.current.rawValue))
            try? await Task.sleep(for: interval)
        }
    }
}
