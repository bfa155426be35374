import Common
import Foundation
import Testing

/// `POST /api/v1/backtests` and the `/backtest` page: the same engine on exchange candles or an
/// uploaded CSV.
@Suite(.serialized, .timeLimit(.minutes(2))) struct BacktestAPITests {
    @Test func backtestsRunOnExchangeCandlesAndOnAnUploadedFile() async throws {
        try await AccountTests.withSystem("backtests") { supervisor, web in
            try await web.signUp("quant", AccountTests.password)
            try await web.logIn("quant", AccountTests.password)
            let start = Timestamp.string(Date().addingTimeInterval(-6 * 3600))
            let fetched = try await web.send(.POST, "/api/v1/backtests", json: [
                "symbol": "BTCUSDT", "interval": "1m", "start": start, "end": Timestamp.string(Date()),
                "strategy": ["name": "sma_cross", "params": ["fast": 5, "slow": 20]], "fee": 0.001, "cash": 1000,
            ])
            #expect(fetched.status == 200, "\(fetched.body.prefix(300))")
            let candles = try #require(fetched.json?["candles"] as? Int)
            #expect(candles > 300 && candles <= 360, "6 hours of closed 1-minute candles: \(candles)")
            #expect((fetched.json?["metrics"] as? [String: Any])?["trades"] is Int)

            // The committed reference file, uploaded: the contract's numbers.
            let folder = TestPaths.packageRoot + "/Tests/CommonTests/Fixtures/backtest"
            let csv = try String(contentsOfFile: folder + "/candles.csv", encoding: .utf8)
            let boundary = "ctp-test-boundary"
            var body = ""
            for (name, value) in [("symbol", "BTCUSDT"), ("interval", "5m"), ("strategy", #"{"name":"sma_cross","params":{"fast":5,"slow":13}}"#), ("fee", "0.001"), ("cash", "10000")] {
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"candles\"; filename=\"candles.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
            var request = HTTP.Request(url: web.base + "/api/v1/backtests", method: .POST)
            request.headers = [("Cookie", web.cookieHeader), ("X-CSRF-Token", web.csrf ?? ""), ("Content-Type", "multipart/form-data; boundary=\(boundary)")]
            request.body = body
            let uploaded = try await HTTP.execute(request)
            #expect(uploaded.status == 200, "\(uploaded.body.prefix(300))")
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))) as! [String: Any]
            let want = (expected["metrics"] as! [String: Any])["total_return"] as! Double
            let got = try #require((uploaded.json?["metrics"] as? [String: Any])?["total_return"] as? Double)
            #expect(abs(got - want) < 1e-9)

            // Bad input: 4xx naming the problem.
            let noSymbol = try await web.send(.POST, "/api/v1/backtests", json: ["interval": "1m"])
            #expect(noSymbol.status == 400 && noSymbol.body.contains("symbol"))
            let badStrategy = try await web.send(.POST, "/api/v1/backtests", json: ["symbol": "BTCUSDT", "strategy": ["name": "sma_cross", "params": ["fast": 30, "slow": 5]]])
            #expect(badStrategy.status == 422 && badStrategy.body.contains("fast must be smaller"))
            let unknown = try await web.send(.POST, "/api/v1/backtests", json: ["symbol": "NOPEUSDT", "interval": "1h"])
            #expect(unknown.status == 422, "\(unknown.body)")

            // The page: a form, and the result with the equity curve drawn as SVG.
            let page = try await web.get("/backtest")
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: page.body))
            let run = try await web.send(.POST, "/backtest", form: ["csrf_token": csrf, "symbol": "ETHUSDT", "interval": "1m", "start": start, "strategy": "sma_cross", "fast": "5", "slow": "20", "fee": "0.001", "cash": "1000"])
            #expect(run.status == 200 && run.body.contains("Total return") && run.body.contains("<svg id=\"equity\""), "\(run.body.suffix(500))")
        }
    }

    @Test func gridAndDCABotsRunThroughTheSameEngineAsLive() async throws {
        try await AccountTests.withSystem("bot-backtests") { supervisor, web in
            try await web.signUp("grids", AccountTests.password)
            try await web.logIn("grids", AccountTests.password)
            // The committed reference file (28,000–31,800), uploaded, as a grid.
            let folder = TestPaths.packageRoot + "/Tests/CommonTests/Fixtures/backtest"
            let csv = try String(contentsOfFile: folder + "/candles.csv", encoding: .utf8)
            func upload(_ strategy: String) async throws -> HTTP.Answer {
                let boundary = "ctp-test-boundary"
                var body = ""
                for (name, value) in [("symbol", "BTCUSDT"), ("interval", "5m"), ("strategy", strategy), ("fee", "0.001"), ("cash", "10000")] {
                    body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
                }
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"candles\"; filename=\"candles.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
                var request = HTTP.Request(url: web.base + "/api/v1/backtests", method: .POST)
                request.headers = [("Cookie", web.cookieHeader), ("X-CSRF-Token", web.csrf ?? ""), ("Content-Type", "multipart/form-data; boundary=\(boundary)")]
                request.body = body
                return try await HTTP.execute(request)
            }
            let grid = try await upload(#"{"name":"grid","params":{"lower":28000,"upper":32000,"levels":11,"investment":1000}}"#)
            #expect(grid.status == 200, "\(grid.body.prefix(300))")
            #expect(grid.json?["strategy"] as? String == "grid")
            let summary = try #require(grid.json?["grid"] as? [String: Any])
            let cycles = try #require(summary["cycles"] as? Int)
            #expect(cycles > 0)
            #expect((summary["levels"] as? [Double])?.count == 11)
            let fills = try #require(summary["fills"] as? [[String: Any]])
            #expect(fills.allSatisfy { ($0["side"] as? String == "BUY") == ($0["level"] as? Int == $0["cell"] as? Int) })
            #expect((grid.json?["metrics"] as? [String: Any])?["trades"] as? Int == cycles)
            // Refused with the live bot's reasons, on the exchange's filters for the symbol.
            let thin = try await upload(#"{"name":"grid","params":{"lower":28000,"upper":32000,"levels":101}}"#)
            #expect(thin.status == 422 && thin.body.contains("twice the fee"), "\(thin.body.prefix(300))")
            let noRange = try await upload(#"{"name":"grid","params":{"levels":11}}"#)
            #expect(noRange.status == 400 && noRange.body.contains("strategy.params.lower"), "\(noRange.body.prefix(300))")
            let stray = try await upload(#"{"name":"grid","params":{"lower":28000,"upper":32000,"levels":11,"fast":9}}"#)
            #expect(stray.status == 400 && stray.body.contains("strategy.params.fast is not a grid parameter"), "\(stray.body.prefix(300))")

            // DCA on the exchange's own candles.
            let start = Timestamp.string(Date().addingTimeInterval(-6 * 3600))
            let dca = try await web.send(.POST, "/api/v1/backtests", json: [
                "symbol": "BTCUSDT", "interval": "1m", "start": start, "end": Timestamp.string(Date()),
                "strategy": ["name": "dca", "params": ["base_order": 100, "take_profit": 0.5, "safety_orders": 2, "deviation": 0.5]], "fee": 0.001,
            ])
            #expect(dca.status == 200, "\(dca.body.prefix(300))")
            let deals = try #require((dca.json?["dca"] as? [String: Any])?["deals"] as? [[String: Any]])
            #expect(!deals.isEmpty)
            #expect(deals.first?["entry"] is Double)

            // The page: both bots' fields, and a DCA bot's deals.
            let page = try await web.get("/backtest")
            #expect(page.body.contains("id=\"grid-params\"") && page.body.contains("id=\"dca-params\""))
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: page.body))
            let run = try await web.send(.POST, "/backtest", form: [
                "csrf_token": csrf, "symbol": "BTCUSDT", "interval": "1m", "start": start, "strategy": "dca", "dca_base_order": "100",
                "dca_take_profit": "0.5", "dca_safety_orders": "2", "dca_deviation": "0.5", "fee": "0.001",
            ])
            #expect(run.status == 200 && run.body.contains("id=\"dca-deals\""), "\(run.body.suffix(500))")
            let refused = try await web.send(.POST, "/backtest", form: [
                "csrf_token": csrf, "symbol": "BTCUSDT", "interval": "1m", "start": start, "strategy": "grid", "grid_lower": "1", "grid_upper": "2",
                "grid_levels": "10",
            ])
            #expect(refused.status == 422 && refused.body.contains("role=\"alert\""), "\(refused.body.prefix(500))")
        }
    }
}
