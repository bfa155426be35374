import Common
import Foundation

/// What the worker keeps of one grid or DCA bot across restarts, in its own database
/// (`worker_state`, key `bot.<id>`): with the exchange's orders (found again by their client
/// ids), all ``BotHost`` needs to rebuild the bot without doubling or losing an order. A paper
/// bot's whole exchange is here too: nothing of it exists anywhere else.
struct HostedBotRecord: Sendable, Equatable, Codable {
    /// The definition it was started with, as stored (``BotDefinition/encoded()``).
    var definition: String
    /// Started and not stopped since: rebuilt when the worker starts again.
    var running: Bool
    /// How many times it was started afresh before this run: part of its orders' client ids
    /// (``BotHost/orderKey``), so a run's ids are never an earlier run's.
    var run = 0
    /// A grid's opening (``GridRunner/Opening``); nil until it opened.
    var opening: GridRunner.Opening?
    /// A DCA bot's deals still open, and the number of its next one.
    var openDeals: [Int] = []
    var nextDeal = 1
    var closedDeals: [BotRunStatus.Deal] = []
    /// A DCA bot's realised PnL from its closed deals (a grid's is its book's cycles).
    var realisedDeals: Decimal = 0
    var fills: [BotRunStatus.Fill] = []
    /// How many of a grid's fills since its opening are in `fills` (or were, before the newest
    /// pushed them out): after a restart, the rest are the ones that came while it was down.
    var gridFillsSeen = 0
    var paper: PaperExchange.Snapshot?
    /// Why it stopped or cannot run.
    var reason: String?
    /// The UTC day (days since 1970) of `realisedAtDayStart`: today's PnL is what was realised since.
    var day: Int64 = 0
    var realisedAtDayStart: Decimal = 0
    /// A DCA bot started on signals: the open time of the last candle whose buy opened a deal.
    var lastSignalCandle: Int64?
    /// A trailing grid whose range moved up (``GridTrail``): its range now.
    var range: Range?
    /// What a trailing grid's earlier ranges did.
    var trailed: Trailed?
    /// A signal bot's holdings and resting orders.
    var signalBook: SignalBook?

    struct Range: Sendable, Equatable, Codable {
        var lower: Decimal
        var upper: Decimal
    }

    struct Trailed: Sendable, Equatable, Codable {
        var moves = 0
        var cycles = 0
        var gridProfit: Decimal = 0
    }


    static let closedDealLimit = 20

    init(definition: String) {
        self.definition = definition
        self.running = false
    }
}

/// Where ``BotHost`` keeps its records: the worker's database, or memory in unit tests.
protocol HostedBotStore: Sendable {
    func load(_ bot: Int64) throws -> HostedBotRecord?
    func save(_ bot: Int64, _ record: HostedBotRecord) throws
    /// The ids of the bots recorded as running.
    func runningBots() throws -> [Int64]
    /// A paper bot: the close time (ms) of the last 1-second candle whose trades it has seen
    /// (kept apart from the record, which is large, and written every few seconds); after a
    /// restart the candles since then fill its orders as the exchange would have.
    func saveObserved(_ bot: Int64, until: Int64) throws
    func observed(_ bot: Int64) throws -> Int64?
}

extension TraderDatabase: HostedBotStore {
    func load(_ bot: Int64) throws -> HostedBotRecord? {
        guard let text = try state("bot.\(bot)") else { return nil }
        return try JSONDecoder().decode(HostedBotRecord.self, from: Data(text.utf8))
    }

    func save(_ bot: Int64, _ record: HostedBotRecord) throws {
        try setState("bot.\(bot)", String(decoding: try JSONEncoder().encode(record), as: UTF8.self))
    }

    func saveObserved(_ bot: Int64, until: Int64) throws {
        try setState("bot-observed.\(bot)", String(until))
    }

    func observed(_ bot: Int64) throws -> Int64? {
        try state("bot-observed.\(bot)").flatMap { Int64($0) }
    }

    func runningBots() throws -> [Int64] {
        try states(prefix: "bot.").compactMap { key, text in
            guard let id = Int64(key.dropFirst(4)), let record = try? JSONDecoder().decode(HostedBotRecord.self, from: Data(text.utf8)), record.running
            else { return nil }
            return id
        }.sorted()
    }
}
