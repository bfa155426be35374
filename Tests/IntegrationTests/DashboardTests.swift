import Common
import Foundation
import Testing

/// The dashboard's live feed, monitoring page, charts' scripts and static files, through the
/// real supervisor, worker, web and simulator (issue: the dashboard).
@Suite(.serialized, .timeLimit(.minutes(3))) struct DashboardTests {
    @Test func liveEventsCarryEachFillWithinASecondToItsOwnerOnly() async throws {
        try await AccountTests.withSystem("live") { supervisor, web in
            // Without a session there is no stream.
            #expect(try await HTTP.get(web.base + "/api/v1/events").status == 401)
            let (_, client) = try await TradingTests.user(supervisor, web)
            let other = WebClient(port: supervisor.webPort)
            _ = try await other.signUp("watcher", AccountTests.password)
            try await other.logIn("watcher", AccountTests.password)
            let mine = EventStream.open(web)
            let theirs = EventStream.open(other)
            defer {
                mine.close()
                theirs.close()
            }
            #expect(await waitUntil(.seconds(5)) { mine.status != nil && theirs.status != nil })
            #expect(mine.status == 200)

            let put = try await web.send(.PUT, "/api/v1/settings", json: TradingTests.settings(symbols: ["BTCUSDT"]))
            #expect(put.status == 200, "\(put.body)")
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            // The acknowledgement and the state change arrive as events.
            #expect(await waitUntil(.seconds(5)) { mine.named("bot").contains { $0.json?["state"] as? String == "running" } }, "\(mine.events.map(\.name))")
            #expect(await waitUntil(.seconds(5)) { !mine.named("command").isEmpty })

            // A saved change reaches the running bot within a second, and the pages say when.
            let change = TradingTests.settings(symbols: ["BTCUSDT"], fast: 2, slow: 3, maxPositionUSDT: "400")
            let saved = Date()
            #expect(try await web.send(.PUT, "/api/v1/settings", json: change).status == 200)
            // Within a second, with half a second of margin for a loaded machine.
            let applied = await waitUntil(.seconds(1.5)) { mine.named("command").contains { $0.json?["command"] as? String == "settings_changed" && $0.receivedAt > saved } }
            #expect(applied, "settings acknowledged within a second: \(mine.named("command").map(\.data))")
            if let event = mine.named("command").first(where: { $0.json?["command"] as? String == "settings_changed" && $0.receivedAt > saved }) {
                print("settings saved → acknowledged on the stream: \(String(format: "%.3f", event.receivedAt.timeIntervalSince(saved))) s")
            }
            for path in ["/trading", "/settings"] {
                let page = try await web.get(path).body
                #expect(page.contains("applied by the bot at"), "\(path) says when the bot applied the settings")
            }

            // Trades on 1 s candles; each fill reaches the stream within a second of its time on the exchange.
            let filled = await waitUntil(.seconds(60)) { mine.named("fill").count >= 3 }
            #expect(filled, "events: \(mine.events.map(\.name))")
            _ = try await web.send(.POST, "/api/v1/bot/stop", json: ["close_positions": true])
            var latencies: [Double] = []
            for event in mine.named("fill") {
                let text = event.json?["time"] as? String ?? ""
                let time = try #require(Timestamp.date(text), "\(event.data)")
                latencies.append(event.receivedAt.timeIntervalSince(time))
            }
            latencies.sort()
            print("fill → event latencies (s): \(latencies.map { String(format: "%.3f", $0) }.joined(separator: " "))")
            let median = latencies[latencies.count / 2]
            #expect(median < 1.0, "fill → event latencies \(latencies)")
            #expect(latencies.last! < 2.5, "fill → event latencies \(latencies)")
            #expect(!mine.named("order").isEmpty)
            // Every fill event is a trade the exchange made for this account, none twice.
            var exchangeTrades = Set<Int64>()
            for trade in try await client.myTrades(symbol: "BTCUSDT") { exchangeTrades.insert(trade.tradeID) }
            let streamed = mine.named("fill").compactMap { ($0.json?["trade_id"] as? NSNumber)?.int64Value }
            #expect(Set(streamed).isSubset(of: exchangeTrades))
            #expect(streamed.count == Set(streamed).count)
            // The other user saw nothing of it.
            #expect(theirs.named("fill").isEmpty && theirs.named("order").isEmpty, "\(theirs.events.map(\.name))")

            try await monitoring(web, fills: streamed.count)
        }
    }

    /// `/monitoring` over the fills just made: filters, validation, the CSV, the cursor.
    func monitoring(_ web: WebClient, fills: Int) async throws {
        // The bot was stopped with its positions sold: wait until that sale's fill is in, so that
        // every list below is read from the same rows.
        _ = try await waitUntilAsync(.seconds(10)) {
            let bot = try await web.get("/api/v1/bot").json
            return bot?["state"] as? String == "stopped" && (bot?["open_positions"] as? NSNumber)?.intValue == 0
        }
        var all = try await TradingTests.items(web, "/api/v1/fills?limit=500")
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(700))
            let again = try await TradingTests.items(web, "/api/v1/fills?limit=500")
            if again.count == all.count { break }
            all = again
        }
        let buys = all.filter { $0["side"] as? String == "BUY" }
        let page = try await web.get("/monitoring?show=fills&side=BUY&symbol=btcusdt")
        #expect(page.status == 200)
        #expect(page.body.components(separatedBy: "<td>BUY</td>").count - 1 == buys.count)
        #expect(!page.body.contains("<td>SELL</td>"))
        #expect(page.body.contains("data-live=\"fill\""), "the first page takes new rows live")
        let csv = try await web.get("/monitoring.csv?show=fills")
        #expect(csv.status == 200 && csv.headers.first(name: "Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.body.split(separator: "\n").count == all.count + 1, "a header and every fill")
        let orders = try await web.get("/monitoring?show=orders")
        #expect(orders.status == 200 && orders.body.contains("FILLED"))
        // Older than the newest fill: one row fewer, and no live updates on an older page.
        let newest = try #require(all.first?["time"] as? String)
        let older = try await web.get("/monitoring?show=fills&before=" + WebClient.encode(newest))
        #expect(older.body.components(separatedBy: "<tr><td>").count < page.body.components(separatedBy: "<tr><td>").count + all.count - buys.count + 1)
        #expect(!older.body.contains("data-live="))
        for (query, message) in [
            ("side=HOLD", "Side must be BUY or SELL"), ("from=2026-13-01", "From must be a date"), ("from=2026-11-25&to=2026-11-01", "To must not be before From"),
            ("show=everything", "show must be fills or orders"), ("symbol=%3Cscript%3E", "Symbol: letters and digits only"),
        ] {
            let bad = try await web.get("/monitoring?" + query)
            #expect(bad.status == 400 && bad.body.contains(message), "\(query): \(bad.status)")
            #expect(!bad.body.contains("<script>"))
        }
    }

    /// An open event stream does not hold up a stop: the web ends its streams at SIGTERM, well
    /// before the supervisor's 5 s stop timeout would kill it.
    @Test func anOpenEventStreamDoesNotHoldUpAStop() async throws {
        try await AccountTests.withSystem("stop-stream") { supervisor, web in
            _ = try await web.signUp("reader", AccountTests.password)
            try await web.logIn("reader", AccountTests.password)
            let stream = EventStream.open(web)
            defer { stream.close() }
            #expect(await waitUntil(.seconds(5)) { stream.status == 200 })
            let started = ContinuousClock.now
            supervisor.signal(SIGTERM)
            let status = await supervisor.waitForExit(.seconds(10))
            #expect(status == 0, "\(supervisor.output.suffix(2_000))")
            #expect(ContinuousClock.now - started < .seconds(4), "stopped after \(ContinuousClock.now - started)")
            #expect(await waitUntil(.seconds(2)) { stream.ended })
        }
    }

    @Test func scriptsChartsAndStaticFilesAreServedSafely() async throws {
        try await AccountTests.withSystem("static") { supervisor, web in
            let script = try await web.get("/static/app.js")
            #expect(script.status == 200 && script.headers.first(name: "Content-Type")?.contains("javascript") == true)
            #expect(script.body.contains("EventSource"))
            if FileManager.default.fileExists(atPath: "/usr/share/javascript/chart.js/chart.min.js") {
                let chart = try await web.get("/javascript/chart.js/chart.min.js")
                #expect(chart.status == 200 && chart.body.contains("Chart"))
            }
            for path in [
                "/javascript/../../etc/passwd", "/javascript/%2e%2e/%2e%2e/etc/passwd", "/javascript/chart.js/..%2f..%2f..%2fetc%2fpasswd",
                "/javascript/.hidden", "/javascript/chart.js", "/javascript/", "/javascript/chart.js/%00.js",
            ] {
                let answer = try await web.get(path)
                #expect(answer.status == 404, "\(path) → \(answer.status)")
                #expect(!answer.body.contains("root:"))
            }
            // A user without a key: pages say so; no chart, no number.
            _ = try await web.signUp("newcomer", AccountTests.password)
            try await web.logIn("newcomer", AccountTests.password)
            let home = try await web.get("/")
            #expect(home.status == 200)
            #expect(home.body.contains("Equity chart: no data — no API key is stored"))
            #expect(!home.body.contains("<canvas"))
            #expect(home.body.contains("<script src=\"/static/app.js\" defer>"))
            #expect(home.body.contains("data-live=\"portfolio bot fill\""))
            for range in ["day", "week", "month", "all"] {
                #expect(try await web.get("/?range=\(range)").body.contains("aria-current=\"true\">\(range.capitalized)</a>"))
            }
            let monitoring = try await web.get("/monitoring")
            #expect(monitoring.status == 200 && monitoring.body.contains("No fills match."))
            let settings = try await web.get("/settings")
            #expect(settings.body.contains("These are the defaults; nothing is saved yet."))
            #expect(settings.body.contains("name=\"timezone\""))
        }
    }
}
