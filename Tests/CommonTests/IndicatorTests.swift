import Common
import Foundation
import Testing

/// The indicators against pandas (Fixtures/indicators/make_reference.py, run once), and the
/// incremental forms against the batch ones.
@Suite struct IndicatorTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func expect(_ name: String, _ ours: [Double], _ reference: [String: [Double?]], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let theirs = reference[name] else {
            Issue.record("no reference for \(name)", sourceLocation: sourceLocation)
            return
        }
        #expect(ours.count == theirs.count, "\(name)", sourceLocation: sourceLocation)
        var mismatches: [String] = []
        for (index, (a, b)) in zip(ours, theirs).enumerated() {
            switch b {
            case nil where !a.isNaN: mismatches.append("\(index): \(a) where pandas has none")
            case let value? where a.isNaN || abs(a - value) > 1e-9 * max(1, abs(value)): mismatches.append("\(index): \(a) vs \(value)")
            default: break
            }
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.prefix(5))", sourceLocation: sourceLocation)
    }

    @Test func everyIndicatorMatchesPandas() throws {
        let candles = try KlineCSV.read(path: Self.folder.appendingPathComponent("backtest/candles.csv").path)
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("indicators/expected.json"))) as! [String: [Any]]
        let reference = raw.mapValues { $0.map { $0 as? Double } }
        let close = candles.map(\.close)
        Self.expect("sma_20", Indicators.sma(close, 20), reference)
        Self.expect("ema_12", Indicators.ema(close, 12), reference)
        Self.expect("rsi_14", Indicators.rsi(close, 14), reference)
        let macd = Indicators.macd(close)
        Self.expect("macd", macd.map(\.macd), reference)
        Self.expect("macd_signal", macd.map(\.signal), reference)
        Self.expect("macd_histogram", macd.map(\.histogram), reference)
        let bands = Indicators.bollinger(close, 20, k: 2)
        Self.expect("bollinger_lower", bands.map(\.lower), reference)
        Self.expect("bollinger_middle", bands.map(\.middle), reference)
        Self.expect("bollinger_upper", bands.map(\.upper), reference)
        Self.expect("atr_14", Indicators.atr(candles, 14), reference)
        Self.expect("returns", Indicators.returns(close), reference)
        Self.expect("volatility_20", Indicators.volatility(close, 20), reference)
        Self.expect("volume_z_20", Indicators.volumeZScore(candles.map(\.volume), 20), reference)
    }

    @Test func incrementalAndBatchFormsAgreeOverALongRun() {
        // 200,000 steps of a walk: the window sums must not drift from a fresh computation.
        var x = 100.0
        var series: [Double] = []
        var state: UInt64 = 42
        for _ in 0..<200_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            x *= 1 + (Double(state >> 11) / Double(1 << 53) - 0.5) * 0.01
            series.append(x)
        }
        let batch = Indicators.sma(series, 50)
        var incremental = Indicators.SMA(50)
        for (index, value) in series.enumerated() {
            let got = incremental.next(value)
            if index >= 49 { #expect(got == batch[index]) }
        }
        let fresh = series.suffix(50).reduce(0, +) / 50
        #expect(abs(batch.last! - fresh) <= 1e-12 * fresh)
        let std = Indicators.Bollinger(50, k: 1)
        var bands = std
        var last = (lower: 0.0, middle: 0.0, upper: 0.0)
        for value in series { last = bands.next(value) }
        let mean = series.suffix(50).reduce(0, +) / 50
        let deviation = (series.suffix(50).reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 50).squareRoot()
        #expect(abs((last.upper - last.middle) - deviation) <= 1e-9 * max(1, deviation))
    }
}
