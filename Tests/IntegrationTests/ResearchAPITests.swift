import Common
import Foundation
import Testing

/// Optimisations in the background (`/api/v1/optimizations`, the "Optimise" tab) and the bias
/// check (`POST /api/v1/bias-checks`, the button on `/backtest`), on the simulator's candles.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ResearchAPITests {
    static func waitFor(_ web: WebClient, _ id: String, status: String, seconds: Double) async throws -> [String: Any]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let answer = try await web.get("/api/v1/optimizations/\(id)")
            if answer.json?["status"] as? String == status { return answer.json }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    @Test func optimisationsRunInTheBackgroundAreCancellableAndKept() async throws {
        try await AccountTests.withSystem("optimizations") { supervisor, web in
            try await web.signUp("tuner", AccountTests.password)
            try await web.logIn("tuner", AccountTests.password)
            let start = Timestamp.string(Date().addingTimeInterval(-10 * 3600))
            let source: [String: Any] = ["symbol": "BTCUSDT", "interval": "1m", "start": start, "end": Timestamp.string(Date())]

            // A walk-forward over a small space: every combination, judged window by window.
            let asked = try await web.send(.POST, "/api/v1/optimizations", json: source.merging([
                "strategy": "sma_cross", "space": ["fast": "2:10:2", "slow": "15:40:5"], "objective": "total_return", "min_trades": 0,
                "walk_forward": "250:100:3", "seed": 7,
            ]) { $1 })
            #expect(asked.status == 202, "\(asked.body.prefix(400))")
            let id = try #require(asked.json?["id"] as? String)
            #expect(asked.headers["Location"].first == "/api/v1/optimizations/\(id)")
            let done = try #require(try await Self.waitFor(web, id, status: "done", seconds: 60), "the optimisation finished")
            let report = try #require(done["report"] as? [String: Any])
            #expect(report["method"] as? String == "exhaustive")
            #expect((report["best"] as? [String: Any])?["parameters"] is [String: Any])
            let walk = try #require(report["walk_forward"] as? [String: Any])
            let windows = try #require(walk["windows"] as? [[String: Any]])
            #expect(windows.count == 3)
            #expect(windows.allSatisfy { $0["in_sample"] != nil && $0["out_of_sample"] != nil })
            #expect(((walk["stitched"] as? [String: Any])?["equity"] as? [Double])?.count == 300)
            #expect((report["heatmap"] as? [String: Any])?["x"] as? String == "fast")

            // The page shows it: the table, the heat map and the walk-forward side by side.
            let page = try await web.get("/backtest/optimize/\(id)")
            #expect(page.status == 200 && page.body.contains("id=\"optimization-table\"") && page.body.contains("class=\"heatmap\"") && page.body.contains("id=\"walk-forward\""))

            // A long one (the ml strategy, many sets): a second is refused while it runs; cancelled.
            let long = try await web.send(.POST, "/api/v1/optimizations", json: source.merging([
                "strategy": "ml", "space": ["training_window": "100:400", "horizon": "2:20"], "objective": "total_return", "trials": 2000,
                "params": ["trees": "40", "retrain_every": "10"],
            ]) { $1 })
            #expect(long.status == 202, "\(long.body.prefix(400))")
            let longID = try #require(long.json?["id"] as? String)
            let second = try await web.send(.POST, "/api/v1/optimizations", json: source.merging(["strategy": "sma_cross", "space": ["fast": "2:5"], "objective": "sharpe"]) { $1 })
            #expect(second.status == 409 && second.body.contains("optimization_running"), "\(second.body)")
            let running = try await web.get("/api/v1/optimizations/\(longID)")
            #expect(running.json?["status"] as? String == "running")
            #expect((running.json?["progress"] as? [String: Any])?["total"] as? Int == 2000)
            let cancelled = try await web.send(.POST, "/api/v1/optimizations/\(longID)/cancel", json: [:])
            #expect(cancelled.status == 202, "\(cancelled.body)")
            #expect(try await Self.waitFor(web, longID, status: "cancelled", seconds: 30) != nil, "cancelled within 30 s")
            let again = try await web.send(.POST, "/api/v1/optimizations/\(longID)/cancel", json: [:])
            #expect(again.status == 409)

            // Kept: both listed, newest first.
            let list = try await web.get("/api/v1/optimizations")
            let items = try #require(list.json?["optimizations"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == [longID, id])
            #expect(items.map { $0["status"] as? String } == ["cancelled", "done"])

            // Bad spaces: 422 naming the problem.
            for (space, words) in [(["fast": "9:3"], "the low end 9 is above the high end 3"), (["speed": "1:3"], "no parameter speed"), (["fast": "50:60", "slow": "10:20"], "fast < slow")] {
                let bad = try await web.send(.POST, "/api/v1/optimizations", json: source.merging(["strategy": "sma_cross", "space": space, "objective": "sharpe"]) { $1 })
                #expect(bad.status == 422 && bad.body.contains(words), "\(space): \(bad.body)")
            }
            let badObjective = try await web.send(.POST, "/api/v1/optimizations", json: source.merging(["strategy": "sma_cross", "space": ["fast": "2:5"], "objective": "luck"]) { $1 })
            #expect(badObjective.status == 422 && badObjective.body.contains("--objective must be one of"))

            // Someone else's is not found.
            let other = WebClient(port: supervisor.webPort)
            try await other.signUp("other", AccountTests.password)
            try await other.logIn("other", AccountTests.password)
            #expect(try await other.get("/api/v1/optimizations/\(id)").status == 404)
            #expect(try await other.send(.POST, "/api/v1/optimizations/\(longID)/cancel", json: [:]).status == 404)

            // The bias check: our strategy passes, by API and by the button on /backtest.
            let bias = try await web.send(.POST, "/api/v1/bias-checks", json: source.merging(["strategy": ["name": "sma_cross", "params": ["fast": 5, "slow": 20]], "cuts": 10]) { $1 })
            #expect(bias.status == 200 && bias.json?["passed"] as? Bool == true, "\(bias.body.prefix(400))")
            #expect((bias.json?["cuts"] as? [Int])?.count == 10)
            let form = try await web.get("/backtest")
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: form.body))
            #expect(form.body.contains("formaction=\"/backtest/bias-check\""))
            let checked = try await web.send(.POST, "/backtest/bias-check", form: ["csrf_token": csrf, "symbol": "BTCUSDT", "interval": "1m", "start": start, "strategy": "sma_cross", "fast": "5", "slow": "20", "fee": "0.001", "cash": "1000"])
            #expect(checked.status == 200 && checked.body.contains("id=\"bias-report\"") && checked.body.contains("no bias found"), "\(checked.body.suffix(600))")

            // The tab's form starts one and lands on its page.
            let tab = try await web.get("/backtest/optimize")
            #expect(tab.status == 200 && tab.body.contains("id=\"optimizations\""))
            let started = try await web.send(.POST, "/backtest/optimize", form: [
                "csrf_token": csrf, "symbol": "BTCUSDT", "interval": "1m", "start": start, "strategy": "sma_cross", "space": "fast=2:4\nslow=20:30:10",
                "objective": "total_return", "min_trades": "0", "trials": "50", "seed": "1", "fee": "0.001", "cash": "1000",
            ])
            #expect(started.status == 303, "\(started.body.suffix(400))")
        }
    }
}
