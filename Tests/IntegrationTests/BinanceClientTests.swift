import Common
import Foundation
import Testing

/// Our Binance client against the real simulator over HTTP (issue: client and simulator).
@Suite(.serialized, .timeLimit(.minutes(2))) struct BinanceClientTests {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    static func withSimulator(_ arguments: [String] = [], _ body: (SimulatorProcess) async throws -> Void) async throws {
        let simulator = try await SimulatorProcess(arguments: arguments)
        do {
            try await body(simulator)
        } catch {
            simulator.stop()
            throw error
        }
        simulator.stop()
    }

    @Test func readsMarketsAndAccountsAndFillsAMarketOrderWithCommission() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "1000", "ACME": "12.5"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            try await client.ping()
            let offset = try await client.synchronizeTime()
            #expect(abs(offset) < 1_000)
            let markets = try await client.exchangeInfo()
            #expect(Set(markets.map(\.symbol)).isSuperset(of: ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ETHBTC", "ACMEBTC"]))
            let btc = try #require(markets.first { $0.symbol == "BTCUSDT" })
            #expect(btc.stepSize == Self.d("0.00001") && btc.tickSize == Self.d("0.01") && btc.minNotional == 5)
            let prices = try await client.tickerPrices()
            #expect((prices["BTCUSDT"] ?? 0) > 0)
            #expect(client.usedWeight > 0)

            let before = try await client.account()
            #expect(before.canTrade)
            #expect(before.balances.first { $0.asset == "ACME" }?.free == Self.d("12.5"))
            let order = try await client.place(NewOrder(symbol: "BTCUSDT", side: .buy, kind: .market(quantity: Self.d("0.01")), clientOrderID: "it-market-1"))
            #expect(order.status == "FILLED" && order.executedQty == Self.d("0.01") && order.clientOrderID == "it-market-1")
            #expect(!order.fills.isEmpty)
            let commission = order.fills.reduce(Decimal(0)) { $0 + $1.commission }
            #expect(commission == Self.d("0.00001"))
            #expect(order.fills.allSatisfy { $0.commissionAsset == "BTC" })
            let after = try await client.account()
            #expect(after.balances.first { $0.asset == "BTC" }?.free == Self.d("0.01") - commission)
            #expect(after.balances.first { $0.asset == "USDT" }?.free == Self.d("1000") - order.cumulativeQuoteQty)
            // Selling everything bought needs the net quantity, as on Binance.
            await #expect(throws: ExchangeError.self) {
                try await client.place(NewOrder(symbol: "BTCUSDT", side: .sell, kind: .market(quantity: Self.d("0.01")), clientOrderID: "it-sell-gross"))
            }
            let sold = try await client.place(NewOrder(symbol: "BTCUSDT", side: .sell, kind: .market(quantity: Self.d("0.00999")), clientOrderID: "it-sell-net"))
            #expect(sold.status == "FILLED")
        }
    }

    @Test func aLargerMarketOrderSlipsFurther() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "10000000"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            try await sim.setPrice("ETHUSDT", "2000", hold: true)
            let small = try await client.place(NewOrder(symbol: "ETHUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "it-small"))
            let large = try await client.place(NewOrder(symbol: "ETHUSDT", side: .buy, kind: .market(quantity: 100), clientOrderID: "it-large"))
            let smallAverage = small.cumulativeQuoteQty / small.executedQty
            let largeAverage = large.cumulativeQuoteQty / large.executedQty
            #expect(smallAverage > 2000 && largeAverage > smallAverage)
            #expect(large.fills.count > 1, "partial fills across levels")
        }
    }

    @Test func limitOrdersRestLockFundsAndCancelByClientID() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "1000"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            try await sim.setPrice("BTCUSDT", "40000", hold: true)
            let resting = NewOrder(symbol: "BTCUSDT", side: .buy, kind: .limit(quantity: Self.d("0.01"), price: 30_000, timeInForce: "GTC"), clientOrderID: "it-limit-1")
            let placed = try await client.place(resting)
            #expect(placed.status == "NEW" && placed.fills.isEmpty)
            var account = try await client.account()
            #expect(account.balances.first { $0.asset == "USDT" }?.locked == 300)
            #expect(try await client.openOrders(symbol: "BTCUSDT").map(\.clientOrderID) == ["it-limit-1"])
            do {
                _ = try await client.place(resting)
                Issue.record("a duplicate client order id was accepted")
            } catch let error as ExchangeError {
                #expect(error == .rejected(code: -2010, message: "Duplicate order sent."))
            }
            #expect(try await client.resolve(symbol: "BTCUSDT", clientOrderID: "it-limit-1")?.status == "NEW")
            #expect(try await client.resolve(symbol: "BTCUSDT", clientOrderID: "never-sent") == nil)
            let cancelled = try await client.cancel(symbol: "BTCUSDT", clientOrderID: "it-limit-1")
            #expect(cancelled.status == "CANCELED")
            account = try await client.account()
            #expect(account.balances.first { $0.asset == "USDT" }?.locked == 0)
            #expect(account.balances.first { $0.asset == "USDT" }?.free == 1000)
            do {
                _ = try await client.cancel(symbol: "BTCUSDT", clientOrderID: "it-limit-1")
                Issue.record("a cancelled order was cancelled again")
            } catch let error as ExchangeError {
                #expect(error == .rejected(code: -2011, message: "Unknown order sent."))
            }
        }
    }

    @Test func aRestingOrderFillsWhenThePriceCrossesIt() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["SOL": "10"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            _ = try await client.place(NewOrder(symbol: "SOLUSDT", side: .sell, kind: .limit(quantity: 2, price: 110, timeInForce: "GTC"), clientOrderID: "it-tp"))
            #expect(try await client.order(symbol: "SOLUSDT", clientOrderID: "it-tp").status == "NEW")
            try await sim.setPrice("SOLUSDT", "111", hold: true)
            let filled = try await client.order(symbol: "SOLUSDT", clientOrderID: "it-tp")
            #expect(filled.status == "FILLED" && filled.cumulativeQuoteQty == 220)
            let account = try await client.account()
            #expect(account.balances.first { $0.asset == "USDT" }?.free == Self.d("219.78"), "220 less 0.1 % commission in USDT")
            #expect(account.balances.first { $0.asset == "SOL" }?.total == 8)
        }
    }

    @Test func failuresAreTypedByWhatTheCallerMustDo() async throws {
        try await Self.withSimulator(["--weight-limit", "150"]) { sim in
            await avoidMinuteBoundary()
            let credentials = try await sim.createAccount(balances: ["USDT": "10"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            let badSymbol = NewOrder(symbol: "DOGEUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "it-bad")
            await #expect(throws: ExchangeError.rejected(code: -1121, message: "Invalid symbol.")) { try await client.place(badSymbol) }
            let tooBig = NewOrder(symbol: "BTCUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "it-big")
            await #expect(throws: ExchangeError.rejected(code: -2010, message: "Account has insufficient balance for requested action.")) {
                try await client.place(tooBig)
            }
            let wrongSecret = BinanceClient(baseURL: sim.baseURL, credentials: .init(apiKey: credentials.apiKey, secret: "not-the-secret"))
            await #expect(throws: ExchangeError.rejected(code: -1022, message: "Signature for this request is not valid.")) { try await wrongSecret.account() }
            let unknownKey = BinanceClient(baseURL: sim.baseURL, credentials: .init(apiKey: "unknown", secret: "x"))
            await #expect(throws: ExchangeError.rejected(code: -2015, message: "Invalid API-key, IP, or permissions for action.")) { try await unknownKey.account() }
            // A clock 20 s behind: -1021, then the client resynchronises and succeeds.
            let skewed = BinanceClient(baseURL: sim.baseURL, credentials: credentials, localClock: { BinanceClient.localMs() - 20_000 })
            _ = try await skewed.account()
            #expect(skewed.serverTimeOffsetMs > 19_000)
            // Past the weight limit (150 here): 429 with Retry-After.
            do {
                for _ in 0..<10 { _ = try await client.exchangeInfo() }
                Issue.record("no rate limit after 280+ weight")
            } catch {
                guard case .rateLimited(let seconds)? = error as? ExchangeError else {
                    Issue.record("expected rateLimited, got \(error)")
                    return
                }
                #expect(seconds >= 1 && seconds <= 60)
            }
        }
        let nobody = BinanceClient(baseURL: "http://127.0.0.1:\(freePort())", credentials: nil, timeout: .seconds(2))
        do {
            try await nobody.ping()
            Issue.record("a closed port answered")
        } catch {
            guard case .temporary = error else {
                Issue.record("expected temporary, got \(error)")
                return
            }
        }
    }

    @Test func theSimulatorAcceptsParametersWhereverRealClientsPutThem() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "100"])
            let signer = BinanceSigner(secret: credentials.secret)
            let now = BinanceClient.localMs()
            // binance-connector: everything in the query, JSON content type, empty body.
            let query = "symbol=XRPUSDT&side=BUY&type=MARKET&quantity=10&timestamp=\(now)"
            let connector = try await HTTP.post(
                sim.baseURL + "/api/v3/order?" + query + "&signature=" + signer.signature(query: query), json: "",
                headers: [("X-MBX-APIKEY", credentials.apiKey)])
            #expect(connector.status == 200, "\(connector.body)")
            #expect(connector.json?["status"] as? String == "FILLED")
            // Split: some in the query, the rest in a form body; signed over both as received.
            let head = "symbol=XRPUSDT&side=BUY"
            let tail = "type=MARKET&quantity=10&timestamp=\(now)"
            var request = HTTP.Request(url: sim.baseURL + "/api/v3/order?" + head, method: .POST)
            request.headers = [("X-MBX-APIKEY", credentials.apiKey), ("Content-Type", "application/x-www-form-urlencoded")]
            request.body = tail + "&signature=" + signer.signature(query: head, body: tail)
            let split = try await HTTP.execute(request)
            #expect(split.status == 200, "\(split.body)")
        }
    }

    @Test func aTimeoutDuringPlacementResolvesToExactlyOneOrder() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "1000"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials, timeout: .milliseconds(500))
            try await sim.setFaults(#"{"latency_ms": 1500}"#)
            let order = NewOrder(symbol: "BNBUSDT", side: .buy, kind: .market(quantity: 1), clientOrderID: "it-timeout-1")
            do {
                _ = try await client.place(order)
                Issue.record("a 1.5 s answer did not time out at 0.5 s")
            } catch {
                guard case .unknownOrderState("it-timeout-1", _)? = error as? ExchangeError else {
                    Issue.record("a timed-out order must be in an unknown state, got \(error)")
                    return
                }
            }
            try await sim.setFaults(nil)
            // Resolution by the client order id finds the one order the exchange made; nothing is resent.
            let resolved = try await client.resolve(symbol: "BNBUSDT", clientOrderID: "it-timeout-1")
            #expect(resolved?.status == "FILLED")
            let all = try await Self.allOrders(sim, credentials, symbol: "BNBUSDT")
            #expect(all == 1)
        }
    }

    @Test func anOutageIsTemporaryAndRecovers() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount()
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials, timeout: .seconds(2))
            try await sim.setFaults(#"{"outage": true}"#)
            do {
                _ = try await client.account()
                Issue.record("an outage answered")
            } catch {
                guard case .temporary? = error as? ExchangeError else {
                    Issue.record("expected temporary, got \(error)")
                    return
                }
            }
            try await sim.setFaults(#"{"error_rate": 1.0}"#)
            await #expect(throws: ExchangeError.temporary("HTTP 503")) { try await client.account() }
            let placing = NewOrder(symbol: "XRPUSDT", side: .buy, kind: .market(quantity: 10), clientOrderID: "it-503")
            do {
                _ = try await client.place(placing)
                Issue.record("a 503 placed an order")
            } catch {
                guard case .unknownOrderState("it-503", _)? = error as? ExchangeError else {
                    Issue.record("a 5xx on an order must leave its state unknown, got \(error)")
                    return
                }
            }
            try await sim.setFaults(nil)
            #expect(try await client.resolve(symbol: "XRPUSDT", clientOrderID: "it-503") == nil, "the 503 came before the order was made")
            _ = try await client.account()
        }
    }

    static func allOrders(_ sim: SimulatorProcess, _ credentials: BinanceClient.Credentials, symbol: String) async throws -> Int {
        let query = "symbol=\(symbol)&timestamp=\(BinanceClient.localMs())"
        let signature = BinanceSigner(secret: credentials.secret).signature(query: query)
        var request = HTTP.Request(url: sim.baseURL + "/api/v3/allOrders?" + query + "&signature=" + signature, method: .GET)
        request.headers = [("X-MBX-APIKEY", credentials.apiKey)]
        let answer = try await HTTP.execute(request)
        let list = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [Any]
        return list?.count ?? -1
    }

    @Test func klinesHaveAThousandCandlesAtEveryIntervalAndAgreeAcrossIntervals() async throws {
        try await Self.withSimulator { sim in
            let client = BinanceClient(baseURL: sim.baseURL, credentials: nil)
            let intervals: [(String, Int64)] = [("1s", 1_000), ("1m", 60_000), ("5m", 300_000), ("15m", 900_000), ("1h", 3_600_000), ("4h", 14_400_000), ("1d", 86_400_000)]
            var byInterval: [String: [Kline]] = [:]
            for (name, step) in intervals {
                let candles = try await client.klines(symbol: "ETHBTC", interval: name, limit: 1_000)
                #expect(candles.count == 1_000, "\(name)")
                #expect(zip(candles, candles.dropFirst()).allSatisfy { $1.openTime - $0.openTime == step }, "\(name) has gaps")
                #expect(candles.allSatisfy { $0.low <= min($0.open, $0.close) && $0.high >= max($0.open, $0.close) && $0.closeTime == $0.openTime + step - 1 })
                byInterval[name] = candles
            }
            var checked = 0
            for (fine, coarse) in zip(intervals, intervals.dropFirst()) {
                let children = Dictionary(byInterval[fine.0]!.map { ($0.openTime, $0) }, uniquingKeysWith: { $1 })
                // The newest candles move while we read; compare the settled ones.
                for parent in byInterval[coarse.0]!.dropLast(2) {
                    let kids = stride(from: parent.openTime, to: parent.openTime + coarse.1, by: Int(fine.1)).compactMap { children[$0] }
                    guard kids.count == Int(coarse.1 / fine.1) else { continue }
                    checked += 1
                    #expect(kids.first!.open == parent.open && kids.last!.close == parent.close, "\(coarse.0) at \(parent.openTime)")
                    #expect(kids.map(\.high).max() == parent.high && kids.map(\.low).min() == parent.low, "\(coarse.0) at \(parent.openTime)")
                }
            }
            #expect(checked > 500)
            await #expect(throws: ExchangeError.rejected(code: -1120, message: "Invalid interval.")) {
                try await client.klines(symbol: "ETHBTC", interval: "7m")
            }
        }
    }

    @Test func aRestartKeepsAccountsBalancesAndOrders() async throws {
        let first = try await SimulatorProcess()
        let credentials = try await first.createAccount(balances: ["USDT": "500"])
        var client = BinanceClient(baseURL: first.baseURL, credentials: credentials)
        _ = try await client.place(NewOrder(symbol: "XRPUSDT", side: .buy, kind: .market(quantity: 100), clientOrderID: "it-keep-1"))
        _ = try await client.place(NewOrder(symbol: "BNBUSDT", side: .buy, kind: .limit(quantity: 1, price: 100, timeInForce: "GTC"), clientOrderID: "it-keep-2"))
        let before = try await client.account()
        first.stop()

        let second = try await SimulatorProcess(dataDir: first.dataDir)
        defer { second.stop() }
        client = BinanceClient(baseURL: second.baseURL, credentials: credentials)
        let after = try await client.account()
        #expect(after.balances == before.balances)
        #expect(try await client.order(symbol: "XRPUSDT", clientOrderID: "it-keep-1").status == "FILLED")
        #expect(try await client.openOrders().map(\.clientOrderID) == ["it-keep-2"])
        let next = try await client.place(NewOrder(symbol: "XRPUSDT", side: .buy, kind: .market(quantity: 10), clientOrderID: "it-keep-3"))
        #expect(next.orderID > 2)
    }

    /// Several processes on one address, each within the share the supervisor would give it,
    /// stay under the exchange's limit together; without shares they are rate limited.
    @Test func sharesKeepSeveralProcessesUnderTheHostLimit() async throws {
        func hammers(_ sim: SimulatorProcess, share: Int) async throws -> [[String: Int]] {
            let processes = try (0..<3).map { _ in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/trader-bench")
                process.arguments = ["hammer", "--base-url", sim.baseURL, "--share", String(share), "--requests", "100"]
                let output = Pipe()
                process.standardOutput = output
                // What went wrong, if anything, is kept with the test artifacts.
                let log = TestPaths.packageRoot + "/var/test-artifacts/hammer-\(share)-\(UUID().uuidString.prefix(6)).err"
                FileManager.default.createFile(atPath: log, contents: nil)
                process.standardError = FileHandle(forWritingAtPath: log) ?? FileHandle.nullDevice
                try process.run()
                return (process, output)
            }
            // A hammer that hangs must not hang the suite: each gets 45 s.
            let deadline = Date().addingTimeInterval(45)
            Thread.detachNewThread {
                while Date() < deadline, processes.contains(where: { $0.0.isRunning }) { Thread.sleep(forTimeInterval: 0.2) }
                for (process, _) in processes where process.isRunning { process.terminate() }
            }
            var results: [[String: Int]] = []
            for (process, output) in processes {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                results.append((try JSONSerialization.jsonObject(with: data) as? [String: Int]) ?? [:])
            }
            return results
        }
        try await Self.withSimulator(["--weight-limit", "200"]) { sim in
            await avoidMinuteBoundary()
            let share = WeightBudget.share(hostLimit: 200, processes: 3)
            let shared = try await hammers(sim, share: share)
            #expect(shared.allSatisfy { $0["rate_limited"] == 0 }, "\(shared)")
            #expect(shared.map { $0["sent"] ?? 0 }.reduce(0, +) * 4 <= 200, "\(shared)")
            #expect(shared.allSatisfy { ($0["sent"] ?? 0) >= 1 }, "\(shared); errors in var/test-artifacts/hammer-*.err")
        }
        try await Self.withSimulator(["--weight-limit", "200"]) { sim in
            await avoidMinuteBoundary()
            let unshared = try await hammers(sim, share: 10_000)
            #expect(unshared.contains { ($0["rate_limited"] ?? 0) > 0 }, "the same load without shares is rate limited: \(unshared)")
        }
    }

    /// After a 429 the client sends nothing until `Retry-After` has passed; an address that keeps
    /// sending is banned (418), and then the client sends nothing at all until the ban ends.
    @Test func aRateLimitedOrBannedClientSendsNothing() async throws {
        try await Self.withSimulator(["--weight-limit", "40"]) { sim in
            await avoidMinuteBoundary()
            let client = BinanceClient(baseURL: sim.baseURL, credentials: nil)
            _ = try await client.exchangeInfo()
            _ = try await client.exchangeInfo()
            do {
                _ = try await client.exchangeInfo()
                Issue.record("no 429 past the limit")
            } catch {
                guard case .rateLimited? = error as? ExchangeError else {
                    Issue.record("expected rateLimited, got \(error)")
                    return
                }
            }
            let used = client.usedWeight
            // Held back locally: the exchange is not asked again.
            await #expect(throws: ExchangeError.self) { try await client.ping() }
            #expect(client.usedWeight == used)
            // Someone on the same address ignores the 429s: the address is banned.
            var last = 0
            for _ in 0..<8 { last = try await HTTP.get(sim.baseURL + "/api/v3/ping").status }
            #expect(last == 418)
            let fresh = BinanceClient(baseURL: sim.baseURL, credentials: nil)
            do {
                try await fresh.ping()
                Issue.record("a banned address was answered")
            } catch {
                guard case .banned(let seconds)? = error as? ExchangeError else {
                    Issue.record("expected banned, got \(error)")
                    return
                }
                #expect(seconds > 60 && seconds <= 120)
            }
            do {
                try await fresh.ping()
            } catch {
                guard case .banned? = error as? ExchangeError else {
                    Issue.record("the client sent during the ban: \(error)")
                    return
                }
            }
        }
    }

    @Test func aKlineFileIsReplayedAndABadOneIsRefusedByLine() async throws {
        let dir = try TestDataDir("csv")
        let file = dir.path + "/ETHUSDT-1m-2024-01.csv"
        var rows = ["open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore"]
        for index in 0..<20 {
            let open = 1_704_067_200_000_000 + Int64(index) * 60_000_000  // microseconds, as newer files have
            rows.append("\(open),3000,3010,2990,\(3000 + index).5,1.0,\(open + 59_999_999),3000,10,0.5,1500,0")
        }
        try rows.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try await Self.withSimulator(["--klines-csv", file]) { sim in
            let client = BinanceClient(baseURL: sim.baseURL, credentials: nil)
            try await Task.sleep(for: .milliseconds(2_200))
            let price = try await client.tickerPrices()["ETHUSDT"] ?? 0
            let replayed = (0..<20).map { Decimal(3000 + $0) + Decimal(string: "0.5")! }
            #expect(replayed.contains(price), "\(price)")
        }
        let bad = dir.path + "/ETHUSDT-1m-bad.csv"
        try "1704067200000,1,1,1,1,1\n1704067260000,1,1,1,oops,1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/exchange-sim")
        process.arguments = ["--port", String(freePort()), "--data-dir", dir.path + "/sim", "--klines-csv", bad]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(message.contains("ETHUSDT-1m-bad.csv line 2") && message.contains("oops"), "\(message)")
    }

    @Test func tradesAndOrderHistoryAndCancellingEverything() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "10000"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            let bought = try await client.place(NewOrder(symbol: "BNBUSDT", side: .buy, kind: .marketQuote(quoteQuantity: 100), clientOrderID: "it-hist-1"))
            #expect(bought.status == "FILLED" && bought.cumulativeQuoteQty <= 100)
            for index in 0..<3 {
                _ = try await client.place(NewOrder(symbol: "BNBUSDT", side: .buy, kind: .limit(quantity: 1, price: Decimal(100 + index), timeInForce: "GTC"), clientOrderID: "it-hist-open-\(index)"))
            }
            let trades = try await client.myTrades(symbol: "BNBUSDT", orderID: bought.orderID)
            #expect(trades.count == bought.fills.count && trades.allSatisfy { $0.isBuyer && !$0.isMaker && $0.commissionAsset == "BNB" })
            #expect(trades.reduce(Decimal(0)) { $0 + $1.quantity } == bought.executedQty)
            let cancelled = try await client.cancelOpenOrders(symbol: "BNBUSDT")
            #expect(cancelled.count == 3 && cancelled.allSatisfy { $0.status == "CANCELED" })
            #expect(try await client.openOrders(symbol: "BNBUSDT").isEmpty)
            let history = try await client.allOrders(symbol: "BNBUSDT")
            #expect(history.map(\.status) == ["FILLED", "CANCELED", "CANCELED", "CANCELED"])
            #expect(try await client.account().balances.first { $0.asset == "USDT" }?.locked == 0)
        }
    }

    @Test func ordersAreRoundedToTheFiltersOrRefusedBeforeSending() async throws {
        try await Self.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["USDT": "1000"])
            let client = BinanceClient(baseURL: sim.baseURL, credentials: credentials)
            let filters = try #require(try await client.exchangeInfo(symbols: ["BTCUSDT"]).first)
            let price = try #require(try await client.tickerPrices()["BTCUSDT"])
            let rough = NewOrder(symbol: "BTCUSDT", side: .buy, kind: .limit(quantity: Self.d("0.0012345678"), price: Self.d("20000.129"), timeInForce: "GTC"), clientOrderID: "it-round")
            let prepared = try BinanceClient.prepare(rough, filters: filters, referencePrice: price)
            #expect(prepared.kind == .limit(quantity: Self.d("0.00123"), price: Self.d("20000.12"), timeInForce: "GTC"))
            #expect(try await client.place(prepared).status == "NEW")
            let tiny = NewOrder(symbol: "BTCUSDT", side: .buy, kind: .market(quantity: Self.d("0.00005")), clientOrderID: "it-tiny")
            do {
                _ = try BinanceClient.prepare(tiny, filters: filters, referencePrice: price)
                Issue.record("a 2 USDT order passed a 5 USDT minimum")
            } catch {
                guard case .refusedLocally(let reason)? = error as? ExchangeError else {
                    Issue.record("expected refusedLocally, got \(error)")
                    return
                }
                #expect(reason.contains("NOTIONAL"))
            }
            #expect(try await client.resolve(symbol: "BTCUSDT", clientOrderID: "it-tiny") == nil, "nothing was sent")
        }
    }

    @Test func timeInForceMakerOnlyAndAccountIsolation() async throws {
        try await Self.withSimulator { sim in
            let alice = BinanceClient(baseURL: sim.baseURL, credentials: try await sim.createAccount(balances: ["USDT": "1000000"]))
            let bob = BinanceClient(baseURL: sim.baseURL, credentials: try await sim.createAccount(balances: ["USDT": "1000"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            // IOC at a price that takes the first levels only: the rest expires.
            let ioc = try await alice.place(NewOrder(symbol: "SOLUSDT", side: .buy, kind: .limit(quantity: 600, price: Self.d("100.10"), timeInForce: "IOC"), clientOrderID: "it-ioc"))
            #expect(ioc.status == "EXPIRED" && ioc.executedQty > 0 && ioc.executedQty < 600, "\(ioc)")
            // FOK that cannot fill completely: nothing fills.
            let fok = try await alice.place(NewOrder(symbol: "SOLUSDT", side: .buy, kind: .limit(quantity: 600, price: Self.d("100.10"), timeInForce: "FOK"), clientOrderID: "it-fok"))
            #expect(fok.status == "EXPIRED" && fok.executedQty == 0 && fok.fills.isEmpty)
            // A FOK that can fill does, completely.
            let fokFilled = try await alice.place(NewOrder(symbol: "SOLUSDT", side: .buy, kind: .limit(quantity: 10, price: Self.d("100.10"), timeInForce: "FOK"), clientOrderID: "it-fok-2"))
            #expect(fokFilled.status == "FILLED" && fokFilled.executedQty == 10)
            // LIMIT_MAKER that would take is rejected; one below the book rests.
            do {
                _ = try await alice.place(NewOrder(symbol: "SOLUSDT", side: .buy, kind: .limitMaker(quantity: 1, price: 101), clientOrderID: "it-maker-take"))
                Issue.record("a taking LIMIT_MAKER was accepted")
            } catch let error as ExchangeError {
                #expect(error == .rejected(code: -2010, message: "Order would immediately match and take."))
            }
            let maker = try await alice.place(NewOrder(symbol: "SOLUSDT", side: .buy, kind: .limitMaker(quantity: 1, price: 90), clientOrderID: "it-maker"))
            #expect(maker.status == "NEW")
            // Bob sees none of Alice's orders, by either id, and cannot cancel them.
            #expect(try await bob.resolve(symbol: "SOLUSDT", clientOrderID: "it-maker") == nil)
            #expect(try await bob.openOrders().isEmpty)
            do {
                _ = try await bob.cancel(symbol: "SOLUSDT", clientOrderID: "it-maker")
                Issue.record("another account's order was cancelled")
            } catch let error as ExchangeError {
                #expect(error == .rejected(code: -2011, message: "Unknown order sent."))
            }
            #expect(try await alice.order(symbol: "SOLUSDT", clientOrderID: "it-maker").status == "NEW")
        }
    }
}
