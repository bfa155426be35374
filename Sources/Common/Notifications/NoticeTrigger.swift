import Foundation

/// Which notices what a worker reported makes. Pure: the supervisor hands in what it knows
/// (the bot's state before this report) and enqueues what comes back for the channels that
/// picked each event.
public enum NoticeTrigger {
    /// The notices of one report. `previousBotState`: a `bot_status`'s bot's state as last
    /// stored (nil: none stored), so that only a change is told.
    public static func notices(_ report: WorkerReport, previousBotState: String? = nil, now: Date) -> [Notice] {
        switch report {
        case .fill(let fill):
            let purpose = OrderPurpose(fill.clientOrderID)
            let key = "fill:\(fill.symbol):\(fill.tradeID)"
            if purpose.isExitLeg {
                return [
                    Notice(
                        event: .exits, key: key,
                        fact: .exit(symbol: fill.symbol, takeProfit: purpose.isTakeProfitLeg, qty: fill.qty, price: fill.price, bot: fill.botID), time: fill.time)
                ]
            }
            return [
                Notice(
                    event: .fills, key: key,
                    fact: .fill(symbol: fill.symbol, side: fill.side, qty: fill.qty, price: fill.price, quote: fill.quoteQty, bot: fill.botID), time: fill.time)
            ]
        case .order(let order):
            let placed: Bool
            switch order.status {
            case .new: placed = true
            case .canceled, .expired: placed = false
            default: return []
            }
            return [
                Notice(
                    event: .orders, key: "order:\(order.clientOrderID):\(placed ? "placed" : "cancelled")",
                    fact: .order(
                        symbol: order.symbol, side: order.side, type: order.type, qty: order.origQty, price: order.price ?? order.stopPrice, placed: placed,
                        bot: order.botID),
                    time: order.updatedAt)
            ]
        case .botStatus(let status):
            guard status.state != previousBotState, ["running", "stopped", "error"].contains(status.state) else { return [] }
            // A bot first seen running (a supervisor's restart, a new worker) is not news.
            if previousBotState == nil, status.state == "running" { return [] }
            let name = "\(status.symbol)\(status.mode == "paper" ? ", paper" : "")"
            return [
                Notice(
                    event: .botState, key: "bot:\(status.botID):\(status.state):\(status.updatedAt)",
                    fact: .botState(bot: status.botID, name: name, state: status.state, reason: status.reason), time: now)
            ]
        case .exchange(let reachable, _, let reason):
            guard !reachable, let reason, let code = refusedKeyCode(reason) else { return [] }
            return [Notice(event: .keyRefused, key: "key_refused:\(code):\(Int(now.timeIntervalSince1970) / 3600)", fact: .keyRefused(reason: reason), time: now)]
        default:
            return []
        }
    }

    /// The first bot's state as its worker's heartbeat says it changed (`running`, `stopped`,
    /// `emergency_stopped`); nil `previous`: the supervisor had not heard it yet, not news.
    public static func traderState(from previous: String?, to state: String, bot: Int64?, now: Date) -> [Notice] {
        guard let previous, previous != state else { return [] }
        let key = "trader:\(state):\(Int64(now.timeIntervalSince1970 * 1000))"
        if state == "emergency_stopped" {
            return [Notice(event: .emergencyStop, key: key, fact: .emergencyStop(reason: "the bot's orders were cancelled and it stays stopped until started again"), time: now)]
        }
        guard state == "running" || state == "stopped" else { return [] }
        return [Notice(event: .botState, key: key, fact: .botState(bot: bot, name: "trading bot", state: state, reason: nil), time: now)]
    }

    /// A user's worker entered a crash loop (the supervisor's count of its exits).
    public static func crashLoop(exits: Int, now: Date) -> Notice {
        Notice(
            event: .botState, key: "crash_loop:\(Int64(now.timeIntervalSince1970) / 600)",
            fact: .botState(bot: nil, name: "worker", state: "crash_loop", reason: "it exited \(exits) times in a row; the supervisor keeps restarting it more slowly"),
            time: now)
    }

    /// Binance's codes for a key it does not accept: -2014 (format), -2015 (invalid key, IP or
    /// permissions), -1022 (signature not valid for this key). The worker's reason ends with the code.
    public static func refusedKeyCode(_ reason: String) -> Int? {
        guard reason.hasSuffix(")"), let open = reason.lastIndex(of: "(") else { return nil }
        let code = Int(reason[reason.index(after: open)..<reason.index(before: reason.endIndex)])
        return code.flatMap { [-2014, -2015, -1022].contains($0) ? $0 : nil }
    }

    /// An outage to tell once it lasted the channel's minutes (the key names the outage).
    public static func unreachable(since: Date, reason: String, minutes: Int, now: Date) -> Notice? {
        let lasted = now.timeIntervalSince(since)
        guard lasted >= Double(minutes * 60) else { return nil }
        return Notice(
            event: .exchangeUnreachable, key: "unreachable:\(Int64(since.timeIntervalSince1970 * 1000)):\(minutes)",
            fact: .exchangeUnreachable(minutes: minutes, reason: reason), time: now)
    }

    /// The day whose summary is due at `now` in `zone` (`yyyy-MM-dd`, with its start and end):
    /// yesterday, once the channel existed before that day ended.
    public static func summaryDay(now: Date, zone: TimeZone, channelCreated: Date) -> (day: String, start: Date, end: Date)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.startOfDay(for: now)
        guard let start = calendar.date(byAdding: .day, value: -1, to: today), channelCreated < today else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: start)
        let day = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        return (day, start, today)
    }
}
