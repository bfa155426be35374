import Common
import Foundation
import Testing

/// The real portfolio: the worker reads the user's simulator account, values it in USDT and
/// reports it; the web shows it, says when it may be old, and says why when it is missing
/// (issue: the trading worker, portfolio).
@Suite(.serialized, .timeLimit(.minutes(3))) struct PortfolioTests {
    static func portfolio(_ web: WebClient) async throws -> [String: Any] {
        try #require(try await web.get("/api/v1/portfolio").json)
    }

    @Test func thePortfolioIsTheExchangeAccountValuedInUSDTAndAnOutageIsAState() async throws {
        try await AccountTests.withSystem("portfolio") { supervisor, web in
            try await web.signUp("alice", AccountTests.password)
            try await web.logIn("alice", AccountTests.password)
            let none = try await Self.portfolio(web)
            #expect(none["total_usdt"] is NSNull && none["total_usdt_reason"] as? String == "no_key")
            #expect(try await web.get("/").body.contains("no API key"))

            let sim = "http://127.0.0.1:\(supervisor.simPort)"
            for (symbol, price) in [("BTCUSDT", "40000"), ("ACMEBTC", "0.0002")] {
                let set = try await HTTP.post(sim + "/sim/v1/prices", json: #"{"symbol":"\#(symbol)","price":"\#(price)","hold":true}"#)
                #expect(set.status == 200, "\(set.body)")
            }
            let created = try await HTTP.post(sim + "/sim/v1/accounts", json: #"{"balances":{"USDT":"1000","BTC":"0.1","ACME":"50","NOPE":"3"}}"#)
            let key = try #require(created.json?["apiKey"] as? String)
            let secret = try #require(created.json?["secretKey"] as? String)
            #expect(try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": key, "api_secret": secret]).status == 200)

            // The worker reads the account and reports it: 1000 + 0.1 × 40000 + 50 × 0.0002 × 40000.
            var report: [String: Any] = [:]
            let valued = try await waitUntilAsync(.seconds(15)) {
                report = try await Self.portfolio(web)
                return report["total_usdt"] is String
            }
            #expect(valued, "\(report)")
            func amount(_ value: Any?) -> Decimal? { (value as? String).flatMap(DecimalText.parse) }
            #expect(amount(report["total_usdt"]) == 5400)
            #expect(report["unpriced_assets"] as? [String] == ["NOPE"])
            let rows = Dictionary(uniqueKeysWithValues: (report["balances"] as? [[String: Any]] ?? []).map { ($0["asset"] as? String ?? "", $0) })
            #expect(amount(rows["ACME"]?["price_usdt"]) == 8 && amount(rows["ACME"]?["value_usdt"]) == 400)
            #expect(rows["NOPE"]?["value_usdt"] is NSNull && rows["NOPE"]?["value_usdt_reason"] as? String == "no_price_route")
            #expect(report["stale_since"] is NSNull)
            let page = try await web.get("/")
            #expect(page.body.contains("5400.00 USDT") && page.body.contains("no price route"))

            // A trade on the account shows within seconds (user data stream), not at the next
            // minute's reconciliation.
            let client = BinanceClient(baseURL: sim, credentials: .init(apiKey: key, secret: secret))
            _ = try await client.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .marketQuote(quoteQuantity: 100), clientOrderID: "test-buy-1"))
            let moved = try await waitUntilAsync(.seconds(5)) {
                let rows = try await Self.portfolio(web)["balances"] as? [[String: Any]] ?? []
                return rows.contains { $0["asset"] as? String == "USDT" && (amount($0["free"]) ?? 1000) < 1000 }
            }
            #expect(moved)
            let equity = try await web.get("/api/v1/equity")
            #expect((equity.json?["items"] as? [[String: Any]])?.isEmpty == false, "\(equity.body)")

            // An outage: the figures are marked stale with the time it began, the page says so,
            // and everything resumes by itself.
            #expect(try await HTTP.post(sim + "/sim/v1/faults", json: #"{"outage":true}"#).status == 200)
            let stale = try await waitUntilAsync(.seconds(15)) { try await Self.portfolio(web)["stale_since"] is String }
            #expect(stale)
            let during = try await Self.portfolio(web)
            #expect(during["exchange_unreachable_since"] is String && during["total_usdt"] is String)
            #expect(try await web.get("/").body.contains("Exchange unreachable since"))
            // Every page says it in its freshness line, not only the overview.
            for path in ["/trading", "/monitoring", "/reports", "/backtest"] {
                let page = try await web.get(path).body
                #expect(page.contains("<strong class=\"unavailable\">Exchange unreachable since"), "\(path)")
            }
            #expect(try await HTTP.execute(.init(url: sim + "/sim/v1/faults", method: .DELETE)).status == 200)
            let recovered = try await waitUntilAsync(.seconds(20)) {
                let now = try await Self.portfolio(web)
                return now["stale_since"] is NSNull && now["exchange_unreachable_since"] == nil
            }
            #expect(recovered)
        }
    }
}

/// ``waitUntil`` for conditions that need to await.
func waitUntilAsync(_ timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
