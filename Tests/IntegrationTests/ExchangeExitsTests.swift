import Common
import Foundation
import Testing

/// Exits that rest on the exchange (issue: trading core 2): an entry's take-profit and stop-loss
/// as one OCO, filled by the exchange while the worker is down and recorded once after; a manual
/// order with exits; client order ids that do not change across processes.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ExchangeExitsTests {
    static func orders(_ web: WebClient) async throws -> [[String: Any]] { try await TradingTests.items(web, "/api/v1/orders?limit=100") }

    static func legs(_ orders: [[String: Any]], status: String) -> [[String: Any]] {
        orders.filter { o in
            let id = o["client_order_id"] as? String ?? ""
            return (id.hasSuffix("-XT") || id.hasSuffix("-XS")) && o["status"] as? String == status
        }
    }

    @Test func theStopFilledWhileTheWorkerIsDownIsRecordedOnceWithItsPnL() async throws {
        try await AccountTests.withSystem("exits") { supervisor, web in
            let (user, client) = try await TradingTests.user(supervisor, web, balances: #"{"USDT":"10000"}"#)
            let market = RiskTests.Market(sim: "http://127.0.0.1:\(supervisor.simPort)", web: web)
            try await market.price("BTCUSDT", 40_000)
            try await market.price("ETHUSDT", 2_000)
            let settings = RiskTests.settings { base, risk in
                risk["max_position_usdt"] = "300"
                risk["stop_loss_pct"] = 2
                risk["take_profit_pct"] = 4
                base["execution"] = ["exits": "on_exchange"]
            }
            #expect(try await web.send(.PUT, "/api/v1/settings", json: settings).status == 200)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            try await Task.sleep(for: .seconds(3))
            try await market.crossAbove("BTCUSDT", from: 40_000)

            // The entry fills; its exits rest on the exchange as one OCO: a LIMIT_MAKER above, a STOP_LOSS below.
            let resting = try await waitUntilAsync(.seconds(15)) { Self.legs(try await Self.orders(web), status: "NEW").count == 2 }
            let seen = try await Self.orders(web)
            try #require(resting, "\(seen)")
            let open = try await client.openOrders(symbol: "BTCUSDT")
            #expect(open.count == 2 && Set(open.map(\.type)) == ["LIMIT_MAKER", "STOP_LOSS"], "\(open)")
            #expect(open.allSatisfy { $0.orderListID >= 0 } && Set(open.map(\.orderListID)).count == 1)
            let legs = Self.legs(try await Self.orders(web), status: "NEW")
            #expect(Set(legs.compactMap { ($0["order_list_id"] as? NSNumber)?.int64Value }) == [open[0].orderListID])
            let stop = try #require(open.first { $0.type == "STOP_LOSS" })
            let stopPrice = try #require(stop.stopPrice)
            let position = try #require(try await TradingTests.items(web, "/api/v1/positions").first { $0["symbol"] as? String == "BTCUSDT" })
            #expect((position["stop_loss"] as? String).flatMap(DecimalText.parse) == stopPrice, "the position shows the exchange's stop")

            // The worker is down (stopped, then killed); the price falls through the stop; the exchange sells.
            let worker = try #require(supervisor.child("worker", user: user)).pid
            kill(worker, SIGSTOP)
            try await market.price("BTCUSDT", stopPrice - 100)
            let soldOnExchange = try await waitUntilAsync(.seconds(10)) { try await client.myTrades(symbol: "BTCUSDT").contains { !$0.isBuyer } }
            #expect(soldOnExchange)
            let left = try await client.openOrders(symbol: "BTCUSDT")
            #expect(left.isEmpty, "the take-profit leg expired with the stop's fill")
            kill(worker, SIGKILL)
            let restarted = await waitUntil(.seconds(15)) { (supervisor.child("worker", user: user)?.pid).map { $0 != worker } ?? false }
            #expect(restarted)

            // After the restart: the sale recorded once, both legs final, the position closed with the PnL of the trades.
            let recorded = try await waitUntilAsync(.seconds(15)) {
                let fills = try await market.fills()
                let orders = try await Self.orders(web)
                return fills.contains { $0["side"] as? String == "SELL" } && Self.legs(orders, status: "NEW").isEmpty
            }
            #expect(recorded)
            let trades = try await client.myTrades(symbol: "BTCUSDT")
            let fills = try await market.fills().filter { $0["symbol"] as? String == "BTCUSDT" }
            #expect(Set(fills.compactMap { ($0["trade_id"] as? NSNumber)?.int64Value }) == Set(trades.map(\.tradeID)))
            #expect(fills.count == trades.count, "every exchange trade exactly once")
            let final = try await Self.orders(web)
            #expect(Self.legs(final, status: "FILLED").count == 1 && Self.legs(final, status: "EXPIRED").count == 1, "\(final)")
            var book = BotPosition(symbol: "BTCUSDT")
            for trade in trades.sorted(by: { $0.tradeID < $1.tradeID }) {
                book.apply(
                    BotFill(
                        symbol: "BTCUSDT", tradeID: trade.tradeID, orderID: trade.orderID, clientOrderID: "", side: trade.isBuyer ? "BUY" : "SELL",
                        price: trade.price, qty: trade.quantity, quoteQty: trade.quoteQuantity, commission: trade.commission,
                        commissionAsset: trade.commissionAsset, time: Date()))
            }
            #expect(book.realizedPnL < 0, "a stop-loss loses")
            let closed = try await waitUntilAsync(.seconds(5)) {
                let row = try await TradingTests.items(web, "/api/v1/positions").first { $0["symbol"] as? String == "BTCUSDT" }
                return (row?["realized_pnl_usdt"] as? String).flatMap(DecimalText.parse) == book.realizedPnL.rounded(places: 8)
                    && (row?["dust"] as? Bool == true || (row?["qty"] as? String).flatMap(DecimalText.parse) == 0)
            }
            let positions = try await TradingTests.items(web, "/api/v1/positions")
            #expect(closed, "\(positions)")
            #expect(try await market.waitForEvent("stop-loss filled on the exchange"))
        }
    }

    @Test func aManualOrderWithExitsFromThePageRestsThemAsOneOCO() async throws {
        try await AccountTests.withSystem("manual") { supervisor, web in
            let (user, client) = try await TradingTests.user(supervisor, web, balances: #"{"USDT":"10000"}"#)
            let market = RiskTests.Market(sim: "http://127.0.0.1:\(supervisor.simPort)", web: web)
            try await market.price("ETHUSDT", 2_000)
            var settings = TradingTests.settings(symbols: ["ETHUSDT"], fast: 50, slow: 100)
            settings["execution"] = ["exits": "in_bot"]
            #expect(try await web.send(.PUT, "/api/v1/settings", json: settings).status == 200)
            // From the page's form, as a person would: a market buy with its take-profit and stop-loss.
            let page = try await web.get("/trading").body
            let requestID = try #require(WebClient.hiddenField("request_id", in: page))
            let form = [
                "csrf_token": try #require(WebClient.hiddenField("csrf_token", in: page)), "request_id": requestID, "symbol": "ETHUSDT", "side": "BUY",
                "type": "market", "quantity": "0.1", "price": "", "take_profit": "2100", "stop_loss": "1900",
            ]
            let placed = try await web.send(.POST, "/trading/orders", form: form)
            #expect(placed.status == 303, "\(placed.status) \(placed.body.prefix(1_000))")
            let rested = try await waitUntilAsync(.seconds(15)) { try await client.openOrders(symbol: "ETHUSDT").count == 2 }
            #expect(rested)
            let open = try await client.openOrders(symbol: "ETHUSDT")
            #expect(Set(open.map(\.type)) == ["LIMIT_MAKER", "STOP_LOSS"] && Set(open.map(\.orderListID)).count == 1, "\(open)")
            #expect(open.first { $0.type == "LIMIT_MAKER" }?.price == 2_100 && open.first { $0.type == "STOP_LOSS" }?.stopPrice == 1_900)
            // The bot's orders list the entry and both legs, under the ids the request names.
            let mine = try await Self.orders(web).compactMap { $0["client_order_id"] as? String }
            #expect(Set(mine).isSuperset(of: ["-M", "-MT", "-MS"].map { "u\(user.rawValue)-ETHUSDT-\(requestID)" + $0 }), "\(mine)")
            #expect(try await web.get("/trading").body.contains("OCO list"))
            // The same request again (the API, same request id) places nothing twice.
            let again: [String: Any] = [
                "symbol": "ETHUSDT", "side": "BUY", "type": "market", "quantity": "0.1", "take_profit": "2100", "stop_loss": "1900", "request_id": requestID,
            ]
            #expect(try await web.send(.POST, "/api/v1/orders", json: again).status == 202)
            try await Task.sleep(for: .seconds(2))
            #expect(try await client.myTrades(symbol: "ETHUSDT").filter(\.isBuyer).count >= 1)
            #expect(try await client.allOrders(symbol: "ETHUSDT").filter { $0.type == "MARKET" }.count == 1)
            // Cancelling one leg through the API cancels the whole list.
            let leg = try #require(try await Self.orders(web).first { ($0["client_order_id"] as? String ?? "").hasSuffix("-MT") })
            let legID = try #require((leg["order_id"] as? NSNumber)?.int64Value)
            #expect(try await web.send(.DELETE, "/api/v1/orders/\(legID)").status == 202)
            let cancelled = try await waitUntilAsync(.seconds(10)) { try await client.openOrders(symbol: "ETHUSDT").isEmpty }
            #expect(cancelled)
        }
    }

    @Test func clientOrderIDsAreTheSameInEveryProcessForALongSymbol() async throws {
        func orderID() throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/worker")
            process.arguments = ["order-id", "--user", "42", "--symbol", "1000CHEEMSUSDT", "--key", "1800000000", "--purpose", "BE"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let first = try orderID()
        let second = try orderID()
        #expect(first == second && first == ClientOrderID.make(user: 42, symbol: "1000CHEEMSUSDT", key: 1_800_000_000, purpose: "BE"))
        #expect(first.hasPrefix("u42-1000CHEE") && first.count <= 36, "\(first)")
        // The simulator lists the symbol, and a second process's id is the same order: refused as a duplicate, found by lookup.
        try await BinanceClientTests.withSimulator { sim in
            let created = try await HTTP.post(sim.baseURL + "/sim/v1/accounts", json: #"{"balances":{"USDT":"1000"}}"#)
            let client = BinanceClient(
                baseURL: sim.baseURL, credentials: .init(apiKey: try #require(created.json?["apiKey"] as? String), secret: try #require(created.json?["secretKey"] as? String)))
            let filters = try #require(try await client.exchangeInfo(symbols: ["1000CHEEMSUSDT"]).first)
            #expect(filters.symbol.count == 14)
            let order = { (id: String) in NewOrder(symbol: "1000CHEEMSUSDT", side: .buy, kind: .limit(quantity: 10_000, price: Decimal(string: "0.001")!, timeInForce: "GTC"), clientOrderID: id) }
            let placed = try await client.place(order(first))
            #expect(placed.status == "NEW")
            await #expect(throws: ExchangeError.self) { _ = try await client.place(order(second)) }
            #expect(try await client.resolve(symbol: "1000CHEEMSUSDT", clientOrderID: second)?.orderID == placed.orderID)
        }
    }
}

extension ExchangeExitsTests {
    @Test func whereExitsLiveIsASettingOfTheAPIAndTheForm() async throws {
        try await AccountTests.withSystem("execution") { supervisor, web in
            _ = try await TradingTests.user(supervisor, web)
            var settings = TradingTests.settings(symbols: ["BTCUSDT"])
            settings["execution"] = ["exits": "in_bot", "entry": "limit", "entry_offset_pct": 0.5, "entry_timeout_seconds": 30, "entry_timeout_action": "reprice"]
            let put = try await web.send(.PUT, "/api/v1/settings", json: settings)
            #expect(put.status == 200, "\(put.body)")
            let execution = try await web.get("/api/v1/settings").json?["execution"] as? [String: Any]
            #expect(execution?["exits"] as? String == "in_bot" && execution?["entry"] as? String == "limit")
            #expect(execution?["entry_timeout_seconds"] as? Int == 30 && execution?["entry_timeout_action"] as? String == "reprice")
            let page = try await web.get("/trading").body
            #expect(page.contains(#"<option value="in_bot" selected>"#) && page.contains(#"<option value="reprice" selected>"#), "the form shows them")
            // Settings saved before `execution` existed read as its defaults; a wrong value names the field.
            settings["execution"] = ["exits": "somewhere"]
            let refused = try await web.send(.PUT, "/api/v1/settings", json: settings)
            #expect(refused.status == 422 && refused.body.contains("execution"), "\(refused.body)")
            settings["execution"] = ["entry_timeout_seconds": 1]
            let short = try await web.send(.PUT, "/api/v1/settings", json: settings)
            #expect(short.status == 422 && short.body.contains("execution.entry_timeout_seconds"), "\(short.body)")
            settings["execution"] = nil
            #expect(try await web.send(.PUT, "/api/v1/settings", json: settings).status == 200)
            let defaults = try await web.get("/api/v1/settings").json?["execution"] as? [String: Any]
            #expect(defaults?["exits"] as? String == "on_exchange" && defaults?["entry"] as? String == "market")
        }
    }
}
