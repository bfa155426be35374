import Common
import Foundation
import Testing

/// Grid bots run by the worker through the real supervisor, web and simulator (issue 16): a
/// paper grid of a user without a key gets a worker of its own, opens its levels on the
/// exchange's prices, comes back after the worker's kill -9 without a doubled order, stops, and
/// never writes a row into the user's real figures.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PaperBotTests {
    static func bot(_ web: WebClient, _ id: Int) async throws -> [String: Any] {
        try await web.get("/api/v1/bots/\(id)").json ?? [:]
    }

    static func openOrders(_ bot: [String: Any]) -> [String] {
        ((bot["run"] as? [String: Any])?["open_orders"] as? [[String: Any]] ?? []).map { "\($0["side"] ?? "") \($0["price"] ?? "")" }.sorted()
    }

    /// A paper grid on BTCUSDT of six levels from 10 % under the exchange's price to 10 % over,
    /// 1,000 of 5,000 virtual USDT; the answer of `POST /api/v1/bots`.
    static func createGrid(_ web: WebClient, sim: String) async throws -> HTTP.Answer {
        let ticker = try await HTTP.get(sim + "/api/v3/ticker/price?symbol=BTCUSDT")
        let text = try #require(ticker.json?["price"] as? String)
        let price = try #require(DecimalText.parse(text))
        let (lower, upper) = (SymbolFilters.round(price * Decimal(string: "0.9")!, step: 1, .down), SymbolFilters.round(price * Decimal(string: "1.1")!, step: 1, .up))
        return try await web.send(.POST, "/api/v1/bots", json: [
            "name": "paper grid", "mode": "paper", "symbol": "BTCUSDT", "paper_balances": ["USDT": "5000"],
            "strategy": ["name": "grid", "params": ["lower": "\(lower)", "upper": "\(upper)", "levels": 6, "investment": "1000"]],
        ])
    }

    @Test func aPaperGridRunsWithoutAKeySurvivesAKillAndStaysOutOfTheRealFigures() async throws {
        try await AccountTests.withSystem("paper-bot") { supervisor, web in
            let user = try await web.signUp("papertrader", AccountTests.password)
            try await web.logIn("papertrader", AccountTests.password)
            let created = try await Self.createGrid(web, sim: "http://127.0.0.1:\(supervisor.simPort)")
            #expect(created.status == 201, "\(created.body)")
            let id = try #require((created.json?["bot_id"] as? NSNumber)?.intValue)
            #expect(created.json?["state"] as? String == "stopped")
            #expect(supervisor.child("worker", user: user) == nil, "no key and nothing to run: no worker")

            // Started: a worker comes up for it (no key) and the grid opens its five cells' orders
            // on the exchange's price, within seconds.
            let start = try await web.send(.POST, "/api/v1/bots/\(id)/start")
            #expect(start.status == 202, "\(start.body)")
            let running = try await waitUntilAsync(.seconds(20)) {
                let bot = try await Self.bot(web, id)
                return bot["state"] as? String == "running" && Self.openOrders(bot).count == 5
            }
            let seen = try await Self.bot(web, id)
            #expect(running, "\(seen)")
            var bot = try await Self.bot(web, id)
            let orders = Self.openOrders(bot)
            let run = try #require(bot["run"] as? [String: Any])
            #expect(run["mode"] as? String == "paper" && bot["wanted"] as? Bool == true)
            #expect((run["paper_balances_now"] as? [[String: Any]])?.contains { $0["asset"] as? String == "USDT" } == true)
            // A started bot is not changed or deleted.
            #expect(try await web.send(.DELETE, "/api/v1/bots/\(id)").status == 409)

            // kill -9 of the worker: a new one rebuilds the grid from its record, nothing doubled.
            let worker = try #require(supervisor.child("worker", user: user)).pid
            kill(worker, SIGKILL)
            let back = await waitUntil(.seconds(15)) { (supervisor.child("worker", user: user)?.pid).map { $0 != worker } ?? false }
            #expect(back)
            let reportedBefore = run["reported_at"] as? String ?? ""
            let rebuilt = try await waitUntilAsync(.seconds(20)) {
                let bot = try await Self.bot(web, id)
                let at = (bot["run"] as? [String: Any])?["reported_at"] as? String ?? ""
                return bot["state"] as? String == "running" && at > reportedBefore
            }
            #expect(rebuilt)
            bot = try await Self.bot(web, id)
            // The price may have crossed a level meanwhile: five orders, one per cell, either way.
            #expect(Self.openOrders(bot).count == 5, "\(Self.openOrders(bot)) after \(orders)")

            // Stopped: its orders are cancelled, and the worker with nothing to run goes away.
            #expect(try await web.send(.POST, "/api/v1/bots/\(id)/stop").status == 202)
            let stopped = try await waitUntilAsync(.seconds(15)) {
                let bot = try await Self.bot(web, id)
                return bot["state"] as? String == "stopped" && Self.openOrders(bot).isEmpty
            }
            let last = try await Self.bot(web, id)
            #expect(stopped, "\(last)")
            let gone = await waitUntil(.seconds(15)) { supervisor.child("worker", user: user) == nil }
            #expect(gone)

            // Nothing of it is in the user's real orders, fills or positions.
            for path in ["/api/v1/orders", "/api/v1/fills", "/api/v1/positions"] {
                #expect((try await web.get(path).json?["items"] as? [Any])?.isEmpty == true, "\(path)")
            }
            #expect(try await web.send(.DELETE, "/api/v1/bots/\(id)").status == 204)
        }
    }

    /// A live grid on the user's simulator account (the user's first and only bot): its orders,
    /// trades and coins are rows that name it (`?bot_id=`), each of its open orders on the
    /// exchange is one of them, its position stays while the worker reports, and stopped and sold
    /// it holds none.
    @Test func aLiveGridsOrdersFillsAndPositionAreItsOwnRows() async throws {
        try await AccountTests.withSystem("live-grid") { supervisor, web in
            let (_, client) = try await TradingTests.user(supervisor, web)
            let price = try #require(try await client.tickerPrices()["BTCUSDT"])
            let (lower, upper) = (SymbolFilters.round(price * Decimal(string: "0.9")!, step: 1, .down), SymbolFilters.round(price * Decimal(string: "1.1")!, step: 1, .up))
            let created = try await web.send(.POST, "/api/v1/bots", json: [
                "name": "live grid", "mode": "live", "symbol": "BTCUSDT", "allocation_usdt": "1000",
                "strategy": ["name": "grid", "params": ["lower": "\(lower)", "upper": "\(upper)", "levels": 6, "investment": "1000"]],
            ])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require((created.json?["bot_id"] as? NSNumber)?.intValue)
            #expect(try await web.send(.POST, "/api/v1/bots/\(id)/start").status == 202)

            // Its five resting orders and its opening purchase, as rows of this bot.
            let rows = try await waitUntilAsync(.seconds(30)) {
                let orders = try await TradingTests.items(web, "/api/v1/orders?bot_id=\(id)&limit=100")
                let positions = try await TradingTests.items(web, "/api/v1/positions?bot_id=\(id)")
                return orders.filter { $0["status"] as? String == "NEW" }.count == 5 && positions.count == 1
            }
            let orders = try await TradingTests.items(web, "/api/v1/orders?bot_id=\(id)&limit=100")
            #expect(rows, "\(orders)")
            #expect(orders.allSatisfy { ($0["bot_id"] as? NSNumber)?.intValue == id })
            let onExchange = try await client.openOrders(symbol: "BTCUSDT").map(\.clientOrderID).sorted()
            #expect(onExchange.count == 5)
            #expect(orders.filter { $0["status"] as? String == "NEW" }.compactMap { $0["client_order_id"] as? String }.sorted() == onExchange)
            let fills = try await TradingTests.items(web, "/api/v1/fills?bot_id=\(id)&limit=100")
            let trades = try await client.myTrades(symbol: "BTCUSDT")
            #expect(!fills.isEmpty && fills.count == trades.count, "\(fills) against \(trades)")
            #expect(fills.allSatisfy { ($0["bot_id"] as? NSNumber)?.intValue == id && ($0["client_order_id"] as? String)?.hasSuffix("-GO") == true })
            let position = try #require(try await TradingTests.items(web, "/api/v1/positions?bot_id=\(id)").first)
            // What its sells on the exchange sell.
            let selling = try await client.openOrders(symbol: "BTCUSDT").filter { $0.side == "SELL" }.reduce(Decimal(0)) { $0 + $1.origQty }
            #expect(position["symbol"] as? String == "BTCUSDT")
            #expect(selling > 0 && (position["qty"] as? String).flatMap(DecimalText.parse) == selling, "\(position) against \(selling)")
            // The grid is the user's first bot, yet the worker's trader's reports (its positions:
            // none) never take its position away.
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await TradingTests.items(web, "/api/v1/positions?bot_id=\(id)").count == 1)
            }
            // Its value over time: a point while it runs.
            let valued = try await waitUntilAsync(.seconds(10)) { !(try await TradingTests.items(web, "/api/v1/equity?bot_id=\(id)").isEmpty) }
            #expect(valued)
            let point = try await TradingTests.items(web, "/api/v1/equity?bot_id=\(id)").first
            #expect((point?["total_usdt"] as? String).flatMap(DecimalText.parse).map { $0 > 900 && $0 < 1_100 } == true, "\(String(describing: point))")
            // Every order of the user is one of its rows.
            #expect(try await TradingTests.items(web, "/api/v1/orders?limit=100").count == orders.count)

            // Stopped and sold: its orders cancelled, its coins sold, no position left.
            #expect(try await web.send(.POST, "/api/v1/bots/\(id)/stop", json: ["close_positions": true]).status == 202)
            let sold = try await waitUntilAsync(.seconds(30)) {
                let positions = try await TradingTests.items(web, "/api/v1/positions?bot_id=\(id)")
                let open = try await TradingTests.items(web, "/api/v1/orders?bot_id=\(id)&limit=100").filter { $0["status"] as? String == "NEW" }
                return positions.isEmpty && open.isEmpty
            }
            #expect(sold)
            #expect(try await client.openOrders(symbol: "BTCUSDT").isEmpty)
            let sale = try await TradingTests.items(web, "/api/v1/fills?bot_id=\(id)&limit=100").filter { $0["side"] as? String == "SELL" }
            #expect(!sale.isEmpty)
        }
    }
}
