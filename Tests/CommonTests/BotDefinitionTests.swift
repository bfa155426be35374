import Foundation
import Testing

@testable import Common

/// A user's bots as they are defined: what is refused (each error naming its field), the upgrade
/// of today's settings into the first bot, a paper bot copied as live, and the per-user limit.
@Suite struct BotDefinitionTests {
    static let grid = GridParameters(symbol: "BTCUSDT", lowerPrice: 40_000, upperPrice: 50_000, levels: 11, spacing: .arithmetic, investment: 1_000)
    static let dca = DCAParameters(
        symbol: "ETHUSDT", baseOrder: 10, safetyOrders: 2, deviationPct: 1, stepScale: 1, volumeScale: 2, takeProfitPct: 1.5, maxActiveDeals: 2)

    static func field(_ definition: BotDefinition) -> String? {
        do {
            try definition.validate()
            return nil
        } catch {
            return error.field
        }
    }

    @Test func aGridOnPaperWithItsBalancesIsAccepted() throws {
        let bot = BotDefinition(name: "BTC grid", mode: .paper, allocationUsdt: 1_000, plan: .grid(Self.grid), paperBalances: ["USDT": 5_000])
        try bot.validate()
        #expect(bot.strategyName == "grid")
        #expect(bot.symbols == ["BTCUSDT"])
    }

    @Test func everyRefusalNamesItsField() {
        let base = BotDefinition(name: "ok", mode: .live, allocationUsdt: 1_000, plan: .grid(Self.grid))
        var named = base
        named.name = " padded"
        #expect(Self.field(named) == "name")
        named.name = String(repeating: "x", count: 61)
        #expect(Self.field(named) == "name")
        named.name = "tab\there"
        #expect(Self.field(named) == "name")
        named.name = ""
        #expect(Self.field(named) == "name")

        var allocation = base
        allocation.allocationUsdt = 0
        #expect(Self.field(allocation) == "allocation_usdt")
        // The grid's investment must fit the allocation.
        allocation.allocationUsdt = 999
        #expect(Self.field(allocation) == "strategy.params.investment")

        var live = base
        live.paperBalances = ["USDT": 10]
        #expect(Self.field(live) == "paper_balances")
        var paper = base
        paper.mode = .paper
        #expect(Self.field(paper) == "paper_balances")
        paper.paperBalances = ["usdt": 10]
        #expect(Self.field(paper) == "paper_balances")
        paper.paperBalances = ["USDT": 0]
        #expect(Self.field(paper) == "paper_balances")
        paper.paperBalances = ["USDT": -1]
        #expect(Self.field(paper) == "paper_balances.USDT")

        var symbol = Self.grid
        symbol.symbol = "btcusdt"
        #expect(Self.field(BotDefinition(name: "x", mode: .live, allocationUsdt: 1_000, plan: .grid(symbol))) == "symbols")

        var settings = BotSettings.defaults
        settings.interval = "7m"
        #expect(Self.field(BotDefinition(name: "x", mode: .live, allocationUsdt: 100, plan: .signals(settings))) == "interval")
    }

    @Test func aDCABotMustBeAllowedEveryDealItMayHaveOpen() throws {
        // A deal: 10 + 10 + 20 = 40 USDT; two deals at once: 80.
        #expect(DCAPlan(Self.dca).budget == 80)
        let bot = BotDefinition(name: "ETH DCA", mode: .live, allocationUsdt: 80, plan: .dca(Self.dca))
        try bot.validate()
        var short = bot
        short.allocationUsdt = 79.99
        #expect(Self.field(short) == "allocation_usdt")
    }

    @Test func todaysSettingsBecomeTheFirstBotWithNothingLost() throws {
        var settings = BotSettings.defaults
        settings.symbols = ["BTCUSDT", "ETHUSDT"]
        settings.risk.maxPositionUsdt = 250
        settings.risk.maxOpenPositions = 3
        let first = BotDefinition.first(from: settings)
        #expect(first.plan == .signals(settings))
        #expect(first.mode == .live)
        #expect(first.name == "sma_cross BTCUSDT, ETHUSDT")
        // As much as its limits already let it use.
        #expect(first.allocationUsdt == 750)
        #expect(first.paperBalances.isEmpty)
        try first.validate()
    }

    @Test func aPaperBotCopiedAsLiveKeepsItsStrategyAndAllocation() throws {
        let paper = BotDefinition(name: "try", mode: .paper, allocationUsdt: 100, plan: .dca(Self.dca), paperBalances: ["USDT": 1_000])
        let live = paper.copiedAsLive(name: "for real")
        #expect(live.mode == .live && live.plan == paper.plan && live.allocationUsdt == 100 && live.paperBalances.isEmpty && live.name == "for real")
        try live.validate()
    }

    @Test func aUserHasAtMostTheLimitAndNoTwoBotsOfOneName() {
        let limits = BotLimits(maxPerUser: 3)
        #expect(limits.refusal(adding: "c", to: ["a", "b"]) == nil)
        #expect(limits.refusal(adding: "d", to: ["a", "b", "c"])?.field == "bots")
        #expect(limits.refusal(adding: "Grid", to: ["grid"])?.field == "name")
        #expect(BotLimits().maxPerUser == 20)
    }

    @Test func gridAndDCAParametersAreReadBackFromTheirTexts() throws {
        for parameters in [BotParameters.grid(Self.grid), .dca(Self.dca)] {
            let texts = parameters.texts
            let read = try BotParameters.parse(name: parameters.name, symbol: parameters.symbol, investment: 0) { texts[$0] }
            #expect(read == parameters)
        }
    }

    @Test(arguments: [
        ("grid", ["lower": "x", "upper": "2", "levels": "3"], "strategy.params.lower"),
        ("grid", ["lower": "1", "levels": "3"], "strategy.params.upper"),
        ("grid", ["lower": "1", "upper": "2", "levels": "2.5"], "strategy.params.levels"),
        ("grid", ["lower": "1", "upper": "2", "levels": "3", "spacing": "log"], "strategy.params.spacing"),
        ("dca", ["take_profit": "1"], "strategy.params.base_order"),
        ("dca", ["base_order": "10", "take_profit": "1", "max_deals": "inf"], "strategy.params.max_deals"),
    ])
    func badParametersAreNamed(name: String, texts: [String: String], field: String) {
        let error = #expect(throws: SettingsError.self) {
            _ = try BotParameters.parse(name: name, symbol: "BTCUSDT", investment: 100) { texts[$0] }
        }
        #expect(error?.field == field)
    }
}
