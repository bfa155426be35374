import Common
import Foundation

/// A user's bots and what each is doing. The worker of this version runs one bot: the user's
/// first, when it is a live `sma_cross` or `ml` bot (its state is the worker's, ``BotView``);
/// every other bot is `not_running`, with the reason.
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
    }

    let bots: [Bot]

    static func load(_ database: CentralDatabase, user: UserID, now: Date) throws -> BotsView {
        let records = try database.bots.bots(for: user)
        var bots: [Bot] = []
        for (index, record) in records.enumerated() {
            if index == 0, record.definition.runsInWorker {
                let view = try BotView.load(database, user: user, now: now)
                bots.append(Bot(record: record, isFirst: true, state: view.state, stateReason: view.stateReason, reasonKey: nil, running: view))
            } else {
                let (key, english) = notRunning(record.definition, isFirst: index == 0)
                bots.append(Bot(record: record, isFirst: index == 0, state: "not_running", stateReason: english, reasonKey: key, running: nil))
            }
        }
        return BotsView(bots: bots)
    }

    /// Why a bot does not run in this version: the catalog key and the English of the API.
    static func notRunning(_ definition: BotDefinition, isFirst: Bool) -> (key: String, english: String) {
        if definition.mode == .paper {
            return ("botreason.paper_not_built", "paper bots are not run by this version yet: they are defined, checked and backtested")
        }
        guard case .signals = definition.plan else {
            return ("botreason.grid_dca_not_built", "grid and DCA bots are not run by this version yet: they are defined, checked and backtested")
        }
        return ("botreason.not_first", "this version runs a user's first bot only")
    }
}
