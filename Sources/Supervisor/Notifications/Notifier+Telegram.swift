import Common
import Foundation
import Logging

extension Notifier {
    /// Reads every Telegram channel's updates once a second: a code that links an unlinked
    /// channel's chat, and commands from a linked chat. A message from any other chat is
    /// ignored (and logged without its text).
    func telegramLoop() async {
        while !Task.isCancelled {
            let local = localUsers()
            let channels = state.withLock { state in
                state.channels.values.flatMap { $0 }.filter { $0.kind == .telegram && (local?.contains($0.userID) ?? true) }
            }
            await withTaskGroup(of: Void.self) { group in
                for channel in channels { group.addTask { await self.poll(channel) } }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    func poll(_ channel: NotificationChannel) async {
        guard let token = try? secrets.open(channel).token else { return }
        let api = TelegramAPI(http: http, baseURL: config.telegramAPIURL, token: token)
        let updates: [TelegramAPI.Update]
        switch await api.updates(offset: channel.updateOffset) {
        case .updates(let list): updates = list
        case .failed(let why):
            logger.info("telegram.updates_failed", metadata: ["channel.id": "\(channel.id)", "reason": "\(why)"])
            return
        }
        guard let last = updates.map(\.id).max() else { return }
        var linked = channel.target
        for update in updates {
            guard let chat = update.chat, let text = update.text else { continue }
            if linked.isEmpty, let code = channel.linkCode, ChatCommand.isLink(text, code: code) {
                do {
                    try database.notifications.link(channel: channel.id, chat: chat)
                    linked = chat
                    channelsChanged()
                    logger.info("telegram.linked", metadata: ["channel.id": "\(channel.id)", "user.id": "\(channel.userID)"])
                    _ = await api.call("sendMessage", ["chat_id": chat, "text": "Linked: this chat now gets Crypto Trader Pro's notifications. Commands: \(ChatCommand.usage)"])
                } catch {
                    logger.warning("telegram.link_failed", metadata: ["channel.id": "\(channel.id)", "error": "\(error)"])
                }
                continue
            }
            guard !linked.isEmpty, chat == linked else {
                logger.info("telegram.ignored", metadata: ["channel.id": "\(channel.id)", "chat": "\(chat)", "reason": "not the linked chat"])
                continue
            }
            guard let command = ChatCommand.parse(text) else {
                logger.info("telegram.ignored", metadata: ["channel.id": "\(channel.id)", "reason": "not a command"])
                _ = await api.call("sendMessage", ["chat_id": chat, "text": "Commands: \(ChatCommand.usage)"])
                continue
            }
            let reply = await answer(command, channel: channel)
            // The command's name only: an /emergency confirmation code stays out of the log.
            let name = String(describing: command).split(separator: "(").first.map(String.init) ?? ""
            logger.info("telegram.command", metadata: ["channel.id": "\(channel.id)", "user.id": "\(channel.userID)", "command": "\(name)"])
            _ = await api.call("sendMessage", ["chat_id": chat, "text": reply])
        }
        do {
            try database.notifications.setUpdateOffset(channel: channel.id, last + 1)
            state.withLock { state in
                guard var list = state.channels[channel.userID], let index = list.firstIndex(where: { $0.id == channel.id }) else { return }
                list[index].updateOffset = last + 1
                list[index].target = linked
                if !linked.isEmpty { list[index].linkCode = nil }
                state.channels[channel.userID] = list
            }
        } catch {
            logger.warning("telegram.offset_failed", metadata: ["channel.id": "\(channel.id)", "error": "\(error)"])
        }
    }

    /// The reply to a command from the linked chat; every figure from the central database.
    func answer(_ command: ChatCommand, channel: NotificationChannel) async -> String {
        let user = channel.userID
        do {
            switch command {
            case .help:
                return "Commands: \(ChatCommand.usage)"
            case .status:
                return try statusText(user)
            case .balance:
                guard let stored = try database.portfolios.portfolio(for: user) else {
                    return "No balance yet: the exchange has not been asked (no key stored, or the worker is starting)."
                }
                let lines = stored.valuation.lines.filter { $0.total > 0 }.map { line in
                    "\(line.asset) \(DecimalText.plain(line.total))" + (line.valueUSDT.map { " = \(DecimalText.format($0, places: 2)) USDT" } ?? " (no USDT price)")
                }
                return (["Balance \(DecimalText.format(stored.valuation.totalUSDT, places: 2)) USDT at \(Timestamp.string(stored.receivedAt)):"] + lines)
                    .joined(separator: "\n")
            case .profit:
                let today = try database.trading.todayPnL(for: user)
                let hosted = try database.bots.statuses(for: user).values.filter { $0.mode == "live" }
                var lines = ["Today's PnL (first bot): " + (today?.value.map { "\(DecimalText.format($0, places: 2)) USDT" } ?? "not reported yet")]
                for status in hosted.sorted(by: { $0.botID < $1.botID }) {
                    lines.append("Bot \(status.botID) \(status.symbol): realised \(DecimalText.format(status.realisedPnL, places: 2)) USDT, today \(DecimalText.format(status.todayPnL, places: 2))")
                }
                return lines.joined(separator: "\n")
            case .bots:
                let bots = try database.bots.bots(for: user)
                let statuses = try database.bots.statuses(for: user)
                guard !bots.isEmpty else { return "No bots yet." }
                return bots.map { bot in
                    let mode = bot.definition.mode == .paper ? " (paper)" : ""
                    let state = statuses[bot.id]?.state ?? (bot.wanted ? "starting" : "stopped")
                    return "\(bot.id): \(bot.definition.name) — \(bot.definition.strategyName)\(mode), \(state)"
                }.joined(separator: "\n")
            case .stop(let bot):
                return await botControl.perform(.stop, bot: bot, user: user)
            case .start(let bot):
                return await botControl.perform(.start, bot: bot, user: user)
            case .emergency(let code):
                let fresh = String(format: "%06d", Int.random(in: 0..<1_000_000))
                let step = state.withLock { state in
                    var confirmation = state.confirmations[channel.id] ?? EmergencyConfirmation()
                    defer { state.confirmations[channel.id] = confirmation }
                    return confirmation.take(code, fresh: fresh, now: Date())
                }
                switch step {
                case .ask(let code):
                    return "This stops every bot and cancels their orders. To confirm, send /emergency \(code) within 60 s."
                case .wrongCode:
                    return "That code is wrong or too old; send /emergency for a new one."
                case .confirmed:
                    return await botControl.perform(.emergency, bot: nil, user: user)
                }
            }
        } catch {
            logger.warning("telegram.answer_failed", metadata: ["user.id": "\(user)", "error": "\(error)"])
            return "The database did not answer; try again in a moment."
        }
    }

    func statusText(_ user: UserID) throws -> String {
        var lines: [String] = []
        lines.append("Trading: " + (botControl.traderState(user) ?? "no worker running"))
        if let exchange = try database.portfolios.exchangeStatus(for: user) {
            lines.append(
                exchange.reachable
                    ? "Exchange: reachable"
                    : "Exchange: unreachable since \(exchange.since.map(Timestamp.string) ?? "?") (\(exchange.reason ?? "no answer"))")
        } else {
            lines.append("Exchange: not asked yet")
        }
        let statuses = try database.bots.statuses(for: user)
        let running = statuses.values.filter { $0.state == "running" }.count
        lines.append("Grid/DCA/signal bots running: \(running) of \(statuses.count)")
        return lines.joined(separator: "\n")
    }
}

/// What Telegram's commands do to bots: `/start` and `/stop` through the web (which writes the
/// bots' wanted state), `/emergency` as the worker's emergency stop.
protocol BotControl: Sendable {
    func perform(_ action: BotAction, bot: Int64?, user: UserID) async -> String
    /// The first bot's state as its worker's heartbeat says (nil: no worker).
    func traderState(_ user: UserID) -> String?
}

enum BotAction: String, Sendable {
    case start, stop, emergency
}
