import Common
import Foundation

/// A user's bots and what each is doing. The worker runs the user's first bot when it is a live
/// `sma_cross` or `ml` bot (its state is the worker's, ``BotView``), and every grid and DCA bot,
/// live or paper, that its owner started (its state is the worker's last ``BotRunStatus``); any
/// other bot is `not_running`, with the reason.
struct BotsView {
    struct Bot {
        let record: BotRecord
        let isFirst: Bool
        let state: String
        /// Why it is not running, in English (the API); `reasonKey` for the pages.
        let stateReason: String?
        let reasonKey: String?
        /// The worker's view of the first bot, when the worker runs it.
        let running: BotView?
        /// A grid or DCA bot's last status from the worker; nil before its first.
        var hosted: BotRunStatus? = nil
        /// A running grid or DCA bot whose worker has not reported for longer than
        /// ``staleAfter``: when it last did (its figures are from then).
        var staleSince: Date? = nil
        /// Whether it is a grid or DCA bot, started and stopped on its own.
        var isHosted: Bool { record.isHosted }
    }

    let bots: [Bot]

    static func load(_ database: CentralDatabase, user: UserID, now: Date) throws -> BotsView {
        let records = try database.bots.bots(for: user)
        let statuses = records.contains(where: \.isHosted) ? try database.bots.statuses(for: user) : [:]
        var bots: [Bot] = []
        for (index, record) in records.enumerated() {
            if record.isHosted {
                let status = statuses[record.id]
                var (state, reason) = hostedState(wanted: record.wanted, wantedAt: record.wantedAt, status: status)
                var stale: Date?
                if let status, ["running", "stopping"].contains(state) {
                    let reported = Date(timeIntervalSince1970: TimeInterval(status.updatedAt) / 1000)
                    if now.timeIntervalSince(reported) > staleAfter {
                        stale = reported
                        reason = "the worker has not reported since \(Timestamp.string(reported)): its figures are from then"
                    }
                }
                bots.append(Bot(
                    record: record, isFirst: index == 0, state: state, stateReason: reason, reasonKey: nil, running: nil, hosted: status, staleSince: stale))
            } else if index == 0, record.definition.runsInWorker {
                let view = try BotView.load(database, user: user, now: now)
                bots.append(Bot(record: record, isFirst: true, state: view.state, stateReason: view.stateReason, reasonKey: nil, running: view))
            } else {
                let (key, english) = notRunning(record.definition, isFirst: index == 0)
                bots.append(Bot(record: record, isFirst: index == 0, state: "not_running", stateReason: english, reasonKey: key, running: nil))
            }
        }
        return BotsView(bots: bots)
    }

    /// A running bot's worker reports every 5 s: four missed reports make its figures stale.
    static let staleAfter: TimeInterval = 20

    /// A grid or DCA bot's state: what its owner wants, as far as the worker has carried it out.
    /// Started: the worker's state (`starting` until it reports after the start). Stopped:
    /// `stopping` while the worker still runs it, then `stopped` with why (its owner, its
    /// stop-loss, a refusal).
    static func hostedState(wanted: Bool, wantedAt: Date?, status: BotRunStatus?) -> (state: String, reason: String?) {
        guard let status else { return wanted ? ("starting", "waiting for the worker to start it") : ("stopped", nil) }
        if wanted {
            // A report from before the start answers an earlier wish.
            let reported = Date(timeIntervalSince1970: TimeInterval(status.updatedAt) / 1000)
            if let wantedAt, reported < wantedAt { return ("starting", "waiting for the worker to start it") }
            return (status.state, status.reason)
        }
        return ["running", "starting"].contains(status.state) ? ("stopping", "waiting for the worker to stop it") : (status.state == "error" ? "error" : "stopped", status.reason)
    }

    /// Why a `sma_cross` or `ml` bot does not run in this version: the catalog key and the
    /// English of the API.
    static func notRunning(_ definition: BotDefinition, isFirst: Bool) -> (key: String, english: String) {
        if definition.mode == .paper {
            return ("botreason.paper_not_built", "paper sma_cross and ml bots are not run by this version yet: they are defined, checked and backtested")
        }
        return ("botreason.not_first", "this version runs a user's first sma_cross or ml bot only")
    }
}
