import CentralPostgres
import Foundation
import Testing

@testable import Common

/// A user's bots as every backend of the central database stores them (SQLite, PostgreSQL, in
/// memory): oldest first, another user's id unknown, the limit and taken names refused inside the
/// write, the settings the first bot's, two bots' positions on one symbol apart.
@Suite struct BotStoreConformanceTests {
    typealias Kind = CentralStoreConformanceTests.Kind

    static let grid = BotDefinition(
        name: "BTC grid", mode: .paper, allocationUsdt: 1_500,
        plan: .grid(GridParameters(symbol: "BTCUSDT", lowerPrice: 40_000, upperPrice: 50_000, levels: 11, spacing: .geometric, investment: 1_000,
            stopLossPrice: 39_000)),
        paperBalances: ["USDT": 2_000, "BTC": Decimal(string: "0.05")!])
    static let dca = BotDefinition(
        name: "ETH dca", mode: .live, allocationUsdt: 100,
        plan: .dca(DCAParameters(symbol: "ETHUSDT", baseOrder: 10, safetyOrders: 2, deviationPct: 1, stepScale: 1, volumeScale: 2, takeProfitPct: 1.5,
            trailingPct: Decimal(string: "0.5")!, maxActiveDeals: 2)))
    static let signals = BotDefinition.first(from: .defaults)

    @Test(arguments: Kind.allCases)
    func bothStoresKeepBotsApartByUser(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Date())
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Date())
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let first = try db.bots.createBot(Self.grid, for: ann, limits: BotLimits(maxPerUser: 2), at: at)
        let second = try db.bots.createBot(Self.dca, for: ann, limits: BotLimits(maxPerUser: 2), at: at)
        let bobs = try db.bots.createBot(Self.grid, for: bob, limits: BotLimits(maxPerUser: 2), at: at)
        #expect(first.id < second.id && second.id < bobs.id)
        #expect(try db.bots.bots(for: ann).map(\.id) == [first.id, second.id])
        #expect(try db.bots.firstBotID(for: ann) == first.id)
        #expect(try db.bots.firstBotID(for: bob) == bobs.id)
        #expect(try db.bots.bots(for: ann).map(\.definition) == [Self.grid, Self.dca])
        #expect(try db.bots.bot(bobs.id, for: ann) == nil)
        #expect(try db.bots.bot(first.id, for: ann)?.createdAt == at)

        var third = Self.signals
        third.name = "third"
        #expect(throws: SettingsError(field: "bots", "are at the limit of 2 per user: delete a stopped one first")) {
            try db.bots.createBot(third, for: ann, limits: BotLimits(maxPerUser: 2), at: at)
        }
        var renamed = Self.dca
        renamed.name = "btc GRID"
        #expect(throws: SettingsError.self) { try db.bots.updateBot(second.id, renamed, for: ann, at: at) }
        #expect(try db.bots.updateBot(bobs.id, renamed, for: ann, at: at) == nil)
        renamed.name = "ETH dca 2"
        let later = at.addingTimeInterval(60)
        let updated = try #require(try db.bots.updateBot(second.id, renamed, for: ann, at: later))
        #expect(updated.definition.name == "ETH dca 2" && updated.updatedAt == later && updated.createdAt == at)

        #expect(try db.bots.deleteBot(bobs.id, for: ann) == false)
        #expect(try db.bots.deleteBot(first.id, for: ann))
        #expect(try db.bots.bots(for: ann).map(\.id) == [second.id])
        #expect(try db.bots.firstBotID(for: ann) == second.id)
        #expect(try db.bots.bots(for: bob).map(\.id) == [bobs.id])
    }

    /// Whether a grid or DCA bot is wanted (the web's write), and its status (the supervisor's):
    /// stored only for the user's own bot, read per user; a user with a paper bot wanted, or one
    /// still reported running, needs a worker.
    @Test(arguments: Kind.allCases)
    func wantedBotsAndTheirStatusesBelongToTheirUser(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Date())
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Date())
        var paper = Self.grid
        paper.mode = .paper
        let grid = try db.bots.createBot(paper, for: ann, limits: BotLimits(), at: Date())
        let live = try db.bots.createBot(Self.dca, for: bob, limits: BotLimits(), at: Date())
        #expect(try db.bots.usersWithWantedPaperBots().isEmpty)
        #expect(try db.bots.setWanted(grid.id, true, for: ann, at: Date()))
        #expect(try !db.bots.setWanted(live.id, true, for: ann, at: Date()))
        #expect(try db.bots.setWanted(live.id, true, for: bob, at: Date()))
        #expect(try db.bots.bot(grid.id, for: ann)?.wanted == true)
        // A live bot runs in the worker of the user's key: only the paper one asks for a worker.
        #expect(try db.bots.usersWithWantedPaperBots() == [ann])

        var status = BotRunStatus(botID: grid.id, state: "running", reason: nil, mode: "paper", symbol: "BTCUSDT", updatedAt: 1_800_000_000_000)
        status.cycles = 2
        status.gridProfit = Decimal(string: "1.23456789")!
        status.openOrders = [.init(side: "BUY", price: Decimal(string: "44000.01")!, quantity: Decimal(string: "0.00123")!, level: 3, role: nil)]
        #expect(try !db.bots.saveStatus(status, for: bob, at: Date()), "ann's bot, reported by bob's worker")
        #expect(try db.bots.statuses(for: bob).isEmpty)
        #expect(try db.bots.saveStatus(status, for: ann, at: Date()))
        #expect(try db.bots.statuses(for: ann) == [grid.id: status])
        // Stopped by its owner while the worker still runs it: the worker stays until it says stopped.
        _ = try db.bots.setWanted(grid.id, false, for: ann, at: Date())
        #expect(try db.bots.usersWithWantedPaperBots() == [ann])
        status.state = "stopped"
        _ = try db.bots.saveStatus(status, for: ann, at: Date())
        #expect(try db.bots.usersWithWantedPaperBots().isEmpty)
        #expect(try db.bots.statuses(for: ann)[grid.id]?.state == "stopped")
    }

    @Test(arguments: Kind.allCases)
    func theSettingsAreTheFirstBots(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Date())
        #expect(try db.bots.settings(for: ann) == nil)
        var settings = BotSettings.defaults
        settings.symbols = ["ETHUSDT"]
        try db.bots.saveSettings(settings, for: ann, at: Date())
        #expect(try db.bots.bots(for: ann).map(\.definition) == [.first(from: settings)])
        settings.interval = "5m"
        try db.bots.saveSettings(settings, for: ann, at: Date())
        #expect(try db.bots.settings(for: ann) == settings)
        #expect(try db.bots.bots(for: ann).count == 1)
        // The name and allocation a user gave the first bot stay.
        #expect(try db.bots.bots(for: ann).first?.definition.name == BotDefinition.first(from: .defaults).name.replacingOccurrences(of: "BTCUSDT", with: "ETHUSDT"))

        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Date())
        _ = try db.bots.createBot(Self.dca, for: bob, limits: BotLimits(), at: Date())
        #expect(try db.bots.settings(for: bob) == nil)
        #expect(throws: SettingsError.self) { try db.bots.saveSettings(settings, for: bob, at: Date()) }
    }

    /// A position is the user's, the bot's and the symbol's: the first bot's report replaces its
    /// own positions only, a live grid's replaces its one, and both hold BTCUSDT at once. Only
    /// the user's live grid and DCA bots may own a worker's rows; a grid's value is kept once a
    /// minute at most, for the user's own bot only.
    @Test(arguments: Kind.allCases)
    func twoBotsOfOneUserHoldPositionsOnOneSymbolApart(_ kind: Kind) throws {
        let (db, temp) = try CentralStoreConformanceTests.database(kind)
        defer { _ = temp }
        let ann = try db.users.createUser(username: "ann", passwordHash: "h", at: Date())
        let first = try db.bots.createBot(Self.signals, for: ann, limits: BotLimits(), at: Date())
        var live = Self.grid
        live.mode = .live
        live.name = "live grid"
        let grid = try db.bots.createBot(live, for: ann, limits: BotLimits(), at: Date())
        let paper = try db.bots.createBot(Self.grid, for: ann, limits: BotLimits(), at: Date())
        let dca = try db.bots.createBot(Self.dca, for: ann, limits: BotLimits(), at: Date())
        #expect(try db.bots.liveHostedBotIDs(for: ann) == [grid.id, dca.id])
        _ = paper
        #expect(try db.bots.traderBotID(for: ann) == first.id)
        // A user whose first bot is a grid: the worker's trader runs no bot of theirs.
        let bob = try db.users.createUser(username: "bob", passwordHash: "h", at: Date())
        _ = try db.bots.createBot(live, for: bob, limits: BotLimits(), at: Date())
        #expect(try db.bots.traderBotID(for: bob) == nil && db.bots.firstBotID(for: bob) != nil)

        func position(_ qty: Decimal, bot: Int64) -> PositionRecord {
            var position = PositionRecord(
                symbol: "BTCUSDT", qty: qty, avgEntryPrice: 100, currentPrice: 110, unrealizedPnLUSDT: qty * 10, realizedPnLUSDT: 0, stopLoss: nil,
                takeProfit: nil)
            position.botID = bot
            return position
        }
        try db.trading.saveBotPosition(position(2, bot: grid.id), bot: grid.id, for: ann, at: Date())
        try db.trading.savePositions([position(1, bot: first.id)], todayPnL: 0, for: ann, bot: first.id, at: Date())
        func held() throws -> [String] { try db.trading.positions(for: ann).map { "\($0.botID ?? 0) \($0.qty)" }.sorted() }
        #expect(try held() == ["\(first.id) 1", "\(grid.id) 2"])
        // The first bot sold: its report holds nothing; the grid's position stays.
        try db.trading.savePositions([], todayPnL: 0, for: ann, bot: first.id, at: Date())
        #expect(try held() == ["\(grid.id) 2"])
        try db.trading.saveBotPosition(position(3, bot: grid.id), bot: grid.id, for: ann, at: Date())
        #expect(try held() == ["\(grid.id) 3"])
        try db.trading.saveBotPosition(nil, bot: grid.id, for: ann, at: Date())
        #expect(try held().isEmpty)

        // The grid's value over time: a point a minute at most, only for the user's own bot.
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for (seconds, value) in [(0.0, "400"), (30, "401"), (61, "402.5")] {
            try db.bots.addBotEquity(Decimal(string: value)!, bot: grid.id, for: ann, at: t0 + seconds, every: 60)
        }
        try db.bots.addBotEquity(999, bot: grid.id, for: bob, at: t0 + 200, every: 60)
        #expect(try db.bots.botEquity(grid.id, for: ann, limit: 10, before: nil).map { "\($0.time.timeIntervalSince(t0)) \($0.totalUSDT)" } == ["61.0 402.5", "0.0 400"])
        #expect(try db.bots.botEquity(grid.id, for: ann, limit: 10, before: t0 + 61).count == 1)
        #expect(try db.bots.botEquity(grid.id, for: bob, limit: 10, before: nil).isEmpty)
    }
}
