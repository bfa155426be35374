import Foundation
import Common
import Logging
import ServiceLifecycle

/// Acts on the supervisor's messages: budget, settings and commands, each command once and
/// acknowledged. Returns at end of stdin, which ends the worker.
struct CommandService: Service {
    let input: StandardInput
    let bot: BotState
    let reporter: Reporter
    /// This worker's share of the host's request weight, as the supervisor says.
    let budget: WeightBudget
    let permit: OrderPermit
    /// nil when the bot cannot trade (its database is refused, or the worker has no key).
    let trader: Trader?
    /// The user's grid and DCA bots; nil when the worker's database is refused.
    let host: BotHost?
    /// Started without an exchange key, for paper bots: the first bot's commands are refused.
    let keyless: Bool
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while let line = await input.nextLine() {
                await handle(line)
            }
            logger.info("worker.stdin_closed")
            // The supervisor is gone (or stops us): the group shuts down gracefully, but a service
            // in the middle of a slow exchange call must not keep this process alive for long.
            // Every file is crash-safe, and a new supervisor starts a new worker.
            Task.detached {
                try? await Task.sleep(for: .seconds(2))
                _exit(0)
            }
        }
    }

    /// The history lines of the start, until `history_end`.
    final class History: @unchecked Sendable {
        var orders: [OrderRecord] = []
        var fills: [BotFill] = []
        /// The grid and DCA bots the supervisor named to run.
        var bots: Set<Int64> = []
        /// The first bot's state as its last worker reported it, taken after the history.
        var traderState: String?
    }
    let history = History()

    private func handle(_ line: String) async {
        let message: SupervisorMessage
        do {
            message = try SupervisorMessage.parse(line)
        } catch {
            logger.warning("command.unreadable", metadata: ["error": "\(error)"])
            return
        }
        switch message {
        case .lease(let until):
            permit.extend(untilMs: until)
        case .budget(let weight):
            budget.setShare(weight)
            logger.info("budget.updated", metadata: ["weight_per_minute": "\(weight)"])
        case .settings(let json):
            if let trader { _ = await trader.apply(settingsJSON: json) }
        case .credentials:
            logger.warning("command.unexpected_credentials")
        case .historyOrder(let order):
            history.orders.append(order)
        case .historyFill(let fill):
            history.fills.append(fill)
        case .traderState(let state):
            history.traderState = state
        case .historyEnd:
            if let trader { await trader.restore(orders: history.orders, fills: history.fills) }
            history.orders = []
            history.fills = []
            // Only now, with the positions restored: a bot that ran on another host runs on here
            // (unless this database already has a state, or a command since set one).
            if trader != nil, let state = history.traderState, (try? bot.adopt(state)) == true {
                reporter.send(.heartbeat(state: bot.current.rawValue))
                reporter.send(.event(level: "info", kind: "bot", message: "the bot is \(state.replacingOccurrences(of: "_", with: " ")) as its last worker reported"))
                logger.info("bot.state_adopted", metadata: ["bot.state": "\(state)"])
            }
            history.traderState = nil
            await host?.request(.settle(wanted: history.bots))
        case .bot(let id, let definition):
            history.bots.insert(id)
            await host?.request(.start(bot: id, definition: definition))
        case .command(let id, let name, let payload):
            do {
                guard try bot.record(commandID: id, command: name, payload: payload) else {
                    reporter.send(.acknowledged(commandID: id, result: "duplicate"))
                    return
                }
                if name == ControlCommand.signal.rawValue {
                    // Acknowledged with its outcome (the order placed, or why not) once the bot
                    // acted, without holding up the commands behind it.
                    let host = host, reporter = reporter, logger = logger
                    Task {
                        let result = await Self.signal(payload, host: host, now: Date())
                        logger.info("signal.done", metadata: ["command.id": "\(id)", "result": "\(result)"])
                        reporter.send(.acknowledged(commandID: id, result: result))
                    }
                    return
                }
                let result: String
                if let hosted = await hostCommand(name, payload: payload) {
                    result = hosted
                } else if let trader {
                    // Acknowledged at once; the work (cancelling, selling) goes on after.
                    switch name {
                    case "emergency_stop", "stop":
                        try bot.set(name == "stop" ? .stopped : .emergencyStopped)
                        reporter.send(.heartbeat(state: bot.current.rawValue))
                        reporter.send(.acknowledged(commandID: id, result: "ok"))
                        result = await trader.command(name, payload: payload)
                        logger.info("command.done", metadata: ["command.id": "\(id)", "command.name": "\(name)", "result": "\(result)"])
                        return
                    default:
                        result = await trader.command(name, payload: payload)
                    }
                } else {
                    result = try apply(name)
                }
                logger.info("command.done", metadata: ["command.id": "\(id)", "command.name": "\(name)", "bot.state": "\(bot.current)"])
                reporter.send(.acknowledged(commandID: id, result: result))
            } catch {
                logger.error("command.failed", metadata: ["command.id": "\(id)", "error": "\(error)"])
                reporter.send(.acknowledged(commandID: id, result: "error: \(error)"))
            }
        }
    }

    /// A command for the grid and DCA bots: queued for the host's next tick. The user's
    /// emergency stop reaches them too (and the first bot, after this returns nil for it).
    private func hostCommand(_ name: String, payload: String?) async -> String? {
        switch name {
        case ControlCommand.botStart.rawValue, ControlCommand.botStop.rawValue:
            guard let host else { return "error: the worker's database is refused, so no bot runs" }
            guard let payload, let command = try? WireJSON.decode(BotCommandPayload.self, from: Data(payload.utf8)) else {
                return "error: \(name) needs {\"bot_id\": …}"
            }
            if name == ControlCommand.botStart.rawValue {
                guard let definition = command.definition else { return "error: bot_start needs the bot's definition" }
                await host.request(.start(bot: command.botID, definition: definition))
            } else {
                await host.request(.stop(bot: command.botID, sell: command.sell ?? false))
            }
            return "ok"
        case ControlCommand.emergencyStop.rawValue:
            await host?.request(.stopAll)
            return nil
        default:
            return nil
        }
    }

    /// A signal from a bot's hook: carried out by the bot at the host's next tick (at once).
    static func signal(_ payload: String?, host: BotHost?, now: Date) async -> String {
        guard let host else { return "refused: the worker's database is refused, so no bot runs" }
        guard let payload, let signal = try? WireJSON.decode(SignalCommandPayload.self, from: Data(payload.utf8)), let action = signal.decoded else {
            return "refused: the signal's payload does not read"
        }
        if let late = signal.lateness(now: now) { return "refused: \(late)" }
        return await host.perform(signal: action, bot: signal.botID)
    }

    /// Without a trader (the bot's database is refused): every command is refused by `set`.
    private func apply(_ name: String) throws -> String {
        if keyless { return "error: no API key is stored, so only paper bots run" }
        switch name {
        case "start": try bot.set(.running)
        case "stop": try bot.set(.stopped)
        case "emergency_stop": try bot.set(.emergencyStopped)
        case "settings_changed": break
        default: return "unknown command"
        }
        reporter.send(.heartbeat(state: bot.current.rawValue))
        return "ok"
    }
}

/// Steps the user's bots every second, and at once when a request comes (a signal is acted on
/// as it arrives, not at the next second).
struct BotHostService: Service {
    let host: BotHost

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await host.tick()
                await host.wakeup.wait(upTo: .seconds(1))
            }
        }
    }
}

/// Starts the trader and runs its periodic pass every second.
struct TradingService: Service {
    let trader: Trader

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await trader.start()
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await trader.tick()
            }
        }
    }
}
