import ArgumentParser
import Common
import Foundation

/// Backtest and model figures (issue: signals and backtests), each beside its reference.
struct ModelsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "Backtest speed and random-forest training time.")

    @Option(help: "Folder of the executables to measure (release build).")
    var binDir: String
    @Option(help: "Python with numpy, pandas, scikit-learn and backtesting.py: the references, measured between our own timings.")
    var python: String?
    @Option(help: "Timings of each figure, ours and the reference's alternating.")
    var repeats: Int = 3

    /// One run of Tests/bench/references.py measuring `only`; its JSON.
    func measureReference(_ only: String) -> [String: Any] {
        guard let python else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["Tests/bench/references.py", "--only", only]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return ["error": "cannot run \(python)"] }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? ["error": "no JSON from references.py"]
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    func run() async throws {
        // 1,000,000 one-minute candles of a seeded walk.
        var random = UInt64(7)
        var price = 30_000.0
        var candles: [StrategyCandle] = []
        candles.reserveCapacity(1_000_000)
        var csv = ""
        csv.reserveCapacity(80_000_000)
        let start: Int64 = 1_600_000_000_000
        for i in 0..<1_000_000 {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            let open = price
            price *= 1 + (Double(random >> 11) / Double(1 << 53) - 0.5) * 0.004
            let t = start + Int64(i) * 60_000
            let high = max(open, price) * 1.0005
            let low = min(open, price) * 0.9995
            candles.append(StrategyCandle(openTime: t, open: open, high: high, low: low, close: price, volume: 10, closeTime: t + 59_999))
            csv += "\(t),\(String(format: "%.2f,%.2f,%.2f,%.2f", open, high, low, price)),10,\(t + 59_999),0,0,0,0,0\n"
        }
        let file = NSTemporaryDirectory() + "ctp-bench-1m.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }

        let clock = ContinuousClock()
        var simulations: [Double] = []
        var commands: [Double] = []
        var mls: [Double] = []
        var fits: [Double] = []
        var measured: [String: [Double]] = [:]
        var errors: [String: String] = [:]
        func keep(_ answer: [String: Any]) {
            for (key, value) in answer {
                if let number = (value as? NSNumber)?.doubleValue { measured[key, default: []].append(number) } else { errors[key] = "\(value)" }
            }
        }
        // Random forest: 50,000 rows × 10 features, 100 trees of depth 8.
        var rows: [[Double]] = []
        var labels: [Double] = []
        for _ in 0..<50_000 {
            var row: [Double] = []
            for _ in 0..<10 {
                random = random &* 6364136223846793005 &+ 1442695040888963407
                row.append(Double(random >> 11) / Double(1 << 53) * 2 - 1)
            }
            random = random &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(random >> 11) / Double(1 << 53) - 0.5
            labels.append(row[0] + 0.5 * row[1] * row[2] - row[3] + noise > 0 ? 1 : 0)
            rows.append(row)
        }
        var settings = RandomForest.Settings()
        settings.trees = 100
        settings.maxDepth = 8

        // A grid of 20 levels around the walk's start: 25,000–35,000 USDT, 10,000 USDT.
        let filters = SymbolFilters(
            symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: 0.01, maxPrice: 1_000_000, tickSize: Decimal(string: "0.01")!,
            minQty: Decimal(string: "0.00001")!, maxQty: 9_000, stepSize: Decimal(string: "0.00001")!, minNotional: 5
        )
        let gridParameters = GridParameters(symbol: "BTCUSDT", lowerPrice: 25_000, upperPrice: 35_000, levels: 20, spacing: .arithmetic, investment: 10_000)
        let gridPlan = try GridPlan.make(gridParameters, filters: filters, price: 30_000, makerFee: Decimal(string: "0.001")!, freeQuote: 10_000, allocation: nil).get()
        var grids: [Double] = []
        var gridCycles = 0
        // An sma_cross optimisation: 400 sets (fast 5–24 × slow 50–240 by 10), every one over all the candles.
        let research = ResearchContext(symbol: "BTCUSDT")
        let strategy = try ResearchStrategy.named("sma_cross", context: research)
        let ranges = try ["fast=5:24", "slow=50:240:10"].map { text throws(ResearchError) in try ParameterRange.parse(text, declared: strategy.parameters, strategy: "sma_cross") }
        let space = SearchSpace(ranges: ranges) { strategy.broken($0) == nil }
        func optimise(threads: Int) throws -> (Double, Int) {
            let optimizer = Optimizer(strategy: strategy, space: space, objective: .sharpe, trials: 400, parallel: Parallel(threads: threads))
            let control = OptimizationControl()
            let elapsed = try clock.measure { _ = try optimizer.search(candles, window: 0..<candles.count, control: control) }
            return (Double(control.progress.candles) / (SimBench.ms(elapsed) / 1000), control.progress.done)
        }
        var optimisations: [Double] = []
        var optimisedSets = 0

        // Ours and the reference's, alternating, so that the machine's drift falls on both.
        for _ in 0..<max(1, repeats) {
            grids.append(1_000_000 / SimBench.ms(clock.measure { gridCycles = GridBacktest().run(plan: gridPlan, candles: candles).cycles.count }) * 1_000)
            let (rate, sets) = try optimise(threads: ProcessInfo.processInfo.activeProcessorCount)
            optimisations.append(rate)
            optimisedSets = sets
            simulations.append(1_000_000 / SimBench.ms(clock.measure { _ = Backtest().run(candles, strategy: SMACross(fast: 10, slow: 30)) }) * 1_000)
            keep(measureReference("numpy,backtesting"))
            commands.append(SimBench.ms(clock.measure {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binDir + "/worker")
                process.arguments = ["backtest", "--candles", file, "--symbol", "BTCUSDT", "--strategy", "sma_cross", "--param", "fast=10", "--param", "slow=30", "--json"]
                process.standardOutput = FileHandle.nullDevice
                try? process.run()
                process.waitUntilExit()
            }) / 1000)
            mls.append(SimBench.ms(clock.measure { _ = Backtest().run(Array(candles.prefix(100_000)), strategy: MLStrategy()) }) / 1000)
            fits.append(SimBench.ms(clock.measure { _ = RandomForest.fit(rows, labels, settings: settings) }) / 1000)
            keep(measureReference("sklearn"))
        }
        func reference(_ key: String, _ format: String, _ scale: Double, _ fallback: String) -> String {
            guard let value = Self.median(measured[key] ?? []) else {
                let why = python == nil ? "not measured: run make bench" : errors.first { $0.key.hasSuffix("error") && key.hasPrefix($0.key.components(separatedBy: "_").first ?? "") }?.value ?? "not measured"
                return fallback + " (\(why))"
            }
            return String(format: format, value * scale)
        }
        let simulation = Self.median(simulations) ?? 0
        // The same 400 backtests on one core, once: what the search would take without the second;
        // and freqtrade's hyperopt on the same candles and space, a few epochs (each a backtest).
        let (single, _) = try optimise(threads: 1)
        let freqtrade = try hyperopt(file)
        let optimisation = Self.median(optimisations) ?? 0
        let backtestingPy = reference("backtesting_py_candles_per_second", "backtesting.py %.2f million/s", 1e-6, "backtesting.py")
        let numpy = reference("numpy_candles_per_second", "numpy vectorised %.1f million/s", 1e-6, "numpy")
        let sklearn = reference("sklearn_forest_seconds", "scikit-learn %.2f s (n_jobs=-1)", 1, "scikit-learn")
        let figures: [(String, String, String, String)] = [
            ("sma_cross over 1,000,000 1-minute candles: simulation", String(format: "%.1f million candles/s", simulation / 1e6), "≥ 20 million/s",
             "\(backtestingPy), \(numpy) (measured now)"),
            ("grid (20 levels, 25,000–35,000) over the same 1,000,000 candles: simulation (\(gridCycles) cycles)",
             String(format: "%.1f million candles/s", (Self.median(grids) ?? 0) / 1e6), "≥ 10 million/s", "—"),
            ("sma_cross optimisation, \(optimisedSets) sets × 1,000,000 candles, \(ProcessInfo.processInfo.activeProcessorCount) cores: candle evaluations",
             String(format: "%.1f million/s (%.1f s)", optimisation / 1e6, optimisation > 0 ? 400e6 / optimisation : 0), "≥ 30 million/s",
             String(format: "one core: %.1f million/s (%.1f s); ", single / 1e6, single > 0 ? 400e6 / single : 0) + freqtrade),
            ("the whole command, reading the 1,000,000-line CSV", String(format: "%.2f s", Self.median(commands) ?? 0), "< 1 s", "—"),
            ("ml backtest, walk-forward, 100,000 candles (window 5000, retrain every 1000, 50 trees of depth 6)", String(format: "%.2f s", Self.median(mls) ?? 0), "< 10 s", "—"),
            ("random forest fit, 50,000 × 10, 100 trees of depth 8", String(format: "%.2f s", Self.median(fits) ?? 0), "< 4 s", "\(sklearn) (measured now)"),
        ]
        print(Report.table(figures))
        try Report.save(figures, name: "models")
    }

    /// freqtrade's hyperopt (Tests/bench/freqtrade_hyperopt.py, one job: with two its worker pool
    /// hung after the last epoch here) over the same CSV, its
    /// markets from our simulator; its figure in words, or why there is none.
    func hyperopt(_ file: String) throws -> String {
        guard let python else { return "freqtrade hyperopt: not measured (run make bench)" }
        let root = NSTemporaryDirectory() + "ctp-hyperopt-\(UUID().uuidString.prefix(6))"
        let (simulator, port) = try SimBench.simulator(binDir: binDir, dataDir: root + "/sim")
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
            try? FileManager.default.removeItem(atPath: root)
        }
        Thread.sleep(forTimeInterval: 2)
        let epochs = 8
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "Tests/bench/freqtrade_hyperopt.py", "--candles", file, "--exchange", "http://127.0.0.1:\(port)", "--epochs", String(epochs), "--jobs", "1",
            "--workdir", root,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let answer = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        guard let perEpoch = (answer["freqtrade_seconds_per_epoch"] as? NSNumber)?.doubleValue, perEpoch > 0 else {
            return "freqtrade hyperopt: not measured (\(answer["freqtrade_error"] ?? "no answer"))"
        }
        return String(
            format: "freqtrade hyperopt (1 job): %.1f s per epoch over %d epochs, %.2f million candle evaluations/s, so ≈ %.0f min for 400 (measured now)", perEpoch,
            epochs, 1e6 / perEpoch / 1e6, perEpoch * 400 / 60)
    }
}
