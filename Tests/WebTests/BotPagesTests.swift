import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// The bots' pages: `/bots/new` explains every parameter and keeps what was typed when it
/// refuses; a grid on paper made there lands on its page with its levels drawn (buys below the
/// last price, sells above) and marked paper; it is a card on `/`; it can be deleted. And the
/// form's fields read as the API's JSON.
@Suite struct BotPagesTests {
    static func form(_ fields: [String: String]) -> ByteBuffer {
        let encoded = fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }
        return ByteBuffer(string: encoded.joined(separator: "&"))
    }

    static let gridForm = [
        "name": "Paper grid", "mode": "paper", "strategy": "grid", "symbol": "btcusdt", "grid_lower": "40000", "grid_upper": "50000",
        "grid_levels": "6", "grid_spacing": "arithmetic", "grid_investment": "600", "paper_usdt": "1000",
    ]

    @Test func theFormReadsAsTheAPIsJSON() throws {
        let grid = try BotDefinition(fields: try BotForm.fields(Self.gridForm))
        #expect(grid.mode == .paper && grid.symbols == ["BTCUSDT"] && grid.paperBalances == ["USDT": 1_000] && grid.allocationUsdt == 600)
        guard case .grid(let parameters) = grid.plan else { Issue.record("not a grid"); return }
        #expect(parameters.levels == 6 && parameters.lowerPrice == 40_000 && parameters.investment == 600)

        let sma = try BotDefinition(fields: try BotForm.fields(["name": "cross", "mode": "live", "strategy": "sma_cross", "symbol": "ETHUSDT", "sma_cross_fast": "5", "sma_cross_slow": "30"]))
        guard case .signals(let settings) = sma.plan else { Issue.record("not a signals bot"); return }
        #expect(settings.symbols == ["ETHUSDT"] && settings.strategy == .init(name: "sma_cross", params: ["fast": 5, "slow": 30]))
        // Fields of the strategies not chosen are not read.
        var mixed = Self.gridForm
        mixed["dca_base_order"] = "nonsense"
        #expect(throws: Never.self) { try BotDefinition(fields: try BotForm.fields(mixed)) }
        #expect(throws: APIError.self) { try BotForm.fields(["name": "x", "strategy": "sma_cross", "sma_cross_fast": "fast"]) }
        // A changed ml bot of two symbols keeps its parameters and symbols the form does not show.
        var ml = BotSettings.defaults
        ml.strategy = .init(name: "ml", params: ["trees": 20])
        ml.symbols = ["ETHUSDT", "BTCUSDT"]
        let changed = try BotDefinition(fields: try BotForm.fields(BotForm.values(of: .first(from: ml)), base: ml))
        #expect(changed.plan == .signals(ml))
    }

    @Test func aPaperGridMadeOnTheFormShowsItsLevelsAndCanBeDeleted() async throws {
        let web = TestWeb(listing: BotsRouteTests.listing, prices: ["BTCUSDT": 45_500])
        let user = try await web.user("ada")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("ada")
            let page = try await client.execute(uri: "/bots/new", method: .get, headers: signed.headers())
            #expect(page.status == .ok)
            // Every strategy's parameters are there, each explained.
            for name in ["grid_lower", "grid_spacing", "dca_base_order", "dca_max_deals", "sma_cross_fast"] {
                #expect(page.text.contains("name=\"\(name)\"") && page.text.contains("id=\"\(name)-hint\""), "\(name)")
            }
            var headers = signed.headers()
            headers[.contentType] = "application/x-www-form-urlencoded"

            // Refused: the message names the field, and what was typed stays.
            var bad = Self.gridForm
            bad["grid_upper"] = "30000"
            bad["csrf_token"] = signed.csrf
            let refused = try await client.execute(uri: "/bots/new", method: .post, headers: headers, body: Self.form(bad))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("strategy.params.upper"))
            #expect(refused.text.contains("value=\"30000\"") && refused.text.contains("value=\"Paper grid\""))
            #expect(try web.database.bots.bots(for: user).isEmpty)

            var good = Self.gridForm
            good["csrf_token"] = signed.csrf
            let created = try await client.execute(uri: "/bots/new", method: .post, headers: headers, body: Self.form(good))
            #expect(created.status == .seeOther, "\(created.text)")
            let location = try #require(created.headers[.location])
            let id = try #require(try web.database.bots.bots(for: user).first?.id)
            #expect(location == "/bots/\(id)?done=bot_created")

            let bot = try await client.execute(uri: location, method: .get, headers: signed.headers())
            #expect(bot.status == .ok)
            #expect(bot.text.contains("class=\"badge paper\"") && bot.text.contains("id=\"paper-note\""))
            // Six levels 40000, 42000 … 50000: three below 45500 (buys), three above (sells), and
            // the last price drawn with them.
            let rows = (bot.text.components(separatedBy: "id=\"levels\"").last ?? "").components(separatedBy: "</table>")[0]
            #expect(rows.components(separatedBy: "<tr>").count - 2 == 6)
            #expect(rows.components(separatedBy: "buy level").count - 1 == 3 && rows.components(separatedBy: "sell level").count - 1 == 3)
            #expect(bot.text.components(separatedBy: "class=\"level buy\"").count - 1 == 3)
            #expect(bot.text.components(separatedBy: "class=\"level sell\"").count - 1 == 3)
            #expect(bot.text.contains("class=\"level last\""))
            #expect(bot.text.contains("42,000.00") || bot.text.contains("42000.00"))

            let home = try await client.execute(uri: "/", method: .get, headers: signed.headers())
            #expect(home.text.contains("id=\"bot-card-\(id)\"") && home.text.contains("Paper grid"))
            #expect(home.text.contains("class=\"badge paper\""))

            let deleted = try await client.execute(
                uri: "/bots/\(id)/delete", method: .post, headers: headers, body: Self.form(["csrf_token": signed.csrf]))
            #expect(deleted.status == .seeOther)
            #expect(try web.database.bots.bots(for: user).isEmpty)
        }
    }

    @Test func anotherUsersBotPageIsNotFound() async throws {
        let web = TestWeb(listing: BotsRouteTests.listing)
        let owner = try await web.user("bo")
        try await web.user("cy")
        let bot = try web.database.bots.createBot(try BotDefinition(fields: try BotForm.fields(Self.gridForm)), for: owner, limits: BotLimits(), at: Date())
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("cy")
            let page = try await client.execute(uri: "/bots/\(bot.id)", method: .get, headers: signed.headers())
            #expect(page.status == .notFound)
            var headers = signed.headers()
            headers[.contentType] = "application/x-www-form-urlencoded"
            let delete = try await client.execute(uri: "/bots/\(bot.id)/delete", method: .post, headers: headers, body: Self.form(["csrf_token": signed.csrf]))
            #expect(delete.status == .notFound)
        }
        #expect(try web.database.bots.bots(for: owner).count == 1)
    }

    /// `/bots/{id}/edit` shows the bot's own values, and a change saved there is the bot's.
    @Test func aBotIsChangedOnItsForm() async throws {
        let web = TestWeb(listing: BotsRouteTests.listing, prices: ["BTCUSDT": 45_500])
        let user = try await web.user("eli")
        var fields = try BotForm.fields(Self.gridForm)
        fields["paper_balances"] = ["USDT": "1000", "BTC": "0.01"]
        let bot = try web.database.bots.createBot(try BotDefinition(fields: fields), for: user, limits: BotLimits(), at: Date())
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("eli")
            let form = try await client.execute(uri: "/bots/\(bot.id)/edit", method: .get, headers: signed.headers())
            #expect(form.status == .ok)
            #expect(form.text.contains("action=\"/bots/\(bot.id)/edit\""))
            #expect(form.text.contains("id=\"grid_lower\" name=\"grid_lower\" value=\"40000\"") && form.text.contains("value=\"Paper grid\""))
            var headers = signed.headers()
            headers[.contentType] = "application/x-www-form-urlencoded"
            var changed = BotForm.values(of: bot.definition)
            changed["grid_levels"] = "4"
            changed["csrf_token"] = signed.csrf
            let saved = try await client.execute(uri: "/bots/\(bot.id)/edit", method: .post, headers: headers, body: Self.form(changed))
            #expect(saved.status == .seeOther, "\(saved.text.prefix(500))")
            guard case .grid(let grid) = try #require(try web.database.bots.bot(bot.id, for: user)).definition.plan else {
                Issue.record("not a grid")
                return
            }
            #expect(grid.levels == 4 && grid.lowerPrice == 40_000)
            // The paper BTC the form does not show stays.
            #expect(try web.database.bots.bot(bot.id, for: user)?.definition.paperBalances == ["USDT": 1_000, "BTC": Decimal(string: "0.01")!])
            // The paper bot's page offers its live copy.
            let page = try await client.execute(uri: "/bots/\(bot.id)", method: .get, headers: signed.headers())
            #expect(page.text.contains("id=\"copy-live\"") && page.text.contains("value=\"Paper grid (live)\""))
        }
    }

    /// A bot's page lists its own fills and orders (their `bot_id`), not another bot's.
    @Test func aBotsPageShowsItsOwnRows() async throws {
        let web = TestWeb(listing: BotsRouteTests.listing, prices: ["BTCUSDT": 45_500])
        let user = try await web.user("fay")
        let first = try web.database.bots.createBot(.first(from: .defaults), for: user, limits: BotLimits(), at: Date())
        // A second sma_cross bot (a grid's or DCA bot's figures are its reported status instead).
        var second = BotDefinition.first(from: .defaults)
        second.name = "second"
        let grid = try web.database.bots.createBot(second, for: user, limits: BotLimits(), at: Date())
        for (trade, bot, price) in [(Int64(1), first.id, Decimal(41_111)), (2, grid.id, Decimal(42_222))] {
            var fill = TradingRouteTests.fill(trade, minute: Int(trade))
            fill = BotFill(
                symbol: fill.symbol, tradeID: fill.tradeID, orderID: fill.orderID, clientOrderID: fill.clientOrderID, side: fill.side, price: price,
                qty: fill.qty, quoteQty: fill.quoteQty, commission: 0, commissionAsset: "BNB", time: fill.time, botID: bot)
            try web.database.trading.saveFill(fill, for: user)
        }
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("fay")
            let page = try await client.execute(uri: "/bots/\(grid.id)", method: .get, headers: signed.headers())
            let fills = (page.text.components(separatedBy: "id=\"fills\"").last ?? "").components(separatedBy: "</table>")[0]
            #expect(fills.contains("42,222.00") || fills.contains("42222.00"))
            #expect(!fills.contains("41,111") && !fills.contains("41111"))
        }
    }

    /// The worker's bot (the first, live `sma_cross`) is stopped and emergency-stopped from its
    /// page as from /trading; a bot the worker does not run has no such buttons.
    @Test func theWorkersBotHasItsControlsOnItsPage() async throws {
        let web = TestWeb(listing: BotsRouteTests.listing, prices: ["BTCUSDT": 45_500])
        let user = try await web.user("gus")
        try web.database.exchangeKeys.storeKey(
            StoredExchangeKey(userID: user, apiKeyToken: "k", apiSecretToken: "s", maskedKey: "ab…cd", canTrade: true, verifiedAt: nil), at: Date())
        let first = try web.database.bots.createBot(.first(from: .defaults), for: user, limits: BotLimits(), at: Date())
        let grid = try web.database.bots.createBot(try BotDefinition(fields: try BotForm.fields(Self.gridForm)), for: user, limits: BotLimits(), at: Date())
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("gus")
            let page = try await client.execute(uri: "/bots/\(first.id)", method: .get, headers: signed.headers())
            #expect(page.text.contains("action=\"/trading/stop\"") && page.text.contains("action=\"/trading/emergency-stop\""))
            let other = try await client.execute(uri: "/bots/\(grid.id)", method: .get, headers: signed.headers())
            #expect(!other.text.contains("id=\"bot-controls\""))
        }
    }
}
