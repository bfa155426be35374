import Foundation
import GRDB
import Testing

@testable import Common

/// A user's bots as stored: the JSON form reads back to the same definition, the SQLite and
/// in-memory stores answer alike (oldest first, another user's id unknown, the limit and taken
/// names refused inside the write), the settings are the first bot's, and the upgrade turns each
/// user's settings into that user's first bot with nothing lost.
@Suite struct BotStoreTests {
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

    @Test(arguments: [grid, dca, signals])
    func theJSONFormReadsBackTheSameDefinition(_ definition: BotDefinition) throws {
        #expect(try BotDefinition.decode(definition.encoded()) == definition)
    }

    @Test func whatIsNotSaidTakesTheDefaultsAUserExpects() throws {
        let paper = try BotDefinition(fields: [
            "name": "try", "mode": "paper", "symbol": "BTCUSDT",
            "strategy": ["name": "grid", "params": ["lower": 40_000, "upper": "50000", "levels": 5, "investment": 400.5]],
        ])
        #expect(paper.allocationUsdt == Decimal(string: "400.5"))
        #expect(paper.paperBalances == ["USDT": Decimal(string: "400.5")!])
        let live = try BotDefinition(fields: ["name": "first", "settings": try JSONSerialization.jsonObject(with: BotSettings.defaults.encoded())])
        #expect(live.mode == .live)
        #expect(live.allocationUsdt == 3_000)  // 1,000 USDT a position × 3 positions
        #expect(live == BotDefinition(name: "first", mode: .live, allocationUsdt: 3_000, plan: .signals(.defaults)))
    }

    @Test func aTopLevelStrategyReplacesTheSettingsOne() throws {
        let bot = try BotDefinition(fields: [
            "name": "fast", "strategy": ["name": "sma_cross", "params": ["fast": 5, "slow": 50]],
            "settings": try JSONSerialization.jsonObject(with: BotSettings.defaults.encoded()),
        ])
        guard case .signals(let settings) = bot.plan else { Issue.record("not a signals bot"); return }
        #expect(settings.strategy.params == ["fast": 5, "slow": 50])
    }

    /// Numbers no bot can have are refused with the field named, never a crash or a hang. (A huge
    /// investment is a number: the start refuses it against the free balance.)
    @Test(arguments: ["nan", "inf", "-inf", "1e400", "1e300", "-1", "0", "1e18", "99999999999999999999999999999999999999999", "0x10", ""])
    func oddNumbersAreRefusedByName(_ text: String) {
        for key in ["levels", "lower", "investment"] {
            var params: [String: Any] = ["lower": "100", "upper": "200", "levels": "5", "investment": "400"]
            params[key] = text
            let fields: [String: Any] = ["name": "odd", "symbol": "BTCUSDT", "strategy": ["name": "grid", "params": params]]
            if key == "investment", ["1e18", "99999999999999999999999999999999999999999"].contains(text) {
                #expect(throws: Never.self) { try BotDefinition(fields: fields) }
            } else {
                #expect(throws: SettingsError.self, "\(key) = \(text)") { try BotDefinition(fields: fields) }
            }
        }
        let dca: [String: Any] = [
            "name": "odd", "symbol": "BTCUSDT",
            "strategy": ["name": "dca", "params": ["base_order": "10", "take_profit": "2", "safety_orders": "50", "volume_scale": text]],
        ]
        if let bot = try? BotDefinition(fields: dca) { #expect(bot.allocationUsdt > 0, "volume_scale = \(text)") }
        #expect(throws: SettingsError.self) { try BotDefinition(fields: ["name": "odd", "allocation_usdt": text, "settings": ["symbols": []]]) }
    }

    typealias Kind = InMemoryStoreTests.Kind

    @Test(arguments: Kind.allCases)
    func bothStoresKeepBotsApartByUser(_ kind: Kind) throws {
        let (db, temp) = try InMemoryStoreTests.database(kind)
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
        let (db, temp) = try InMemoryStoreTests.database(kind)
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
        let (db, temp) = try InMemoryStoreTests.database(kind)
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

    /// A file as the version before bots left it (migrated to v9, settings in `bot_settings`):
    /// the upgrade makes each user's first bot from them and drops the old table.
    @Test func theUpgradeMakesEachUsersSettingsTheirFirstBot() throws {
        let temp = try TemporaryDirectory()
        let directory = DataDirectory(root: temp.path + "/data")
        try directory.prepare()
        var settings = BotSettings.defaults
        settings.symbols = ["ETHUSDT", "BTCUSDT"]
        settings.risk.maxPositionUsdt = 250
        settings.risk.maxOpenPositions = 4
        do {
            let queue = try DatabaseQueue(path: directory.centralDatabase)
            try CentralSchema.migrator.migrate(queue, upTo: "v9-query-indexes")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO users (id, username, password_hash, created_at) VALUES (1, 'ann', 'h', '2026-11-01T00:00:00.000Z'), (2, 'bob', 'h', '2026-11-01T00:00:00.000Z')")
                try db.execute(
                    sql: "INSERT INTO bot_settings (user_id, settings, updated_at) VALUES (1, ?, '2026-11-20T10:00:00.000Z')",
                    arguments: [String(decoding: settings.encoded(), as: UTF8.self)])
                // A fill, an equity point and a signal of that one bot, and a fill of a user who never saved settings.
                for user in [1, 2] {
                    try db.execute(
                        sql: """
                            INSERT INTO fills (user_id, symbol, trade_id, order_id, client_order_id, side, price, qty, quote_qty, commission, commission_asset, time)
                            VALUES (?, 'BTCUSDT', 7, 70, 'u1-BTCUSDT-1-BE', 'BUY', '100', '1', '100', '0', 'USDT', '2026-11-20T10:01:00.000Z')
                            """, arguments: [user])
                }
                try db.execute(sql: "INSERT INTO equity_points (user_id, time, total_usdt) VALUES (1, '2026-11-20T10:02:00.000Z', '1000')")
                try db.execute(sql: "INSERT INTO signals (user_id, symbol, time, signal) VALUES (1, 'BTCUSDT', '2026-11-20T10:03:00.000Z', ?)", arguments: [
                    String(decoding: try JSONSerialization.data(withJSONObject: SignalRecord(
                        symbol: "BTCUSDT", time: Date(timeIntervalSince1970: 1_790_000_000), action: "hold", confidence: nil, expectedReturn: nil,
                        modelAccuracy: nil, modelPrecision: nil, trainedAt: nil, strategy: "sma_cross", importances: [:]).json), as: UTF8.self),
                ])
            }
        }
        let db = try CentralDatabase.migrate(directory)
        let bots = try db.bots.bots(for: UserID(1))
        #expect(bots.map(\.definition) == [.first(from: settings)])
        #expect(bots.first?.definition.allocationUsdt == 1_000)
        #expect(bots.first?.createdAt == Timestamp.date("2026-11-20T10:00:00.000Z"))
        #expect(try db.bots.settings(for: UserID(1)) == settings)
        #expect(try db.bots.bots(for: UserID(2)).isEmpty)
        #expect(try #require(db.pool).read { try $0.tableExists("bot_settings") } == false)
        // The rows from before bots are the first bot's; a user without a bot has rows of none.
        let first = try #require(bots.first?.id)
        #expect(try db.trading.fills(for: UserID(1), matching: TradeFilter()).map(\.botID) == [first])
        #expect(try db.trading.fills(for: UserID(1), matching: TradeFilter(bot: first)).count == 1)
        #expect(try db.trading.fills(for: UserID(2), matching: TradeFilter()).map(\.botID) == [nil])
        #expect(try db.portfolios.equity(for: UserID(1), bot: first, limit: 10, before: nil).count == 1)
        #expect(try db.trading.signals(for: UserID(1), bot: first, symbol: nil, before: nil, limit: 10).map(\.botID) == [first])
    }

    /// A position is the user's, the bot's and the symbol's: the first bot's report replaces its
    /// own positions only, a live grid's replaces its one, and both hold BTCUSDT at once. Only
    /// the user's live grid and DCA bots may own a worker's rows; a grid's value is kept once a
    /// minute at most, for the user's own bot only.
    @Test(arguments: Kind.allCases)
    func twoBotsOfOneUserHoldPositionsOnOneSymbolApart(_ kind: Kind) throws {
        let (db, temp) = try InMemoryStoreTests.database(kind)
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
            try db.bots.addBotEquity(d(value), bot: grid.id, for: ann, at: t0 + seconds, every: 60)
        }
        try db.bots.addBotEquity(999, bot: grid.id, for: bob, at: t0 + 200, every: 60)
        #expect(try db.bots.botEquity(grid.id, for: ann, limit: 10, before: nil).map { "\($0.time.timeIntervalSince(t0)) \($0.totalUSDT)" } == ["61.0 402.5", "0.0 400"])
        #expect(try db.bots.botEquity(grid.id, for: ann, limit: 10, before: t0 + 61).count == 1)
        #expect(try db.bots.botEquity(grid.id, for: bob, limit: 10, before: nil).isEmpty)
    }

    /// The upgrade to positions per bot keeps every position.
    @Test func theUpgradeToPositionsPerBotKeepsThePositions() throws {
        let temp = try TemporaryDirectory()
        let directory = DataDirectory(root: temp.path + "/data")
        try directory.prepare()
        do {
            let queue = try DatabaseQueue(path: directory.centralDatabase)
            try CentralSchema.migrator.migrate(queue, upTo: "v12-bot-runs")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO users (id, username, password_hash, created_at) VALUES (1, 'ann', 'h', '2026-11-01T00:00:00.000Z')")
                try db.execute(sql: "INSERT INTO positions (user_id, symbol, position, updated_at, bot_id) VALUES (1, 'BTCUSDT', ?, '2026-11-20T10:00:00.000Z', 4)",
                    arguments: [String(decoding: try JSONSerialization.data(withJSONObject: PositionRecord(
                        symbol: "BTCUSDT", qty: 1, avgEntryPrice: 100, currentPrice: nil, unrealizedPnLUSDT: nil, realizedPnLUSDT: 0, stopLoss: nil,
                        takeProfit: nil).json), as: UTF8.self)])
            }
        }
        let db = try CentralDatabase.migrate(directory)
        #expect(try db.trading.positions(for: UserID(1)).map { "\($0.botID ?? 0) \($0.symbol) \($0.qty)" } == ["4 BTCUSDT 1"])
    }
}
