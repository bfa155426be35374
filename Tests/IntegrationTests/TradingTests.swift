import Common
import Foundation
import Testing

/// The trading worker against the simulator, through the real supervisor and web (issue: the
/// trading worker).
@Suite(.serialized, .timeLimit(.minutes(3))) struct TradingTests {
    static func settings(symbols: [String], fast: Int = 2, slow: Int = 3, closeOnEmergency: Bool = false, maxPositionUSDT: String = "500") -> [String: Any] {
        [
            "symbols": symbols, "interval": "1s", "strategy": ["name": "sma_cross", "params": ["fast": fast, "slow": slow]],
            "risk": [
                "max_position_pct": 5, "max_position_usdt": maxPositionUSDT, "max_open_positions": 3, "stop_loss_pct": 0, "take_profit_pct": 0,
                "trailing_stop_pct": 0, "daily_loss_limit_usdt": "0", "max_drawdown_pct": 0, "cooldown_minutes": 0,
            ] as [String: Any],
            "emergency_close_positions": closeOnEmergency, "unknown_orders": "adopt", "timezone": "UTC",
        ]
    }

    /// A signed-up user with a simulator account holding `balances`, its key stored.
    static func user(_ supervisor: SupervisorProcess, _ web: WebClient, balances: String = #"{"USDT":"10000"}"#) async throws -> (UserID, BinanceClient) {
        let user = try await web.signUp("trader", AccountTests.password)
        try await web.logIn("trader", AccountTests.password)
        let created = try await HTTP.post("http://127.0.0.1:\(supervisor.simPort)/sim/v1/accounts", json: #"{"balances":\#(balances)}"#)
        let key = try #require(created.json?["apiKey"] as? String)
        let secret = try #require(created.json?["secretKey"] as? String)
        let stored = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": key, "api_secret": secret])
        #expect(stored.status == 200, "\(stored.body)")
        return (user, BinanceClient(baseURL: "http://127.0.0.1:\(supervisor.simPort)", credentials: .init(apiKey: key, secret: secret)))
    }

    static func items(_ web: WebClient, _ path: String) async throws -> [[String: Any]] {
        try await web.get(path).json?["items"] as? [[String: Any]] ?? []
    }

    @Test func aSessionOnOneSecondCandlesTradesAndRecordsEveryFillOnce() async throws {
        try await AccountTests.withSystem("trading") { supervisor, web in
            let (_, client) = try await Self.user(supervisor, web)
            let refused = try await web.send(.PUT, "/api/v1/settings", json: Self.settings(symbols: ["DOGEUSDT"]))
            #expect(refused.status == 422 && refused.body.contains("does not list DOGEUSDT"))
            let put = try await web.send(.PUT, "/api/v1/settings", json: Self.settings(symbols: ["BTCUSDT", "ETHUSDT"]))
            #expect(put.status == 200, "\(put.body)")
            #expect(try await web.get("/api/v1/settings").json?["interval"] as? String == "1s")
            let bot = try await web.get("/api/v1/bot")
            #expect(bot.json?["state"] as? String == "stopped" || bot.json?["state"] as? String == "starting", "\(bot.body)")
            let start = try await web.send(.POST, "/api/v1/bot/start")
            #expect(start.status == 202, "\(start.body)")
            let running = try await waitUntilAsync(.seconds(5)) { try await web.get("/api/v1/bot").json?["state"] as? String == "running" }
            #expect(running)

            // Random-walk prices on 1 s candles with SMA 2/3 cross often: a buy and a sale.
            let traded = try await waitUntilAsync(.seconds(60)) {
                let fills = try await Self.items(web, "/api/v1/fills?limit=500")
                return fills.contains { $0["side"] as? String == "BUY" } && fills.contains { $0["side"] as? String == "SELL" }
            }
            #expect(traded)
            _ = try await web.send(.POST, "/api/v1/bot/stop", json: ["close_positions": true])
            try await Task.sleep(for: .seconds(2))

            // Every trade on the exchange is a fill in central.sqlite, exactly once, and nothing else.
            var exchangeTrades: [Int64: TradeReport] = [:]
            for symbol in ["BTCUSDT", "ETHUSDT"] {
                for trade in try await client.myTrades(symbol: symbol) { exchangeTrades[trade.tradeID] = trade }
            }
            let fills = try await Self.items(web, "/api/v1/fills?limit=500")
            let recorded = fills.compactMap { ($0["trade_id"] as? NSNumber)?.int64Value }
            #expect(Set(recorded) == Set(exchangeTrades.keys), "fills \(recorded.sorted()) vs exchange \(exchangeTrades.keys.sorted())")
            #expect(recorded.count == Set(recorded).count, "no fill twice")
            // Orders: each filled one has the client order id the bot derived, ≤ 36 characters.
            let orders = try await Self.items(web, "/api/v1/orders?limit=500")
            #expect(orders.allSatisfy { ($0["client_order_id"] as? String)?.count ?? 99 <= 36 })
            #expect(orders.contains { $0["status"] as? String == "FILLED" })
            // The positions' realised PnL adds up the fills' (sale proceeds − fees − cost basis).
            let positions = try await Self.items(web, "/api/v1/positions")
            #expect(!positions.isEmpty)
            let bySymbol = Dictionary(grouping: fills, by: { $0["symbol"] as? String ?? "" })
            for position in positions {
                let symbol = position["symbol"] as? String ?? ""
                var book = BotPosition(symbol: symbol)
                let sorted = (bySymbol[symbol] ?? []).sorted { ($0["trade_id"] as? NSNumber)?.int64Value ?? 0 < ($1["trade_id"] as? NSNumber)?.int64Value ?? 0 }
                for row in sorted { book.apply(try BotFill(json: row)) }
                #expect((position["realized_pnl_usdt"] as? String).flatMap(DecimalText.parse) == book.realizedPnL.rounded(places: 8), "\(symbol)")
            }
            #expect(try await web.get("/api/v1/bot").json?["today_pnl_usdt"] is String)

            // The reports add up the same realised PnL, and download as CSV.
            let report = try await web.get("/api/v1/reports?period=month")
            let months = report.json?["items"] as? [[String: Any]] ?? []
            let reported = months.compactMap { ($0["realized_pnl_usdt"] as? String).flatMap(DecimalText.parse) }.reduce(0, +)
            let realized = positions.compactMap { ($0["realized_pnl_usdt"] as? String).flatMap(DecimalText.parse) }.reduce(0, +)
            #expect(abs(reported - realized) < Decimal(string: "0.00001")!, "\(reported) vs \(realized)")
            let csv = try await web.get("/api/v1/reports.csv?period=day")
            #expect(csv.status == 200 && csv.body.hasPrefix("period,start,realized_pnl_usdt") && csv.headers.first(name: "Content-Type")?.hasPrefix("text/csv") == true)
            #expect(try await web.get("/reports?period=week").body.contains("Realised PnL over all periods"))
            #expect(try await web.get("/api/v1/reports?period=year").status == 400)
        }
    }

    @Test func anEmergencyStopCancelsEveryOpenOrderAndHoldsAfterAKill() async throws {
        try await AccountTests.withSystem("emergency") { supervisor, web in
            let (user, client) = try await Self.user(supervisor, web, balances: #"{"USDT":"10000"}"#)
            #expect(try await web.send(.PUT, "/api/v1/settings", json: Self.settings(symbols: ["BTCUSDT"], fast: 50, slow: 100)).status == 200)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            // Resting orders on three symbols, one of them not among the bot's.
            let prices = try await client.tickerPrices()
            for (index, symbol) in ["BTCUSDT", "ETHUSDT", "XRPUSDT"].enumerated() {
                let price = try #require(prices[symbol])
                let limit = (price / 2).rounded(places: symbol == "XRPUSDT" ? 4 : 2)
                let qty: Decimal = symbol == "XRPUSDT" ? 100 : symbol == "ETHUSDT" ? Decimal(string: "0.01")! : Decimal(string: "0.001")!
                _ = try await client.place(NewOrder(symbol: symbol, side: .buy, kind: .limit(quantity: qty, price: limit, timeInForce: "GTC"), clientOrderID: "manual-\(index)"))
            }
            #expect(try await client.openOrders().count == 3)
            let started = ContinuousClock.now
            let stop = try await web.send(.POST, "/api/v1/bot/emergency-stop")
            #expect(stop.status == 202, "\(stop.body)")
            let cancelled = try await waitUntilAsync(.seconds(5)) { try await client.openOrders().isEmpty }
            #expect(cancelled)
            #expect(ContinuousClock.now - started < .seconds(2), "every order cancelled within 2 s")
            let state = try await waitUntilAsync(.seconds(3)) { try await web.get("/api/v1/bot").json?["state"] as? String == "emergency_stopped" }
            #expect(state)

            // kill -9: the worker comes back still stopped.
            let pid = try #require(supervisor.child("worker", user: user)).pid
            kill(pid, SIGKILL)
            let back = await waitUntil(.seconds(10)) { (supervisor.child("worker", user: user)?.pid).map { $0 != pid } ?? false }
            #expect(back)
            let reported = try await waitUntilAsync(.seconds(10)) {
                let bot = try await web.get("/api/v1/bot").json
                return (bot?["worker"] as? [String: Any])?["pid"] as? Int != Int(pid) && bot?["state"] as? String == "emergency_stopped"
            }
            #expect(reported, "still emergency_stopped after kill -9")
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            let resumed = try await waitUntilAsync(.seconds(5)) { try await web.get("/api/v1/bot").json?["state"] as? String == "running" }
            #expect(resumed)
        }
    }

    @Test func aKillDuringPlacementLeavesExactlyOneOrderRecordedOnce() async throws {
        try await AccountTests.withSystem("placement") { supervisor, web in
            let (user, client) = try await Self.user(supervisor, web)
            #expect(try await web.send(.PUT, "/api/v1/settings", json: Self.settings(symbols: ["BTCUSDT"], fast: 1, slow: 2)).status == 200)
            let sim = "http://127.0.0.1:\(supervisor.simPort)"
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            // Trading (its start-up done, its streams open), then the exchange slows down.
            let trading = try await waitUntilAsync(.seconds(60)) {
                try await Self.items(web, "/api/v1/orders?limit=5").contains { $0["status"] as? String == "FILLED" }
            }
            try #require(trading)
            #expect(try await HTTP.post(sim + "/sim/v1/faults", json: #"{"latency_ms":2500}"#).status == 200)
            // The intent is reported before the order is sent: kill the worker while it waits.
            var intent: [String: Any]?
            let sent = try await waitUntilAsync(.seconds(60)) {
                intent = try await Self.items(web, "/api/v1/orders?limit=50").first { $0["status"] as? String == "INTENT" }
                return intent != nil
            }
            try #require(sent)
            let id = try #require(intent?["client_order_id"] as? String)
            let pid = try #require(supervisor.child("worker", user: user)).pid
            kill(pid, SIGKILL)
            _ = try await HTTP.execute(.init(url: sim + "/sim/v1/faults", method: .DELETE))
            _ = try await web.send(.POST, "/api/v1/bot/emergency-stop")  // no further decisions
            // After the restart the order is looked up, not sent again: the exchange has it
            // once, and central.sqlite has its state and fills once.
            let resolved = try await waitUntilAsync(.seconds(30)) {
                let order = try await Self.items(web, "/api/v1/orders?limit=100").first { $0["client_order_id"] as? String == id }
                return ["FILLED", "NOT_PLACED"].contains(order?["status"] as? String ?? "")
            }
            #expect(resolved)
            let onExchange = try await client.allOrders(symbol: "BTCUSDT").filter { $0.clientOrderID == id }
            #expect(onExchange.count <= 1)
            let order = try await Self.items(web, "/api/v1/orders?limit=100").first { $0["client_order_id"] as? String == id }
            if let placed = onExchange.first {
                #expect(order?["status"] as? String == "FILLED" && (order?["order_id"] as? NSNumber)?.int64Value == placed.orderID)
                let trades = try await client.myTrades(symbol: "BTCUSDT", orderID: placed.orderID)
                let fills = try await Self.items(web, "/api/v1/fills?limit=500").filter { $0["client_order_id"] as? String == id }
                #expect(Set(fills.compactMap { ($0["trade_id"] as? NSNumber)?.int64Value }) == Set(trades.map(\.tradeID)))
                #expect(fills.count == trades.count)
            } else {
                #expect(order?["status"] as? String == "NOT_PLACED")
            }
        }
    }
}

/// Open orders on the exchange that the bot did not place: adopted or cancelled at its start.
@Suite(.serialized, .timeLimit(.minutes(2))) struct UnknownOrderTests {
    @Test(arguments: ["adopt", "cancel"])
    func unknownOrdersAreAdoptedOrCancelledAsTheSettingsSay(mode: String) async throws {
        try await AccountTests.withSystem("unknown-\(mode)") { supervisor, web in
            let (user, client) = try await TradingTests.user(supervisor, web)
            var settings = TradingTests.settings(symbols: ["BTCUSDT"], fast: 50, slow: 100)
            settings["unknown_orders"] = mode
            #expect(try await web.send(.PUT, "/api/v1/settings", json: settings).status == 200)
            let price = try #require(try await client.tickerPrices()["ETHUSDT"])
            _ = try await client.place(
                NewOrder(symbol: "ETHUSDT", side: .buy, kind: .limit(quantity: Decimal(string: "0.01")!, price: (price / 2).rounded(places: 2), timeInForce: "GTC"), clientOrderID: "by-hand-1")
            )
            // The worker meets it at its next start.
            let pid = try #require(supervisor.child("worker", user: user)).pid
            kill(pid, SIGKILL)
            if mode == "cancel" {
                let cancelled = try await waitUntilAsync(.seconds(15)) { try await client.openOrders().isEmpty }
                #expect(cancelled)
                #expect(try await waitUntilAsync(.seconds(5)) { try await web.get("/trading").body.contains("which the bot did not place") })
            } else {
                let adopted = try await waitUntilAsync(.seconds(15)) {
                    try await TradingTests.items(web, "/api/v1/orders").contains { $0["client_order_id"] as? String == "by-hand-1" && ($0["reason"] as? String ?? "").hasPrefix("adopted") }
                }
                #expect(adopted)
                #expect(try await client.openOrders().count == 1, "adopted, left open")
            }
        }
    }
}

extension Decimal {
    func rounded(places: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, places, .plain)
        return result
    }
}

/// A worker whose trader.sqlite is lost or damaged rebuilds from central.sqlite.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TraderDatabaseRecoveryTests {
    @Test(arguments: ["deleted", "damaged"])
    func aLostOrDamagedTraderDatabaseIsRebuiltFromCentral(how: String) async throws {
        try await AccountTests.withSystem("rebuild-\(how)") { supervisor, web in
            let (user, _) = try await TradingTests.user(supervisor, web)
            #expect(try await web.send(.PUT, "/api/v1/settings", json: TradingTests.settings(symbols: ["BTCUSDT"])).status == 200)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            let traded = try await waitUntilAsync(.seconds(60)) { try await TradingTests.items(web, "/api/v1/fills?limit=500").count >= 2 }
            try #require(traded)
            #expect(try await web.send(.POST, "/api/v1/bot/emergency-stop").status == 202)
            try await Task.sleep(for: .seconds(2))
            let fillsBefore = try await TradingTests.items(web, "/api/v1/fills?limit=500").count
            let positionsBefore = try await TradingTests.items(web, "/api/v1/positions").map { "\($0["symbol"] ?? "") \($0["qty"] ?? "") \($0["realized_pnl_usdt"] ?? "")" }

            // The file goes while the worker is down.
            let worker = try #require(supervisor.child("worker", user: user))
            kill(worker.pid, SIGSTOP)
            let path = supervisor.directory.userDatabase(user)
            for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
            if how == "deleted" {
                unlink(path)
            } else {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.seek(toOffset: 0)
                handle.write(Data(repeating: 0x5A, count: 4096))
                try handle.close()
            }
            kill(worker.pid, SIGKILL)
            kill(worker.pid, SIGCONT)
            let back = await waitUntil(.seconds(10)) { (supervisor.child("worker", user: user)?.pid).map { $0 != worker.pid } ?? false }
            #expect(back)
            let rebuilt = try await waitUntilAsync(.seconds(15)) { try await web.get("/trading").body.contains("rebuilt them from central.sqlite") }
            #expect(rebuilt)
            let positionsAfter = try await TradingTests.items(web, "/api/v1/positions").map { "\($0["symbol"] ?? "") \($0["qty"] ?? "") \($0["realized_pnl_usdt"] ?? "")" }
            #expect(positionsAfter == positionsBefore)
            #expect(try await TradingTests.items(web, "/api/v1/fills?limit=500").count == fillsBefore)
            let database = try TraderDatabase.open(supervisor.directory, user: user)
            #expect(try database.fills().count == fillsBefore, "the worker's own file has the history again")
            let log = try String(contentsOfFile: supervisor.directory.userLog(user), encoding: .utf8)
            #expect(log.contains("worker.history_restored"))
            if how == "damaged" {
                #expect(log.contains("worker.database_moved_aside"))
                let aside = try FileManager.default.contentsOfDirectory(atPath: supervisor.directory.userDir(user)).filter { $0.contains(".damaged-") }
                #expect(!aside.isEmpty, "the damaged file is kept, unchanged")
            }
            // Still emergency-stopped: the state lived in the lost file, and the new worker takes
            // the one its last worker reported.
            let state = try await waitUntilAsync(.seconds(5)) { try await web.get("/api/v1/bot").json?["state"] as? String == "emergency_stopped" }
            #expect(state)
            #expect(log.contains("bot.state_adopted"))
        }
    }
}

/// The ml strategy live: trained on the symbol's history, its signals reported with the record.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LiveSignalTests {
    @Test func theMLStrategyReportsSignalsWithItsRecord() async throws {
        try await AccountTests.withSystem("signals") { supervisor, web in
            _ = try await TradingTests.user(supervisor, web)
            var settings = TradingTests.settings(symbols: ["BTCUSDT"])
            settings["strategy"] = ["name": "ml", "params": ["training_window": 600, "retrain_every": 60, "trees": 10, "depth": 4, "horizon": 3]]
            let put = try await web.send(.PUT, "/api/v1/settings", json: settings)
            #expect(put.status == 200, "\(put.body)")
            let bad = try await web.send(.PUT, "/api/v1/settings", json: { var s = settings; s["strategy"] = ["name": "ml", "params": ["trees": 0]]; return s }())
            #expect(bad.status == 422 && bad.body.contains("trees"))
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            var signal: [String: Any]?
            let reported = try await waitUntilAsync(.seconds(30)) {
                signal = try await TradingTests.items(web, "/api/v1/signals").first
                return signal != nil
            }
            try #require(reported)
            #expect(["buy", "sell", "hold"].contains(signal?["action"] as? String ?? ""))
            #expect(signal?["trained_at"] is String, "\(signal ?? [:])")
            #expect((signal?["feature_importances"] as? [String: Any])?.count == MLStrategy.featureNames.count)
            #expect(signal?["symbol"] as? String == "BTCUSDT")
            let page = try await web.get("/signals")
            #expect(page.status == 200 && page.body.contains("Last trained") && page.body.contains("return_1"))
        }
    }
}

/// A long history does not crowd out the worker's credentials and commands at its start.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LongHistoryTests {
    @Test func aLongHistoryStillLetsTheCommandsThrough() async throws {
        let temp = try TestDataDir("history")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let user = try Fixtures.addUser(database, "busy", key: ("history-key-0123456789ab", "history-secret-0123456789"), directory: directory)
        let start = Date().addingTimeInterval(-86_400)
        for index in 0..<4_000 {
            try database.trading.saveFill(
                BotFill(symbol: "BTCUSDT", tradeID: Int64(index + 1), orderID: Int64(index + 1), clientOrderID: "u\(user.rawValue)-old-\(index)",
                        side: index % 2 == 0 ? "BUY" : "SELL", price: 40_000, qty: Decimal(string: "0.001")!, quoteQty: 40, commission: Decimal(string: "0.04")!,
                        commissionAsset: "USDT", time: start.addingTimeInterval(Double(index))), for: user)
        }
        let command = try database.commands.record(user: user, command: "start", payload: nil, at: Date())
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "history")
        try await supervisor.use { () async throws in
            let acknowledged = try await waitUntil(.seconds(20)) { try database.commands.command(id: command)?.acknowledgedAt != nil }
            #expect(acknowledged, "the pending command reached the worker behind the history")
            let restored = try await waitUntil(.seconds(10)) {
                (try? String(contentsOfFile: directory.userLog(user), encoding: .utf8))?.contains("worker.history_restored") == true
            }
            #expect(restored)
            let fills = try TraderDatabase.open(directory, user: user).fills().count
            #expect(fills >= 2_500 && fills <= 4_000, "the newest fills that fit: \(fills)")
        }
    }
}
