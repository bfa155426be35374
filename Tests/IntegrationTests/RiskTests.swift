import Common
import Foundation
import Testing

/// The risk limits, each made to fire with prices the test sets on the simulator (held, so the
/// walk does not move them): with SMA 1/2 on 1 s candles, a step up is a cross above.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RiskTests {
    struct Market {
        let sim: String
        let web: WebClient

        func price(_ symbol: String, _ value: Decimal) async throws {
            let answer = try await HTTP.post(sim + "/sim/v1/prices", json: #"{"symbol":"\#(symbol)","price":"\#(value)","hold":true}"#)
            #expect(answer.status == 200, "\(answer.body)")
        }

        /// Holds the price for two closed candles, then steps it up: the next close is a cross above.
        func crossAbove(_ symbol: String, from base: Decimal, by step: Decimal = Decimal(string: "1.01")!) async throws {
            try await price(symbol, base)
            try await Task.sleep(for: .milliseconds(2_300))
            try await price(symbol, base * step)
        }

        func waitForEvent(_ text: String, _ timeout: Duration = .seconds(10)) async throws -> Bool {
            try await waitUntilAsync(timeout) { try await web.get("/trading").body.contains(text) }
        }

        func fills() async throws -> [[String: Any]] { try await TradingTests.items(web, "/api/v1/fills?limit=500") }
    }

    static func settings(_ change: (inout [String: Any], inout [String: Any]) -> Void) -> [String: Any] {
        var base = TradingTests.settings(symbols: ["BTCUSDT", "ETHUSDT"], fast: 1, slow: 2)
        // The bot's own watch of the limits; exits resting on the exchange are ExchangeExitsTests'.
        base["execution"] = ["exits": "in_bot"]
        var risk = base["risk"] as! [String: Any]
        change(&base, &risk)
        base["risk"] = risk
        return base
    }

    @Test func positionSizeStopLossCooldownAndTheDailyLossLimitFire() async throws {
        try await AccountTests.withSystem("risk") { supervisor, web in
            let (_, _) = try await TradingTests.user(supervisor, web, balances: #"{"USDT":"10000"}"#)
            let market = Market(sim: "http://127.0.0.1:\(supervisor.simPort)", web: web)
            try await market.price("BTCUSDT", 40_000)
            try await market.price("ETHUSDT", 2_000)
            let settings = Self.settings { _, risk in
                risk["max_position_pct"] = 5  // 5 % of 10,000 = 500 USDT …
                risk["max_position_usdt"] = "300"  // … but at most 300 USDT
                risk["stop_loss_pct"] = 2
                risk["cooldown_minutes"] = 5
            }
            #expect(try await web.send(.PUT, "/api/v1/settings", json: settings).status == 200)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            try await Task.sleep(for: .seconds(3))

            // An entry: its size is the smaller limit, 300 USDT.
            try await market.crossAbove("BTCUSDT", from: 40_000)
            let bought = try await waitUntilAsync(.seconds(10)) { try await market.fills().contains { $0["side"] as? String == "BUY" } }
            try #require(bought)
            let buy = try #require(try await market.fills().first { $0["side"] as? String == "BUY" })
            let spent = try #require((buy["quote_qty"] as? String).flatMap(DecimalText.parse))
            #expect(spent <= 300 && spent > 250, "\(buy)")

            // 3 % down: the stop-loss sells, and says so.
            try await market.price("BTCUSDT", Decimal(string: "39188")!)
            let stopped = try await waitUntilAsync(.seconds(10)) {
                try await TradingTests.items(web, "/api/v1/orders?limit=50").contains { $0["side"] as? String == "SELL" && ($0["reason"] as? String ?? "").contains("stop-loss") }
            }
            #expect(stopped)
            #expect(try await market.waitForEvent("stop-loss at"))

            // The cooldown after the stop-loss refuses the next entry on that symbol.
            try await market.crossAbove("BTCUSDT", from: Decimal(string: "39188")!)
            #expect(try await market.waitForEvent("cooldown after a stop-loss"))

            // The loss so far is past a daily limit of 1 USDT: no new entry on any symbol.
            let tighter = Self.settings { _, risk in
                risk["max_position_usdt"] = "300"
                risk["stop_loss_pct"] = 2
                risk["daily_loss_limit_usdt"] = "1"
            }
            #expect(try await web.send(.PUT, "/api/v1/settings", json: tighter).status == 200)
            try await market.crossAbove("ETHUSDT", from: 2_000)
            #expect(try await market.waitForEvent("daily loss limit reached"))
            #expect(try await market.fills().filter { $0["side"] as? String == "BUY" }.count == 1)

            // Too little for the exchange's minimum order value: refused with the reason.
            let tiny = Self.settings { _, risk in risk["max_position_usdt"] = "1" }
            #expect(try await web.send(.PUT, "/api/v1/settings", json: tiny).status == 200)
            try await market.crossAbove("ETHUSDT", from: Decimal(string: "2020")!)
            #expect(try await market.waitForEvent("too little balance"))
        }
    }

    @Test func takeProfitOpenPositionsTrailingStopAndTheDrawdownKillSwitchFire() async throws {
        try await AccountTests.withSystem("risk2") { supervisor, web in
            let (_, _) = try await TradingTests.user(supervisor, web, balances: #"{"USDT":"10000","ETH":"5"}"#)
            let market = Market(sim: "http://127.0.0.1:\(supervisor.simPort)", web: web)
            try await market.price("BTCUSDT", 40_000)
            try await market.price("ETHUSDT", 2_000)
            let settings = Self.settings { _, risk in
                risk["max_open_positions"] = 1
                risk["take_profit_pct"] = 3
            }
            #expect(try await web.send(.PUT, "/api/v1/settings", json: settings).status == 200)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            try await Task.sleep(for: .seconds(3))
            try await market.crossAbove("BTCUSDT", from: 40_000)
            let bought = try await waitUntilAsync(.seconds(10)) { try await market.fills().contains { $0["side"] as? String == "BUY" } }
            try #require(bought)

            // One position at most: the second symbol's entry is refused.
            try await market.crossAbove("ETHUSDT", from: 2_000)
            #expect(try await market.waitForEvent("maximum open positions (1) reached"))

            // 5 % up: take-profit.
            try await market.price("BTCUSDT", 42_420)
            let took = try await waitUntilAsync(.seconds(10)) {
                try await TradingTests.items(web, "/api/v1/orders?limit=50").contains { ($0["reason"] as? String ?? "").contains("take-profit") }
            }
            #expect(took)

            // A trailing stop: a new entry, a new peak 2 % higher, then 1.5 % down from it.
            let trailing = Self.settings { _, risk in
                risk["max_open_positions"] = 1
                risk["trailing_stop_pct"] = 1
            }
            #expect(try await web.send(.PUT, "/api/v1/settings", json: trailing).status == 200)
            try await market.crossAbove("BTCUSDT", from: 42_420)
            let again = try await waitUntilAsync(.seconds(10)) { try await market.fills().filter { $0["side"] as? String == "BUY" }.count == 2 }
            try #require(again)
            try await Task.sleep(for: .milliseconds(1_200))
            try await market.price("BTCUSDT", 43_700)
            try await Task.sleep(for: .milliseconds(1_200))
            try await market.price("BTCUSDT", 43_045)
            let trailed = try await waitUntilAsync(.seconds(10)) {
                try await TradingTests.items(web, "/api/v1/orders?limit=50").contains { ($0["reason"] as? String ?? "").contains("trailing stop") }
            }
            #expect(trailed)

            // Equity far under its peak with a 0.5 % drawdown limit: the emergency stop.
            let strict = Self.settings { _, risk in
                risk["max_open_positions"] = 1
                risk["max_drawdown_pct"] = 0.5
            }
            #expect(try await web.send(.PUT, "/api/v1/settings", json: strict).status == 200)
            // The account holds 5 ETH besides its USDT: ETH at half price is a 25 % drawdown.
            try await market.price("ETHUSDT", 1_000)
            let killed = try await waitUntilAsync(.seconds(15)) { try await web.get("/api/v1/bot").json?["state"] as? String == "emergency_stopped" }
            #expect(killed)
            #expect(try await market.waitForEvent("maximum drawdown reached"))
        }
    }
}
