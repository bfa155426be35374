import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// A user's bots through `/api/v1/bots…` (CONTRACT §9), through the whole router on in-memory
/// stores and an exchange catalog listing BTCUSDT and ETHUSDT: created, read, changed and deleted;
/// refusals naming their field; the limit and taken names; another user's bot answering 404; the
/// settings of `/api/v1/settings` being the first bot's.
@Suite struct BotsRouteTests {
    static let listing = ["BTCUSDT", "ETHUSDT"].map {
        SymbolFilters(
            symbol: $0, baseAsset: String($0.dropLast(4)), quoteAsset: "USDT", minPrice: 0.01, maxPrice: 1_000_000, tickSize: 0.01, minQty: 0.00001,
            maxQty: 9_000, stepSize: 0.00001, minNotional: 5)
    }

    static func gridBody(name: String = "BTC grid", mode: String = "paper") -> [String: Any] {
        [
            "name": name, "mode": mode, "symbol": "BTCUSDT",
            "strategy": ["name": "grid", "params": ["lower": "40000", "upper": "50000", "levels": 11, "investment": "1000"]],
        ]
    }

    static func settingsObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: BotSettings.defaults.encoded()) as? [String: Any])
    }

    @Test func aGridOnPaperIsCreatedReadListedAndDeleted() async throws {
        let web = TestWeb(listing: Self.listing)
        let ann = try await web.user("ann")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("ann")
            let created = try await client.execute(uri: "/api/v1/bots", method: .post, headers: signed.headers(csrf: true, json: true), body: .json(Self.gridBody()))
            #expect(created.status == .created, "\(created.text)")
            let bot = try created.object()
            let id = try #require(bot["bot_id"] as? Int64)
            #expect(bot["name"] as? String == "BTC grid")
            #expect(bot["mode"] as? String == "paper")
            #expect(bot["is_first"] as? Bool == true)
            #expect(bot["symbol"] as? String == "BTCUSDT")
            #expect(bot["allocation_usdt"] as? String == "1000.00000000")
            // A paper bot's balances default to its allocation in USDT; asset names keep their case.
            #expect(bot["paper_balances"] as? [[String: String]] == [["asset": "USDT", "amount": "1000.00000000"]])
            let params = try #require((bot["strategy"] as? [String: Any])?["params"] as? [String: String])
            #expect(params["levels"] == "11" && params["lower"] == "40000" && params["spacing"] == "arithmetic")
            // Not started: stopped, its figures not reported yet.
            #expect(bot["state"] as? String == "stopped" && bot["wanted"] as? Bool == false)
            #expect(bot["open_positions"] is NSNull && bot["open_positions_reason"] as? String == "not_reported")
            #expect(bot["run"] is NSNull && bot["run_reason"] as? String == "not_reported")

            let read = try await client.execute(uri: "/api/v1/bots/\(id)", method: .get, headers: signed.headers())
            #expect(read.status == .ok)
            #expect(try read.object()["bot_id"] as? Int64 == id)
            let list = try await client.execute(uri: "/api/v1/bots", method: .get, headers: signed.headers())
            let items = try #require(try list.object()["items"] as? [[String: Any]])
            #expect(items.map { $0["bot_id"] as? Int64 } == [id])
            #expect(try list.object()["max_per_user"] as? Int64 == 20)

            // Its start cannot reach the supervisor here (none runs): refused, and it stays stopped.
            let start = try await client.execute(uri: "/api/v1/bots/\(id)/start", method: .post, headers: signed.headers(csrf: true))
            #expect(start.status == .serviceUnavailable && start.errorCode == "supervisor_unavailable")
            #expect(try web.database.bots.bots(for: ann).first?.wanted == false)

            let deleted = try await client.execute(uri: "/api/v1/bots/\(id)", method: .delete, headers: signed.headers(csrf: true))
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "/api/v1/bots/\(id)", method: .get, headers: signed.headers())
            #expect(gone.status == .notFound)
        }
    }

    @Test func anotherUsersBotAnswers404() async throws {
        let web = TestWeb(listing: Self.listing)
        let owner = try await web.user("bea")
        try await web.user("cal")
        let bot = try web.database.bots.createBot(
            try BotDefinition(fields: Self.gridBody()), for: owner, limits: BotLimits(), at: Date())
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("cal")
            for (uri, method) in [("/api/v1/bots/\(bot.id)", HTTPRequest.Method.get), ("/api/v1/bots/\(bot.id)", .delete), ("/api/v1/bots/\(bot.id)/start", .post)] {
                let response = try await client.execute(uri: uri, method: method, headers: signed.headers(csrf: true))
                #expect(response.status == .notFound, "\(method) \(uri)")
            }
            let put = try await client.execute(
                uri: "/api/v1/bots/\(bot.id)", method: .put, headers: signed.headers(csrf: true, json: true), body: .json(Self.gridBody(name: "mine now")))
            #expect(put.status == .notFound)
            let list = try await client.execute(uri: "/api/v1/bots", method: .get, headers: signed.headers())
            #expect((try list.object()["items"] as? [Any])?.isEmpty == true)
        }
        #expect(try web.database.bots.bot(bot.id, for: owner)?.definition.name == "BTC grid")
    }

    /// A field and a bad value for it: the 422 names the field.
    @Test(arguments: [
        ("name", #"" padded""#, "name"), ("mode", #""demo""#, "mode"), ("symbol", #""BTCEUR""#, "symbols"),
        ("symbol", #""XRPUSDT""#, "symbols: the exchange does not list XRPUSDT"), ("allocation_usdt", #""lots""#, "allocation_usdt"),
        ("allocation_usdt", #""10""#, "strategy.params.investment"), ("strategy", #"{"name":"martingale"}"#, "strategy.name"),
        ("strategy", #"{"name":"grid","params":{"lower":"40000","upper":"50000","levels":11,"step":1}}"#, "strategy.params.step"),
        ("strategy", #"{"name":"grid","params":{"lower":"40000","upper":"50000","levels":true}}"#, "strategy.params.levels"),
        ("paper_balances", #"{"usdt":"5"}"#, "paper_balances"),
        ("strategy", #"{"name":"grid","params":{"lower":"50000","upper":"40000","levels":11,"investment":"100"}}"#, "strategy.params.upper"),
        ("strategy", #"{"name":"grid","params":{"lower":"40000","upper":"50000","levels":1000,"investment":"100"}}"#, "strategy.params.levels"), ("strategy", #"{"name":"sma_cross"}"#, "settings"),
    ])
    func aBadBotIsRefusedNamingTheField(field: String, json: String, named: String) async throws {
        var fields = Self.gridBody()
        fields[field] = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let body = ByteBuffer.json(fields)
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("dan")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("dan")
            let response = try await client.execute(uri: "/api/v1/bots", method: .post, headers: signed.headers(csrf: true, json: true), body: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "invalid_bot")
            #expect(response.errorMessage?.hasPrefix(named) == true, "\(response.errorMessage ?? "no message")")
        }
        #expect(try web.database.bots.bots(for: user).isEmpty)
    }

    @Test func theLimitAndATakenNameAreRefused() async throws {
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("eve")
        for index in 1...20 { _ = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody(name: "grid \(index)")), for: user, limits: BotLimits(), at: Date()) }
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("eve")
            let over = try await client.execute(
                uri: "/api/v1/bots", method: .post, headers: signed.headers(csrf: true, json: true), body: .json(Self.gridBody(name: "grid 21")))
            #expect(over.status == .conflict)
            #expect(over.errorCode == "bot_limit_reached")
            let first = try #require(try web.database.bots.bots(for: user).first)
            let renamed = try await client.execute(
                uri: "/api/v1/bots/\(first.id)", method: .put, headers: signed.headers(csrf: true, json: true), body: .json(Self.gridBody(name: "GRID 2")))
            #expect(renamed.status == .conflict)
            #expect(renamed.errorCode == "name_taken")
            let kept = try await client.execute(
                uri: "/api/v1/bots/\(first.id)", method: .put, headers: signed.headers(csrf: true, json: true), body: .json(Self.gridBody(name: "Grid 1")))
            #expect(kept.status == .ok, "\(kept.text)")
            #expect(try kept.object()["name"] as? String == "Grid 1")
        }
        #expect(try web.database.bots.bots(for: user).count == 20)
    }

    /// `/api/v1/settings` reads and writes the first bot: the first save makes it, a later one
    /// changes it, and a bot made through `/api/v1/bots` with settings is the same thing.
    @Test func theSettingsAreTheFirstBots() async throws {
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("fox")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("fox")
            let before = try await client.execute(uri: "/api/v1/settings", method: .get, headers: signed.headers())
            #expect(try before.object()["is_default"] as? Bool == true)

            var settings = try Self.settingsObject()
            settings["symbols"] = ["ETHUSDT"]
            let saved = try await client.execute(uri: "/api/v1/settings", method: .put, headers: signed.headers(csrf: true, json: true), body: .json(settings))
            #expect(saved.status == .ok, "\(saved.text)")
            let bots = try web.database.bots.bots(for: user)
            #expect(bots.count == 1)
            var expected = BotSettings.defaults
            expected.symbols = ["ETHUSDT"]
            #expect(bots.first?.definition == BotDefinition.first(from: expected))

            let list = try await client.execute(uri: "/api/v1/bots", method: .get, headers: signed.headers())
            let first = try #require((try list.object()["items"] as? [[String: Any]])?.first)
            #expect(first["is_first"] as? Bool == true)
            #expect(first["symbols"] as? [String] == ["ETHUSDT"])
            #expect((first["settings"] as? [String: Any])?["interval"] as? String == "1m")
            // The worker runs it: its state is the worker's (no key here), not "not_running".
            #expect(first["state"] as? String == "no_key")

            // Changed through the bot, read through the settings.
            let id = try #require(first["bot_id"] as? Int64)
            settings["interval"] = "5m"
            let body: [String: Any] = ["name": "my first", "settings": settings]
            let changed = try await client.execute(uri: "/api/v1/bots/\(id)", method: .put, headers: signed.headers(csrf: true, json: true), body: .json(body))
            #expect(changed.status == .ok, "\(changed.text)")
            let after = try await client.execute(uri: "/api/v1/settings", method: .get, headers: signed.headers())
            #expect(try after.object()["interval"] as? String == "5m")
            #expect(try after.object()["is_default"] as? Bool == false)
        }
    }

    /// A user whose first bot is a grid has no settings: both routes say where the bot is
    /// changed, and the bot of `/api/v1/bot/start` does not start.
    @Test func aFirstGridBotHasNoSettingsAndDoesNotStart() async throws {
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("gil")
        let grid = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody(mode: "live")), for: user, limits: BotLimits(), at: Date())
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("gil")
            let read = try await client.execute(uri: "/api/v1/settings", method: .get, headers: signed.headers())
            #expect(read.status == .conflict)
            #expect(read.errorCode == "first_bot_has_no_settings")
            #expect(read.errorMessage?.contains("/api/v1/bots/\(grid.id)") == true)
            let write = try await client.execute(
                uri: "/api/v1/settings", method: .put, headers: signed.headers(csrf: true, json: true), body: .json(try Self.settingsObject()))
            #expect(write.status == .conflict)
            let start = try await client.execute(uri: "/api/v1/bot/start", method: .post, headers: signed.headers(csrf: true))
            #expect(start.status == .conflict)
            #expect(start.errorCode == "bot_not_running")
        }
        #expect(try web.database.bots.bots(for: user).map(\.definition) == [grid.definition])
    }

    /// `?bot_id=` keeps one bot's rows, every row names its bot, and another user's bot or a
    /// malformed id is refused.
    @Test func theListsKeepOneBotsRows() async throws {
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("hex")
        let other = try await web.user("ivo")
        let first = try web.database.bots.createBot(.first(from: .defaults), for: user, limits: BotLimits(), at: Date())
        let grid = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody()), for: user, limits: BotLimits(), at: Date())
        let foreign = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody()), for: other, limits: BotLimits(), at: Date())
        for (trade, bot) in [(1, first.id), (2, grid.id), (3, first.id)] {
            var fill = TradingRouteTests.fill(Int64(trade), minute: trade)
            fill.botID = bot
            try web.database.trading.saveFill(fill, for: user)
            if bot == grid.id {
                // A grid's equity is its own value over time.
                try web.database.bots.addBotEquity(Decimal(trade), bot: bot, for: user, at: fill.time, every: 60)
            } else {
                try web.database.portfolios.addEquity(time: fill.time, totalUSDT: Decimal(trade), for: user, bot: bot)
            }
        }
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("hex")
            let all = try await client.execute(uri: "/api/v1/fills", method: .get, headers: signed.headers())
            #expect((try all.object()["items"] as? [[String: Any]])?.compactMap { $0["bot_id"] as? Int64 } == [first.id, grid.id, first.id])
            let mine = try await client.execute(uri: "/api/v1/fills?bot_id=\(first.id)", method: .get, headers: signed.headers())
            #expect((try mine.object()["items"] as? [[String: Any]])?.compactMap { $0["trade_id"] as? Int64 } == [3, 1])
            let points = try await client.execute(uri: "/api/v1/equity?bot_id=\(grid.id)", method: .get, headers: signed.headers())
            #expect((try points.object()["items"] as? [[String: Any]])?.compactMap { $0["total_usdt"] as? String } == ["2.00000000"])
            let account = try await client.execute(uri: "/api/v1/equity?bot_id=\(first.id)", method: .get, headers: signed.headers())
            #expect((try account.object()["items"] as? [[String: Any]])?.compactMap { $0["total_usdt"] as? String } == ["3.00000000", "1.00000000"])
            for path in ["fills", "orders", "positions", "signals", "equity"] {
                let foreignRows = try await client.execute(uri: "/api/v1/\(path)?bot_id=\(foreign.id)", method: .get, headers: signed.headers())
                #expect(foreignRows.status == .notFound, "\(path)")
                let malformed = try await client.execute(uri: "/api/v1/\(path)?bot_id=first", method: .get, headers: signed.headers())
                #expect(malformed.status == .badRequest, "\(path)")
                let empty = try await client.execute(uri: "/api/v1/\(path)?bot_id=\(grid.id)", method: .get, headers: signed.headers())
                #expect(empty.status == .ok, "\(path)")
            }
        }
    }

    /// A grid's open order is its bot's: no cancel button on the trading pages, and a cancel by
    /// the API or the form is refused with the reason (stop the bot), nothing sent to the worker.
    @Test func aGridsOrderIsNotCancelledAlone() async throws {
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("kim")
        let grid = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody(name: "live grid", mode: "live")), for: user, limits: BotLimits(), at: Date())
        let now = Date()
        let order = OrderRecord(
            clientOrderID: "u\(user.rawValue)-BTCUSDT-\(grid.id)-G2B0", orderID: 4_242, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: .new,
            price: 44_000, origQty: Decimal(string: "0.001")!, executedQty: 0, createdAt: now, updatedAt: now, reason: "grid bot live grid", botID: grid.id)
        try web.database.trading.saveOrder(order, for: user)
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("kim")
            let refused = try await client.execute(uri: "/api/v1/orders/4242", method: .delete, headers: signed.headers(csrf: true))
            #expect(refused.status == .conflict && refused.errorCode == "order_of_grid_or_dca_bot", "\(refused.text)")
            #expect(refused.errorMessage?.contains("bot \(grid.id)") == true)
            let page = try await client.execute(uri: "/bots/\(grid.id)", method: .get, headers: signed.headers())
            #expect(page.text.contains(">44000.00<") && !page.text.contains("/trading/orders/4242/cancel"))
        }
        #expect(try web.database.commands.undelivered(user: user).isEmpty)
    }

    @Test func aPaperBotIsCopiedAsALiveOne() async throws {
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("jo")
        let paper = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody()), for: user, limits: BotLimits(), at: Date())
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("jo")
            let copied = try await client.execute(uri: "/api/v1/bots/\(paper.id)/copy-live", method: .post, headers: signed.headers(csrf: true))
            #expect(copied.status == .created, "\(copied.text)")
            let copy = try copied.object()
            #expect(copy["name"] as? String == "BTC grid (live)" && copy["mode"] as? String == "live")
            #expect((copy["paper_balances"] as? [Any])?.isEmpty == true)
            let liveID = try #require(copy["bot_id"] as? Int64)
            let stored = try #require(try web.database.bots.bot(liveID, for: user))
            #expect(stored.definition.plan == paper.definition.plan && stored.definition.allocationUsdt == paper.definition.allocationUsdt)
            // A second copy with the same name is refused; a live bot is not copied.
            let again = try await client.execute(uri: "/api/v1/bots/\(paper.id)/copy-live", method: .post, headers: signed.headers(csrf: true))
            #expect(again.status == .conflict && again.errorCode == "name_taken")
            let live = try await client.execute(
                uri: "/api/v1/bots/\(liveID)/copy-live", method: .post, headers: signed.headers(csrf: true, json: true), body: .json(["name": "x"]))
            #expect(live.status == .conflict && live.errorCode == "not_paper")
        }
        #expect(try web.database.bots.bots(for: user).count == 2)
    }

    /// A grid or DCA bot's state and figures are what the worker last reported, as far as its
    /// owner's wish has been carried out; a started bot is not changed or deleted; a live one
    /// needs a key to start; a report about another user's bot is not stored.
    @Test func aGridBotsStateAndFiguresAreTheWorkersReport() async throws {
        let web = TestWeb(listing: Self.listing)
        let user = try await web.user("ivy")
        let other = try await web.user("jon")
        let grid = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody()), for: user, limits: BotLimits(), at: Date())
        let live = try web.database.bots.createBot(try BotDefinition(fields: Self.gridBody(name: "live grid", mode: "live")), for: user, limits: BotLimits(), at: Date())
        #expect(try web.database.bots.setWanted(grid.id, true, for: user, at: Date().addingTimeInterval(-120)))
        #expect(try !web.database.bots.setWanted(grid.id, true, for: other, at: Date()))
        #expect(try web.database.bots.usersWithWantedPaperBots() == [user])
        var status = BotRunStatus(botID: grid.id, state: "running", reason: nil, mode: "paper", symbol: "BTCUSDT", updatedAt: 1_800_000_000_000)
        status.price = Decimal(string: "45000.5")!
        status.realisedPnL = Decimal(string: "12.5")!
        status.todayPnL = Decimal(string: "2.5")!
        status.held = Decimal(string: "0.01")!
        status.openOrders = [.init(side: "BUY", price: 44_000, quantity: Decimal(string: "0.002")!, level: 4, role: nil)]
        status.balances = ["USDT": 990]
        let reported = status
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("ivy")
            func read(_ id: Int64) async throws -> [String: Any] {
                try await client.execute(uri: "/api/v1/bots/\(id)", method: .get, headers: signed.headers()).object()
            }
            var bot = try await read(grid.id)
            #expect(bot["state"] as? String == "starting" && bot["run"] is NSNull)

            #expect(try !web.database.bots.saveStatus(reported, for: other, at: Date()), "not jon's bot")
            #expect(try web.database.bots.saveStatus(reported, for: user, at: Date()))
            bot = try await read(grid.id)
            #expect(bot["state"] as? String == "running" && bot["today_pnl_usdt"] as? String == "2.50000000" && bot["open_positions"] as? Int64 == 1)
            let run = try #require(bot["run"] as? [String: Any])
            #expect(run["mode"] as? String == "paper" && run["realised_pnl"] as? String == "12.50000000")
            #expect((run["open_orders"] as? [[String: Any]])?.first?["level"] as? Int64 == 4)
            #expect(run["paper_balances_now"] as? [[String: String]] == [["asset": "USDT", "amount": "990.00000000"]])
            // The page says paper and shows the worker's figures.
            let page = try await client.execute(uri: "/bots/\(grid.id)", method: .get, headers: signed.headers())
            #expect(page.text.contains("id=\"bot-run\"") && page.text.contains(">44000.00<") && page.text.contains(">990.00<"))
            #expect(page.text.contains("action=\"/bots/\(grid.id)/stop\"") && !page.text.contains("action=\"/bots/\(grid.id)/start\""))
            // A paper bot's figures are its status: no table of the account's rows; a live grid's
            // orders, fills and position are rows of the account, shown.
            #expect(!page.text.contains("id=\"bot-rows\""))
            let livePage = try await client.execute(uri: "/bots/\(live.id)", method: .get, headers: signed.headers())
            #expect(livePage.text.contains("id=\"bot-rows\""))

            // A worker silent for longer than 20 s: its figures are marked as from then.
            var silent = reported
            silent.updatedAt = Int64((Date().timeIntervalSince1970 - 60) * 1000)
            _ = try web.database.bots.saveStatus(silent, for: user, at: Date())
            let stale = try await read(grid.id)
            #expect(stale["state"] as? String == "running" && stale["stale_since"] is String)
            #expect((stale["state_reason"] as? String)?.hasPrefix("the worker has not reported since") == true)
            _ = try web.database.bots.saveStatus(reported, for: user, at: Date())

            // Started: not changed, not deleted.
            let put = try await client.execute(
                uri: "/api/v1/bots/\(grid.id)", method: .put, headers: signed.headers(csrf: true, json: true), body: .json(Self.gridBody(name: "renamed")))
            #expect(put.status == .conflict && put.errorCode == "bot_running")
            let delete = try await client.execute(uri: "/api/v1/bots/\(grid.id)", method: .delete, headers: signed.headers(csrf: true))
            #expect(delete.status == .conflict)

            // Its owner stopped it; the worker has not yet: stopping. Then stopped, with why.
            _ = try web.database.bots.setWanted(grid.id, false, for: user, at: Date())
            #expect(try await read(grid.id)["state"] as? String == "stopping")
            var stopped = reported
            stopped.state = "stopped"
            stopped.reason = "stopped by its owner"
            _ = try web.database.bots.saveStatus(stopped, for: user, at: Date())
            bot = try await read(grid.id)
            #expect(bot["state"] as? String == "stopped" && bot["state_reason"] as? String == "stopped by its owner")
            #expect(try web.database.bots.usersWithWantedPaperBots().isEmpty)

            // A live grid without a key is refused before anything is handed over.
            let start = try await client.execute(uri: "/api/v1/bots/\(live.id)/start", method: .post, headers: signed.headers(csrf: true))
            #expect(start.status == .conflict && start.errorCode == "no_key")
            #expect(try web.database.bots.bot(live.id, for: user)?.wanted == false)
        }
    }
}
