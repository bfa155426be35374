import Common
import Foundation
import Testing

/// End-to-end scenarios (issue: end-to-end, faults, security and soak): the real supervisor, web,
/// simulator and workers, driven as people would drive them, checked against the exchange's own
/// account data.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ScenarioTests {
    /// One person: their browser-like client, their id, and their own exchange account.
    struct Person {
        let name: String
        let id: UserID
        let web: WebClient
        let client: BinanceClient
        let symbols: [String]
        let key: String
        let secret: String

        /// Their exchange account through a simulator on another port (a restarted system).
        func client(port: Int) -> BinanceClient {
            BinanceClient(baseURL: "http://127.0.0.1:\(port)", credentials: .init(apiKey: key, secret: secret))
        }
    }

    static func person(_ supervisor: SupervisorProcess, _ name: String, balances: String, symbols: [String], fast: Int, slow: Int) async throws -> Person {
        let web = WebClient(port: supervisor.webPort)
        let id = try await web.signUp(name, AccountTests.password)
        try await web.logIn(name, AccountTests.password)
        let created = try await HTTP.post("http://127.0.0.1:\(supervisor.simPort)/sim/v1/accounts", json: #"{"balances":\#(balances)}"#)
        let key = try #require(created.json?["apiKey"] as? String)
        let secret = try #require(created.json?["secretKey"] as? String)
        let stored = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": key, "api_secret": secret])
        #expect(stored.status == 200, "\(name): \(stored.body)")
        let settings = TradingTests.settings(symbols: symbols, fast: fast, slow: slow, maxPositionUSDT: "200")
        let saved = try await web.send(.PUT, "/api/v1/settings", json: settings)
        #expect(saved.status == 200, "\(name): \(saved.body)")
        let client = BinanceClient(baseURL: "http://127.0.0.1:\(supervisor.simPort)", credentials: .init(apiKey: key, secret: secret))
        return Person(name: name, id: id, web: web, client: client, symbols: symbols, key: key, secret: secret)
    }

    /// The trade ids the exchange has for this person's account on their symbols (the bots share
    /// the host's request weight with these calls: 20 each).
    static func exchangeTradeIDs(_ person: Person) async throws -> Set<Int64> {
        var ids: Set<Int64> = []
        for symbol in person.symbols {
            for trade in try await person.client.myTrades(symbol: symbol) { ids.insert(trade.tradeID) }
        }
        return ids
    }

    /// The client order ids of the account's orders on their symbols and BNBUSDT (where each
    /// person's hand-placed order rests, which a bot set to adopt unknown orders shows too).
    static func exchangeClientOrderIDs(_ person: Person) async throws -> Set<String> {
        var ids: Set<String> = []
        for symbol in Set(person.symbols + ["BNBUSDT"]) {
            for order in try await person.client.allOrders(symbol: symbol) { ids.insert(order.clientOrderID) }
        }
        return ids
    }

    @Test func tenUsersTradeApartAndOneEmergencyStopTouchesNoOneElse() async throws {
        try await AccountTests.withSystem("ten-users") { supervisor, _ in
            let symbolSets = [["BTCUSDT", "ETHUSDT"], ["BNBUSDT"], ["SOLUSDT", "XRPUSDT"], ["ETHUSDT"], ["BTCUSDT", "SOLUSDT"]]
            var people: [Person] = []
            for index in 0..<10 {
                let usdt = 5_000 + index * 500
                people.append(
                    try await Self.person(
                        supervisor, "user\(index)", balances: #"{"USDT":"\#(usdt)","BNB":"1"}"#, symbols: symbolSets[index % symbolSets.count],
                        fast: index % 2 == 0 ? 2 : 3, slow: index % 2 == 0 ? 3 : 5))
            }
            // Each also has a resting order far from the market, placed by hand on the exchange.
            for person in people {
                _ = try await person.client.place(
                    NewOrder(symbol: "BNBUSDT", side: .buy, kind: .limit(quantity: 1, price: 100, timeInForce: "GTC"), clientOrderID: "manual-\(person.name)"))
            }
            for person in people {
                #expect(try await person.web.send(.POST, "/api/v1/bot/start").status == 202)
            }
            // All of them trade.
            var quiet: [String] = []
            let allTraded = try await waitUntilAsync(.seconds(120)) {
                quiet = []
                for person in people where try await TradingTests.items(person.web, "/api/v1/fills?limit=1").isEmpty {
                    quiet.append(person.name)
                }
                return quiet.isEmpty
            }
            #expect(allTraded, "no fill yet for \(quiet)")

            // Each one sees their own fills and orders, all of them from their own exchange account.
            for person in people {
                let fills = try await TradingTests.items(person.web, "/api/v1/fills?limit=500")
                let orders = try await TradingTests.items(person.web, "/api/v1/orders?limit=500")
                let trades = try await Self.exchangeTradeIDs(person)
                let clientIDs = try await Self.exchangeClientOrderIDs(person)
                let shownTrades = Set(fills.compactMap { ($0["trade_id"] as? NSNumber)?.int64Value })
                let shownOrders = Set(orders.compactMap { $0["client_order_id"] as? String })
                #expect(!shownTrades.isEmpty && shownTrades.isSubset(of: trades), "\(person.name): fills not on their account: \(shownTrades.subtracting(trades))")
                #expect(shownOrders.isSubset(of: clientIDs), "\(person.name): orders not on their account: \(shownOrders.subtracting(clientIDs))")
                #expect(fills.allSatisfy { person.symbols.contains($0["symbol"] as? String ?? "") }, "\(person.name) trades only their symbols")
                let me = try await person.web.get("/api/v1/me").json
                #expect((me?["user_id"] as? NSNumber)?.int64Value == person.id.rawValue)
            }

            // user0's emergency stop cancels user0's orders only; everyone else keeps trading.
            let first = people[0]
            #expect(try await first.web.send(.POST, "/api/v1/bot/emergency-stop").status == 202)
            let stopped = try await waitUntilAsync(.seconds(5)) {
                let state = try await first.web.get("/api/v1/bot").json?["state"] as? String
                let open = try await first.client.openOrders()
                return state == "emergency_stopped" && open.isEmpty
            }
            #expect(stopped)
            try await Task.sleep(for: .seconds(2))
            for person in people.dropFirst() {
                #expect(try await person.web.get("/api/v1/bot").json?["state"] as? String == "running", "\(person.name)")
                let open = try await person.client.openOrders(symbol: "BNBUSDT")
                #expect(open.contains { $0.clientOrderID == "manual-\(person.name)" }, "\(person.name)'s resting order survived user0's emergency stop")
            }
            func othersFills() async throws -> Int {
                try await people.dropFirst().asyncMap { try await TradingTests.items($0.web, "/api/v1/fills?limit=500").count }.reduce(0, +)
            }
            let fillsBefore = try await othersFills()
            let others = try await waitUntilAsync(.seconds(60)) { try await othersFills() > fillsBefore }
            #expect(others, "the other bots still trade")

            // Stopped and closed: every exchange trade of each account is exactly one fill of its owner.
            for person in people.dropFirst() {
                _ = try await person.web.send(.POST, "/api/v1/bot/stop", json: ["close_positions": true])
            }
            try await Task.sleep(for: .seconds(3))
            for person in people {
                let trades = try await Self.exchangeTradeIDs(person)
                var fills: [[String: Any]] = []
                var settled = false
                for _ in 0..<20 where !settled {
                    fills = try await TradingTests.items(person.web, "/api/v1/fills?limit=500")
                    settled = Set(fills.compactMap { ($0["trade_id"] as? NSNumber)?.int64Value }) == trades
                    if !settled { try await Task.sleep(for: .milliseconds(500)) }
                }
                let recorded = fills.compactMap { ($0["trade_id"] as? NSNumber)?.int64Value }
                #expect(settled, "\(person.name): fills \(recorded.sorted()) vs exchange \(trades.sorted())")
                #expect(recorded.count == Set(recorded).count, "\(person.name): no fill twice")
            }
        }
    }

    /// Every number on the overview, trading and monitoring pages is the exchange's: balances
    /// valued in USDT at the exchange's prices, the total, every fill, the open orders.
    @Test func everyNumberOnThePagesIsTheExchanges() async throws {
        try await AccountTests.withSystem("real-data") { supervisor, _ in
            let sim = "http://127.0.0.1:\(supervisor.simPort)"
            let person = try await Self.person(
                supervisor, "realdata", balances: #"{"USDT":"8000","ETH":"2.5","SOL":"12"}"#, symbols: ["BTCUSDT", "ETHUSDT"], fast: 2, slow: 3)
            #expect(try await person.web.send(.POST, "/api/v1/bot/start").status == 202)
            let traded = try await waitUntilAsync(.seconds(60)) { try await TradingTests.items(person.web, "/api/v1/fills?limit=10").count >= 2 }
            #expect(traded)
            #expect(try await person.web.send(.POST, "/api/v1/bot/stop").status == 202)
            // Prices held still, so that the exchange and the pages can be compared.
            for (symbol, price) in [("BTCUSDT", "43210.55"), ("ETHUSDT", "2345.67"), ("SOLUSDT", "101.23")] {
                #expect(try await HTTP.post(sim + "/sim/v1/prices", json: #"{"symbol":"\#(symbol)","price":"\#(price)","hold":true}"#).status == 200)
            }
            let account = try await person.client.account()
            let prices = try await person.client.tickerPrices()
            var expected: [String: (free: Decimal, locked: Decimal, value: Decimal)] = [:]
            for balance in account.balances where balance.free + balance.locked > 0 {
                let price: Decimal = balance.asset == "USDT" ? 1 : (prices[balance.asset + "USDT"] ?? 0)
                expected[balance.asset] = (balance.free, balance.locked, (balance.free + balance.locked) * price)
            }
            let total = expected.values.reduce(Decimal(0)) { $0 + $1.value }
            // The worker values the account on every change and at least every 5 s.
            var rows: [[String]] = []
            var page = ""
            let shown = try await waitUntilAsync(.seconds(15)) {
                page = try await person.web.get("/").body
                rows = tableRows(page, id: "balances")
                return rows.count == expected.count && rows.allSatisfy { row in
                    guard row.count >= 5, let want = expected[row[0]], let value = pageNumber(row[4]) else { return false }
                    return pageNumber(row[1]) == want.free && pageNumber(row[2]) == want.locked && abs(value - want.value) <= Decimal(string: "0.01")!
                }
            }
            #expect(shown, "page \(rows) vs exchange \(expected)")
            let totalText = page.range(of: #"id="total" class="total">[^<]*<strong[^>]*>([^<]+) USDT"#, options: .regularExpression).map { String(page[$0]) } ?? ""
            let shownTotal = totalText.components(separatedBy: ">").last.flatMap(pageNumber)
            #expect(shownTotal.map { abs($0 - total) <= Decimal(string: "0.01")! } == true, "total \(totalText) vs \(total)")

            // Monitoring: every fill is an exchange trade of the account, price and quantity as the exchange has them.
            var trades: [(symbol: String, price: Decimal, qty: Decimal)] = []
            for symbol in person.symbols {
                trades += try await person.client.myTrades(symbol: symbol).map { ($0.symbol, $0.price, $0.quantity) }
            }
            let fillRows = tableRows(try await person.web.get("/monitoring").body, id: "fills")
            #expect(fillRows.count == trades.count, "\(fillRows.count) rows, \(trades.count) trades")
            var unmatched = trades
            for row in fillRows where row.count >= 5 {
                if let index = unmatched.firstIndex(where: { $0.symbol == row[1] && $0.price == pageNumber(row[3]) && $0.qty == pageNumber(row[4]) }) {
                    unmatched.remove(at: index)
                }
            }
            #expect(unmatched.isEmpty, "trades not shown as on the exchange: \(unmatched), rows \(fillRows)")

            // Trading: the open orders shown are the account's open orders of the bot (none while stopped).
            let open = try await person.client.openOrders()
            let orderRows = tableRows(try await person.web.get("/trading").body, id: "orders").filter { $0.count > 4 && ["NEW", "PARTIALLY_FILLED"].contains($0[4]) }
            #expect(orderRows.count == open.filter { !$0.clientOrderID.hasPrefix("manual") }.count, "\(orderRows) vs \(open)")
        }
    }

}

/// The rows of `<table id="ID">` in a page: each cell's text, tags removed.
func tableRows(_ html: String, id: String) -> [[String]] {
    guard let start = html.range(of: "<table id=\"\(id)\""), let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex),
        let body = html.range(of: "<tbody>", range: start.upperBound..<end.lowerBound)
    else { return [] }
    let table = String(html[body.upperBound..<end.lowerBound])
    return table.components(separatedBy: "</tr>").compactMap { row in
        let cells = row.components(separatedBy: "</td>").dropLast().map { cell -> String in
            let text = cell.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
            return text.replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return cells.isEmpty ? nil : cells
    }
}

/// A number as a page shows it ("5,400.00", "0.00100"), or nil.
func pageNumber(_ text: String) -> Decimal? {
    Decimal(string: text.replacingOccurrences(of: ",", with: "").components(separatedBy: " ").first ?? "", locale: Locale(identifier: "en_US_POSIX"))
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
