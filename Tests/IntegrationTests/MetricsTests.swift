import Common
import Foundation
import Testing

/// `/metrics` (issue: operations): Prometheus text through swift-prometheus; the figures move when
/// the bot trades and when the exchange fails.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MetricsTests {
    /// `name{labels} value` lines, by `name{labels}`.
    static func scrape(_ port: Int) async throws -> [String: Double] {
        let answer = try await HTTP.get("http://127.0.0.1:\(port)/metrics")
        #expect(answer.status == 200)
        var values: [String: Double] = [:]
        for line in answer.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    @Test func theMetricsMoveWhenTheBotTradesAndWhenTheExchangeFails() async throws {
        try await AccountTests.withSystem("metrics") { supervisor, web in
            let (user, _) = try await TradingTests.user(supervisor, web)
            let worker = ProcessStatus.workerName(user)
            let before = try await Self.scrape(supervisor.webPort)
            #expect(before["trader_orders_total"] == 0 && before["trader_fills_total"] == 0, "\(before)")

            #expect(try await web.send(.PUT, "/api/v1/settings", json: TradingTests.settings(symbols: ["BTCUSDT", "ETHUSDT"])).status == 200)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            var after: [String: Double] = [:]
            let traded = try await waitUntilAsync(.seconds(60)) {
                after = try await Self.scrape(supervisor.webPort)
                return (after["trader_fills_total"] ?? 0) >= 1
            }
            #expect(traded, "\(after)")
            #expect((after["trader_orders_total"] ?? 0) >= 1)
            #expect(after["trader_workers_alive"] == 1 && after["trader_workers{state=\"running\"}"] == 1, "\(after)")
            #expect(after["trader_process_restarts_total{process=\"\(worker)\"}"] == 0)
            #expect((after["trader_worker_heartbeat_age_seconds{process=\"\(worker)\"}"] ?? 99) < 5)
            #expect((after["trader_exchange_request_weight_used{process=\"\(worker)\"}"] ?? 0) > 0, "the simulator counts weight as Binance does")
            // The latency histogram of the requests just made, by route.
            #expect(after.keys.contains { $0.hasPrefix("http_server_request_duration_seconds_bucket{") && $0.contains("/api/v1/bot/start") }, "\(after.keys.sorted())")

            // Every exchange call fails for a while: the failures are counted by cause.
            _ = try await HTTP.post("http://127.0.0.1:\(supervisor.simPort)/sim/v1/faults", json: #"{"error_rate":1.0}"#)
            var failing: [String: Double] = [:]
            let counted = try await waitUntilAsync(.seconds(20)) {
                failing = try await Self.scrape(supervisor.webPort)
                return failing.contains { $0.key.hasPrefix("trader_exchange_errors_total{") && $0.key.contains(worker) && $0.value > 0 }
            }
            _ = try await HTTP.execute(.init(url: "http://127.0.0.1:\(supervisor.simPort)/sim/v1/faults", method: .DELETE))
            #expect(counted, "\(failing.filter { $0.key.contains("exchange") })")
        }
    }
}
