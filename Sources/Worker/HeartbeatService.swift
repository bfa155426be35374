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
        // A graceful shutdown cancels the sleep: the worker does not wait out an interval to stop.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                reporter.send(.heartbeat(state: bot.current.rawValue))
                reporter.send(.usage(weightUsed: client.usedWeight, errors: client.errorCounts))
                try? await Task.sleep(for: interval)
            }
        }
    }
}
