import Common
import Foundation

/// `GET /api/v1/bot`: what the bot does, as the supervisor and the worker's reports say.
struct BotView {
    let state: String
    let stateReason: String?
    let worker: ProcessStatus?
    let alive: Bool
    let positions: [PositionRecord]
    let todayPnL: (value: Decimal?, updatedAt: Date)?

    /// A heartbeat older than this means the worker is not alive (the supervisor kills it at 10 s).
    static let heartbeatLimit: TimeInterval = 10

    static func load(_ database: CentralDatabase, user: UserID, now: Date) throws -> BotView {
        guard try database.exchangeKeys.key(for: user) != nil else {
            return BotView(state: "no_key", stateReason: "no API key is stored", worker: nil, alive: false, positions: [], todayPnL: nil)
        }
        let worker = try database.processes.status(process: ProcessStatus.workerName(user))
        let first = try database.bots.traderBotID(for: user)
        let alive = worker.map { $0.pid != nil && ($0.lastHeartbeatAt.map { now.timeIntervalSince($0) < heartbeatLimit } ?? false) } ?? false
        let (state, reason) = Self.state(worker, alive: alive)
        return BotView(
            // The first bot's positions: a grid's or DCA bot's are on its own page.
            state: state, stateReason: reason, worker: worker, alive: alive,
            positions: try database.trading.positions(for: user).filter { $0.botID == nil || $0.botID == first },
            todayPnL: try database.trading.todayPnL(for: user)
        )
    }

    /// The state, why (in English, for the API), and why as a catalog key with its detail (for pages).
    static func state(_ worker: ProcessStatus?, alive: Bool) -> (String, String?) {
        let (state, reason) = explained(worker)
        return (state, reason?.english)
    }

    struct Reason {
        let key: String
        let detail: String?
        var english: String {
            switch key {
            case "no_key": "no API key is stored"
            case "not_started": "the supervisor has not started the bot's process yet"
            case "reported_error": detail ?? "the bot reported an error"
            case "restarting": "the bot's process exited and is being restarted\(detail.map { " (\($0))" } ?? "")"
            case "crashing": "the bot's process keeps crashing\(detail.map { ": \($0)" } ?? "")"
            default: detail ?? "the bot's process is not running"
            }
        }
    }

    static func explained(_ worker: ProcessStatus?) -> (String, Reason?) {
        guard let worker else { return ("starting", Reason(key: "not_started", detail: nil)) }
        switch worker.state {
        case .starting: return ("starting", nil)
        case .running:
            let reported = worker.reportedState ?? ""
            if ["stopped", "running", "emergency_stopped", "error"].contains(reported) {
                return (reported, reported == "error" ? Reason(key: "reported_error", detail: worker.message) : nil)
            }
            return ("starting", nil)
        case .backoff: return ("error", Reason(key: "restarting", detail: worker.lastExitStatus))
        case .crashLoop: return ("error", Reason(key: "crashing", detail: worker.message))
        case .stopping, .stopped: return ("error", Reason(key: "not_running", detail: worker.message))
        }
    }

    /// Why, in the reader's language (the worker's own message stays as it wrote it).
    var localizedReason: String? {
        if state == "no_key" { return t("reason.no_key") }
        guard let reason = Self.explained(worker).1 else { return nil }
        return t("botreason.\(reason.key)", ["detail": reason.detail ?? ""]).trimmingCharacters(in: CharacterSet(charactersIn: " :()"))
    }
}
