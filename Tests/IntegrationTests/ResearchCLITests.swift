import Foundation
import Testing

/// `worker optimize` and `worker bias-check` (issue 20) on the committed candles.
@Suite(.serialized) struct ResearchCLITests {
    static let candles = TestPaths.packageRoot + "/Tests/CommonTests/Fixtures/backtest/candles.csv"

    @Test func optimizeRepeatsWithItsSeedAndWritesTheHeatMap() throws {
        let heatmap = TestPaths.artifacts + "/optimize-heatmap.svg"
        let arguments = [
            "optimize", "--candles", Self.candles, "--symbol", "BTCUSDT", "--strategy", "sma_cross", "--space", "fast=2:30", "--space", "slow=10:120",
            "--objective", "total_return", "--min-trades", "2", "--walk-forward", "400:150:3", "--trials", "80", "--seed", "11", "--threads", "2",
            "--heatmap", heatmap, "--json",
        ]
        let (status, out, err) = try BacktestCLITests.run(arguments)
        #expect(status == 0, "\(err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        // Training windows of 400 candles are too short to halve (a rung needs 200).
        #expect(object["method"] as? String == "random")
        #expect((object["rungs"] as? [[String: Any]])?.map { $0["sets"] as? Int } == [80])
        let walk = try #require(object["walk_forward"] as? [String: Any])
        #expect((walk["windows"] as? [[String: Any]])?.count == 3)
        #expect(walk["overfitting_warning"] is Bool)
        #expect(err.contains("candle evaluations"), "throughput on stderr: \(err)")
        let svg = try String(contentsOfFile: heatmap, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<rect"))
        // The same seed: the same report, byte for byte; another seed: other sets.
        let (_, again, _) = try BacktestCLITests.run(arguments)
        #expect(again == out)
        let (_, other, _) = try BacktestCLITests.run(arguments.map { $0 == "11" ? "12" : $0 })
        #expect(other != out)
        // Over all 864 candles: 80 sets on the last 288, the best 27 on all of them.
        let whole = arguments.filter { !["--walk-forward", "400:150:3", "--heatmap", heatmap].contains($0) }
        let (_, halved, _) = try BacktestCLITests.run(whole)
        let search = try #require(try JSONSerialization.jsonObject(with: Data(halved.utf8)) as? [String: Any])
        #expect(search["method"] as? String == "random+halving")
        #expect((search["rungs"] as? [[String: Any]])?.map { $0["span"] as? Int } == [288, 864])
        #expect((search["rungs"] as? [[String: Any]])?.map { $0["sets"] as? Int } == [80, 27])
    }

    @Test func badSpacesAreRefusedWithAMessage() throws {
        for (space, words) in [("fast=30:2", "the low end 30 is above the high end 2"), ("fast=1:2:0", "the step must be above 0"), ("speed=1:5", "no parameter speed")] {
            let (status, _, err) = try BacktestCLITests.run([
                "optimize", "--candles", Self.candles, "--symbol", "BTCUSDT", "--strategy", "sma_cross", "--space", space, "--objective", "sharpe",
            ])
            #expect(status == 64 && err.contains(words), "\(space): \(status) \(err)")
        }
        let (status, _, err) = try BacktestCLITests.run([
            "optimize", "--candles", Self.candles, "--symbol", "BTCUSDT", "--strategy", "sma_cross", "--space", "fast=2:5", "--objective", "sharpe",
            "--walk-forward", "800:100:2",
        ])
        #expect(status == 64 && err.contains("needs 1000 candles"), "\(err)")
    }

    @Test func biasCheckPassesOurStrategies() throws {
        for (strategy, params) in [("sma_cross", ["fast=5", "slow=30"]), ("ml", ["training_window=300", "retrain_every=100", "trees=5", "depth=3"])] {
            let (status, out, err) = try BacktestCLITests.run(
                ["bias-check", "--candles", Self.candles, "--symbol", "BTCUSDT", "--strategy", strategy, "--cuts", "6", "--json"] + params.flatMap { ["--param", $0] })
            #expect(status == 0, "\(strategy): \(err) \(out)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            #expect(object["passed"] as? Bool == true && (object["cuts"] as? [Int])?.count == 6, "\(strategy)")
        }
        let (status, _, err) = try BacktestCLITests.run(["bias-check", "--candles", Self.candles, "--symbol", "BTCUSDT", "--strategy", "sma_cross", "--param", "fast=40", "--param", "slow=10"])
        #expect(status == 64 && err.contains("fast < slow"), "\(err)")
    }
}
