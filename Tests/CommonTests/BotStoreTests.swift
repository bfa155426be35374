import Foundation
import GRDB
import Testing

@testable import Common

/// A user's bots as stored: the JSON form reads back to the same definition, the SQLite and
/// upgrade turns each user's settings into that user's first bot with nothing lost. (How every
/// backend stores bots: `BotStoreConformanceTests`.)
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
