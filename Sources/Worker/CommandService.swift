import Common
import Logging
import ServiceLifecycle

/// Acts on the supervisor's commands. Returns at end of stdin, which ends the worker.
struct CommandService: Service {
    let input: StandardInput
    let bot: BotState
    let reporter: Reporter
    /// This worker's share of the host's request weight, as the supervisor says.
    let budget: WeightBudget
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while let line = await input.nextLine() {
                handle(line)
            }
            logger.info("worker.stdin_closed")
        }
    }

    private func handle(_ line: String) {
        let message: SupervisorMessage
        do {
            message = try SupervisorMessage.parse(line)
        } catch {
            logger.warning("command.unreadable", metadata: ["error": "\(error)"])
            return
        }
        if case .budget(let weight) = message {
            budget.setShare(weight)
            logger.info("budget.updated", metadata: ["weight_per_minute": "\(weight)"])
            return
        }
        guard case .command(let id, let name, let payload) = message else {
            logger.warning("command.unexpected_credentials")
            return
        }
        do {
            guard try bot.record(commandID: id, command: name, payload: payload) else {
                reporter.send(.acknowledged(commandID: id, result: "duplicate"))
                return
            }
            let result = try apply(name)
            logger.info("command.done", metadata: ["command.id": "\(id)", "command.name": "\(name)", "bot.state": "\(bot.current)"])
            reporter.send(.acknowledged(commandID: id, result: result))
        } catch {
            logger.error("command.failed", metadata: ["command.id": "\(id)", "error": "\(error)"])
            reporter.send(.acknowledged(commandID: id, result: "error: \(error)"))
        }
    }

    private func apply(_ name: String) throws -> String {
        switch name {
        case "start":
            try bot.set(.running)
        case "stop":
            try bot.set(.stopped)
        case "emergency_stop":
            try bot.set(.emergencyStopped)
        case "settings_changed":
            break
        default:
            return "unknown command"
        }
        reporter.send(.heartbeat(state: bot.current.rawValue))
        return "ok"
    }
}
