import Common
import ServiceLifecycle

/// Reports that the worker is alive, and the bot's state, every interval; with it the exchange
/// usage (request weight, failed calls) for the metrics.
struct HeartbeatService: Service {
    let bot: BotState
    let reporter: Reporter
    let client: BinanceClient
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            reporter.send(.heartbeat(state: bot.current.rawValue))
            reporter.send(.usage(weightUsed: client.usedWeight, errors: client.errorCounts))
            try? await Task.sleep(for: interval)
        }
    }
}
