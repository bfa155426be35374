import Common
import Foundation
import Testing

/// Signal hooks through the real supervisor, web, worker and simulator (issue 18): a DCA bot
/// that opens deals on its hook's signals only gets one from `POST /hooks/{id}` and the exchange
/// has its base order within a second; stale, replayed, oversized, unsigned, malformed, unfit,
/// rate-limited and foreign-address signals are refused with a 4xx and recorded with their
/// reason, never a 5xx; an unknown hook and a wrong secret answer alike; a new URL retires the
/// old one; the secret is in no page and no log.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SignalHookSystemTests {
    static func post(_ url: String, _ body: String) async throws -> HTTP.Answer {
        try await HTTP.post(url, json: body)
    }

    static func millis(_ date: Date = Date()) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }

    @Test func aSignalOpensADealWithinASecondAndEveryBadOneIsRefusedAndRecorded() async throws {
        try await AccountTests.withSystem("signal-hook") { supervisor, web in
            let (_, client) = try await TradingTests.user(supervisor, web)
            let created = try await web.send(.POST, "/api/v1/bots", json: [
                "name": "signal dca", "mode": "live", "symbol": "BTCUSDT", "allocation_usdt": "100",
                "strategy": ["name": "dca", "params": ["base_order": "20", "take_profit": "1.5", "safety_orders": 1, "deviation": "2", "start": "signal"]],
            ])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require((created.json?["bot_id"] as? NSNumber)?.intValue)

            // The hook: its URL and its secret, once.
            let made = try await web.send(.POST, "/api/v1/bots/\(id)/hook", json: ["max_lag_seconds": 30])
            #expect(made.status == 201, "\(made.body)")
            let secret = try #require(made.json?["secret"] as? String)
            SecretsSeen.record(secret)
            let path = try #require(made.json?["url"] as? String)
            #expect(made.json?["max_lag_seconds"] as? Int == 30 && made.json?["per_minute"] as? Int == SignalHook.defaultPerMinute)
            let url = web.base + path
            let shown = try await web.get("/api/v1/bots/\(id)/hook")
            #expect(shown.status == 200 && shown.json?["secret"] == nil && !shown.body.contains(secret))

            // A stopped bot takes no signal: 409, recorded.
            let early = try await Self.post(url, #"{"secret":"\#(secret)","action":"start_deal"}"#)
            #expect(early.status == 409 && early.json?["error"] as? String == "bot_stopped", "\(early.body)")

            #expect(try await web.send(.POST, "/api/v1/bots/\(id)/start").status == 202)
            let running = try await waitUntilAsync(.seconds(20)) { try await PaperBotTests.bot(web, id)["state"] as? String == "running" }
            #expect(running)
            #expect(try await client.myTrades(symbol: "BTCUSDT").isEmpty, "a signal-started DCA bot opens no deal by itself")

            // Accepted: the exchange has the base order's trade within a second of the hook's answer.
            let sent = Date()
            let accepted = try await Self.post(url, #"{"secret":"\#(secret)","action":"start_deal","id":"alert-1","time":\#(Self.millis())}"#)
            #expect(accepted.status == 202, "\(accepted.body)")
            #expect(accepted.json?["status"] as? String == "accepted" && accepted.json?["delivered"] as? Bool == true)
            var trades: [TradeReport] = []
            let traded = try await waitUntilAsync(.seconds(5)) {
                trades = try await client.myTrades(symbol: "BTCUSDT")
                return !trades.isEmpty
            }
            #expect(traded)
            let lag = Double(try #require(trades.first).time) / 1000 - sent.timeIntervalSince1970
            #expect(lag < 1.0, "the base order traded \(lag) s after the signal was sent")

            // Refused, each with its 4xx; none a 5xx.
            let old = Self.millis(Date().addingTimeInterval(-120))
            let refusals: [(String, String, Int, String)] = [
                ("replayed", #"{"secret":"\#(secret)","action":"start_deal","id":"alert-1"}"#, 409, "replayed"),
                ("stale", #"{"secret":"\#(secret)","action":"start_deal","time":\#(old)}"#, 422, "stale"),
                ("oversized", #"{"secret":"\#(secret)","action":"start_deal","note":"\#(String(repeating: "x", count: 9_000))"}"#, 413, "too_large"),
                ("unsigned", #"{"action":"start_deal"}"#, 404, "not_found"),
                ("wrong secret", #"{"secret":"not-the-secret","action":"start_deal"}"#, 404, "not_found"),
                ("not JSON", "start_deal please", 422, "malformed"),
                ("unknown action", #"{"secret":"\#(secret)","action":"jump"}"#, 422, "malformed"),
                ("two amounts", #"{"secret":"\#(secret)","action":"buy","amount_usdt":"5","amount_base":"1"}"#, 422, "malformed"),
                ("not for a DCA bot", #"{"secret":"\#(secret)","action":"buy","amount_usdt":"5"}"#, 422, "not_for_this_bot"),
            ]
            for (name, body, status, error) in refusals {
                let answer = try await Self.post(url, body)
                #expect(answer.status == status && answer.json?["error"] as? String == error, "\(name): \(answer.status) \(answer.body)")
            }
            // An unknown hook answers as a wrong secret does.
            let unknown = try await Self.post(web.base + "/hooks/" + SecureToken.random(), #"{"secret":"not-the-secret","action":"start_deal"}"#)
            let wrong = try await Self.post(url, #"{"secret":"not-the-secret","action":"start_deal"}"#)
            #expect(unknown.status == 404 && unknown.body == wrong.body, "\(unknown.body) / \(wrong.body)")

            // Foreign addresses, then the rate.
            #expect(try await web.send(.PUT, "/api/v1/bots/\(id)/hook", json: ["allowed_addresses": ["10.9.9.9"]]).status == 200)
            let foreign = try await Self.post(url, #"{"secret":"\#(secret)","action":"start_deal"}"#)
            #expect(foreign.status == 403 && foreign.json?["error"] as? String == "address_not_allowed", "\(foreign.body)")
            let bad = try await web.send(.PUT, "/api/v1/bots/\(id)/hook", json: ["allowed_addresses": ["not-an-address"]])
            #expect(bad.status == 422, "\(bad.body)")
            #expect(try await web.send(.PUT, "/api/v1/bots/\(id)/hook", json: ["allowed_addresses": [String](), "per_minute": 1]).status == 200)
            let limited = try await Self.post(url, #"{"secret":"\#(secret)","action":"start_deal"}"#)
            #expect(limited.status == 429 && limited.json?["error"] as? String == "rate_limited", "\(limited.body)")

            // Every signal is recorded with its reason; the accepted one with what the bot did.
            let outcome = try await waitUntilAsync(.seconds(10)) {
                let records = try await web.get("/api/v1/bots/\(id)/hook").json?["signals"] as? [[String: Any]] ?? []
                return records.contains { $0["accepted"] as? Bool == true && ($0["outcome"] as? String ?? "").hasPrefix("ok: deal") }
            }
            let listed = try await web.get("/api/v1/bots/\(id)/hook")
            #expect(outcome, "\(listed.body)")
            let records = listed.json?["signals"] as? [[String: Any]] ?? []
            let reasons = records.compactMap { $0["reason"] as? String }
            for kind in ["bot_stopped", "replayed", "stale", "too_large", "wrong_secret", "malformed", "not_for_this_bot", "address_not_allowed", "rate_limited"] {
                #expect(reasons.contains { $0.hasPrefix(kind) }, "\(kind) not among \(reasons)")
            }
            #expect(records.filter { $0["accepted"] as? Bool == true }.count == 1)

            // The bot's page shows the hook and its signals, never the secret.
            let page = try await web.get("/bots/\(id)")
            #expect(page.status == 200 && page.body.contains(path) && page.body.contains("stale") && !page.body.contains(secret))

            // A new URL and secret: the old URL is gone.
            let again = try await web.send(.POST, "/api/v1/bots/\(id)/hook")
            #expect(again.status == 201)
            SecretsSeen.record(try #require(again.json?["secret"] as? String))
            #expect(again.json?["url"] as? String != path)
            let retired = try await Self.post(url, #"{"secret":"\#(secret)","action":"start_deal"}"#)
            #expect(retired.status == 404)

            #expect(try await web.send(.POST, "/api/v1/bots/\(id)/stop").status == 202)
        }
    }

    /// The outcome the worker gave the newest accepted signal, once it gave one.
    static func outcome(_ web: WebClient, bot: Int) async throws -> String? {
        let records = try await web.get("/api/v1/bots/\(bot)/hook").json?["signals"] as? [[String: Any]] ?? []
        guard let newest = records.first(where: { $0["accepted"] as? Bool == true }), let outcome = newest["outcome"] as? String,
            outcome.hasPrefix("ok") || outcome.hasPrefix("refused") || outcome.hasPrefix("unknown")
        else { return nil }
        return outcome
    }

    /// Sends a signal and waits for the bot's outcome.
    static func signal(_ web: WebClient, url: String, bot: Int, _ body: String) async throws -> String {
        let before = try await web.get("/api/v1/bots/\(bot)/hook").json?["signals"] as? [[String: Any]] ?? []
        let answer = try await post(url, body)
        #expect(answer.status == 202, "\(body): \(answer.body)")
        var said: String?
        _ = try await waitUntilAsync(.seconds(10)) {
            let records = try await web.get("/api/v1/bots/\(bot)/hook").json?["signals"] as? [[String: Any]] ?? []
            guard records.count > before.count else { return false }
            said = try await outcome(web, bot: bot)
            return said != nil
        }
        return said ?? "no outcome"
    }

    /// A `signal` bot trades on its hook alone: a market buy by USDT, a limit buy that rests, a
    /// cancel_all, a sale of half, a close; its holdings, orders and trades are its own rows, and
    /// what it cannot do (past its allocation, more than it holds) is refused with the reason.
    @Test func aSignalBotTradesOnItsHookAlone() async throws {
        try await AccountTests.withSystem("signal-bot") { supervisor, web in
            let (_, client) = try await TradingTests.user(supervisor, web)
            let missing = try await web.send(.POST, "/api/v1/bots", json: ["name": "tv", "mode": "live", "symbol": "BTCUSDT", "strategy": ["name": "signal"]])
            #expect(missing.status == 422 && missing.body.contains("allocation_usdt"), "\(missing.body)")
            let created = try await web.send(.POST, "/api/v1/bots", json: [
                "name": "tv", "mode": "live", "symbol": "BTCUSDT", "allocation_usdt": "100", "strategy": ["name": "signal"],
            ])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require((created.json?["bot_id"] as? NSNumber)?.intValue)
            let made = try await web.send(.POST, "/api/v1/bots/\(id)/hook")
            let secret = try #require(made.json?["secret"] as? String)
            SecretsSeen.record(secret)
            let url = web.base + (try #require(made.json?["url"] as? String))
            #expect(try await web.send(.POST, "/api/v1/bots/\(id)/start").status == 202)
            let running = try await waitUntilAsync(.seconds(20)) { try await PaperBotTests.bot(web, id)["state"] as? String == "running" }
            #expect(running)

            let bought = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"buy","amount_usdt":"40"}"#)
            #expect(bought.hasPrefix("ok: bought"), "\(bought)")
            let price = try #require(try await client.tickerPrices()["BTCUSDT"])
            let low = SymbolFilters.round(price * Decimal(string: "0.8")!, step: 1, .down)
            let rests = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"buy","order_type":"limit","price":"\#(low)","amount_usdt":"30"}"#)
            #expect(rests.contains("rests"), "\(rests)")
            #expect(try await client.openOrders(symbol: "BTCUSDT").count == 1)
            let tooMuch = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"buy","amount_usdt":"50"}"#)
            #expect(tooMuch.contains("past its allocation"), "\(tooMuch)")
            let cancelled = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"cancel_all"}"#)
            #expect(cancelled.hasPrefix("ok: cancelled"), "\(cancelled)")
            #expect(try await client.openOrders(symbol: "BTCUSDT").isEmpty)
            let half = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"sell","allocation_pct":"50"}"#)
            #expect(half.hasPrefix("ok: sold"), "\(half)")
            let oversell = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"sell","amount_base":"1"}"#)
            #expect(oversell.contains("holds"), "\(oversell)")
            let closed = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"close"}"#)
            #expect(closed.hasPrefix("ok: sold"), "\(closed)")
            let nothing = try await Self.signal(web, url: url, bot: id, #"{"secret":"\#(secret)","action":"close"}"#)
            #expect(nothing.contains("holds no BTC"), "\(nothing)")

            // Its trades on the exchange are its own rows, and it holds nothing now.
            let trades = try await client.myTrades(symbol: "BTCUSDT")
            #expect(trades.count >= 3)
            let rows = try await waitUntilAsync(.seconds(15)) {
                try await TradingTests.items(web, "/api/v1/fills?bot_id=\(id)&limit=100").count == trades.count
            }
            #expect(rows)
            let bot = try await PaperBotTests.bot(web, id)
            let run = try #require(bot["run"] as? [String: Any])
            // What is left is dust under the exchange's step (a fee taken in the coin), never a sellable amount.
            let held = try #require(DecimalText.parse(run["held_quantity"] as? String ?? ""))
            #expect(held < Decimal(string: "0.00001")! && (run["open_orders"] as? [Any])?.isEmpty == true, "\(run)")
            #expect(try await web.send(.POST, "/api/v1/bots/\(id)/stop").status == 202)
        }
    }
}
