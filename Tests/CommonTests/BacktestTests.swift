import Common
import Foundation
import Testing

/// `sma_cross` exactly as CONTRACT §7, against a plain-Python implementation of the contract
/// run once on a committed CSV (Fixtures/backtest/make_reference.py).
@Suite struct BacktestTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/backtest")

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }

    @Test func smaCrossMatchesTheReferenceOnTheCommittedCandles() throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("expected.json"))) as! [String: Any]
        let candles = try KlineCSV.read(path: Self.folder.appendingPathComponent("candles.csv").path)
        #expect(candles.count == 864)
        let result = Backtest(fee: expected["fee"] as! Double, cash: expected["cash"] as! Double)
            .run(candles, strategy: SMACross(fast: expected["fast"] as! Int, slow: expected["slow"] as! Int))
        let metrics = expected["metrics"] as! [String: Any]
        // The CLI's JSON (`worker backtest --json`), as a client reads it.
        let object = try JSONSerialization.jsonObject(with: Data(result.jsonText(symbol: "BTCUSDT").utf8)) as! [String: Any]
        let json = object["metrics"] as! [String: Any]
        for key in ["total_return", "buy_and_hold_return", "max_drawdown", "sharpe", "sortino", "win_rate", "profit_factor"] {
            let want = try #require(metrics[key] as? Double, "\(key)")
            let got = try #require(json[key] as? Double, "\(key)")
            #expect(Self.close(got, want), "\(key): \(got) vs \(want)")
        }
        #expect(result.metrics.trades == metrics["trades"] as? Int)
        let trades = expected["trades"] as! [[String: Any]]
        #expect(result.trades.count == trades.count)
        let ours = object["trades"] as! [[String: Any]]
        for (mine, theirs) in zip(ours, trades) {
            #expect(mine["entry_time"] as? String == theirs["entry_time"] as? String)
            #expect(mine["exit_time"] as? String == theirs["exit_time"] as? String)
            for key in ["entry_price", "exit_price", "qty", "pnl"] {
                #expect(Self.close(mine[key] as! Double, theirs[key] as! Double), "\(key)")
            }
        }
        let equity = expected["equity"] as! [Double]
        #expect(result.equity.count == candles.count)
        #expect(zip(result.equity, equity).allSatisfy { Self.close($0, $1) })
    }

    @Test func microsecondTimesAndAHeaderReadTheSame() throws {
        let ms = try KlineCSV.read(path: Self.folder.appendingPathComponent("candles.csv").path)
        let us = try KlineCSV.read(path: Self.folder.appendingPathComponent("candles_us.csv").path)
        #expect(ms.map(\.openTime) == us.map(\.openTime))
        #expect(ms.map(\.close) == us.map(\.close))
    }

    @Test func badFilesAreRefusedWithTheLine() {
        #expect(throws: KlineCSV.Failure(line: 2, reason: "field 5 is not a number")) {
            try KlineCSV.parse(Data("1,2,3,1,2,5,60000\n60000,2,3,1,x,5,119999\n".utf8))
        }
        #expect(throws: KlineCSV.Failure(line: 0, reason: "the file holds no klines")) { try KlineCSV.parse(Data("open_time,open\n".utf8)) }
        #expect { try KlineCSV.parse(Data("60000,2,3,1,2,5,119999\n1,2,3,1,2,5,59999\n".utf8)) } throws: { "\($0)".contains("must increase") }
        #expect { try KlineCSV.parse(Data("1,2,3\n".utf8)) } throws: { "\($0)".contains("at least 7 fields") }
    }

    @Test func noLookahead_appendingFutureCandlesNeverChangesAPastSignal() throws {
        let candles = try KlineCSV.read(path: Self.folder.appendingPathComponent("candles.csv").path)
        func signals(_ count: Int) -> [StrategySignal] {
            var strategy = SMACross(fast: 5, slow: 13)
            return candles.prefix(count).map { strategy.onClose($0) }
        }
        let all = signals(candles.count)
        for cut in [20, 100, 433, 800] { #expect(Array(all.prefix(cut)) == signals(cut)) }
    }
}

@Suite struct MLStrategyTests {
    static func candles() throws -> [StrategyCandle] {
        try KlineCSV.read(path: BacktestTests.folder.appendingPathComponent("candles.csv").path)
    }

    static func small() throws -> MLStrategy.Settings {
        try MLStrategy.Settings(params: ["training_window": 400, "retrain_every": 50, "trees": 10, "depth": 4, "horizon": 6])
    }

    /// Appending future candles never changes a past signal: the strategy only learns from
    /// samples whose outcome has closed.
    @Test func noLookahead() throws {
        let candles = try Self.candles()
        let settings = try Self.small()
        func signals(_ count: Int) -> [StrategySignal] {
            var strategy = MLStrategy(settings: settings)
            return candles.prefix(count).map { strategy.onClose($0) }
        }
        let all = signals(candles.count)
        #expect(all.contains { $0 != .hold }, "the model trades at all on these candles")
        for cut in [350, 500, 700] { #expect(Array(all.prefix(cut)) == signals(cut), "cut at \(cut)") }
    }

    @Test func theRecordIsOutOfSampleAndReproducible() throws {
        let candles = try Self.candles()
        var a = MLStrategy(settings: try Self.small())
        var b = MLStrategy(settings: try Self.small())
        for candle in candles {
            #expect(a.onClose(candle) == b.onClose(candle))
        }
        let insight = a.insight
        #expect(insight.trainedAt != nil && insight.importances.count == MLStrategy.featureNames.count)
        #expect(abs(insight.importances.reduce(0, +) - 1) < 1e-9)
        let accuracy = try #require(insight.accuracy)
        #expect((0...1).contains(accuracy))
        #expect(throws: SettingsError.self) { try MLStrategy.Settings(params: ["trees": 0]) }
        #expect(throws: SettingsError.self) { try MLStrategy.Settings(params: ["lookahead": 1]) }
    }

    @Test func theBacktesterRunsTheSameStrategy() throws {
        let candles = try Self.candles()
        let result = Backtest().run(candles, strategy: MLStrategy(settings: try Self.small()))
        #expect(result.equity.count == candles.count)
        #expect(result.metrics.maxDrawdown >= 0)
    }
}

@Suite struct BacktestOptionTests {
    /// SMA 1/2 on closes 10, 9, 11, 12, 8, 8 (each open the previous close): a cross above at
    /// t2 buys at t3's open (11), a cross below at t4 sells at t5's open (8).
    @Test func slippageAndLotSizeAreAppliedAtTheFills() {
        let closes: [Double] = [10, 9, 11, 12, 8, 8]
        let opens: [Double] = [10, 10, 9, 11, 12, 8]
        let day: Int64 = 86_400_000
        let candles = closes.indices.map { i in
            StrategyCandle(openTime: Int64(i) * day, open: opens[i], high: max(opens[i], closes[i]), low: min(opens[i], closes[i]), close: closes[i], volume: 1, closeTime: Int64(i + 1) * day - 1)
        }
        let result = Backtest(fee: 0.001, cash: 1_000, slippage: 0.01, lotSize: 0.5).run(candles, strategy: SMACross(fast: 1, slow: 2))
        let buyPrice = 11 * 1.01
        let qty = ((1_000 / (buyPrice * 1.001)) / 0.5).rounded(.down) * 0.5
        let spent = qty * buyPrice * 1.001
        let proceeds = qty * 8 * 0.99 * 0.999
        #expect(qty == 89.5)
        #expect(result.trades.count == 1)
        #expect(abs(result.trades[0].pnl - (proceeds - spent)) < 1e-9)
        #expect(abs(result.equity.last! - (1_000 - spent + proceeds)) < 1e-9)
        #expect(abs(result.metrics.exposure - 2.0 / 6.0) < 1e-12, "a position during candles 3 and 4")
        #expect(result.metrics.expectancy.map { abs($0 - (proceeds - spent)) < 1e-9 } == true)
        #expect(result.metrics.cagr != nil && result.metrics.maxDrawdownDuration > 0)
        #expect(result.tradesCSV().hasPrefix("entry_time,exit_time,entry_price,exit_price,qty,pnl\n1970-01-04T00:00:00.000Z,1970-01-06T00:00:00.000Z,"))
        #expect(result.equityCSV(candles).split(separator: "\n").count == 7)
    }
}
