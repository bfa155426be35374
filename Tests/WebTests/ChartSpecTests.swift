import Foundation
import Testing

@testable import Web

/// The Chart.js specifications the pages embed: typed, valid JSON, safe inside `<script>`.
@Suite struct ChartSpecTests {
    static func spec(_ figure: [String: Any]) throws -> [String: Any] {
        let json = try #require(figure["json"] as? String)
        #expect(!json.contains("<"))
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func aLineChartHasItsLabelsValuesAndOptions() throws {
        let figure = Charts.line(id: "equity", caption: "c", labels: ["09:00", "</script>"], values: [1.5, 2], seriesLabel: "USDT")
        let spec = try Self.spec(figure)
        #expect(spec["type"] as? String == "line")
        let data = try #require(spec["data"] as? [String: Any])
        #expect(data["labels"] as? [String] == ["09:00", "</script>"])
        let dataset = try #require((data["datasets"] as? [[String: Any]])?.first)
        #expect(dataset["data"] as? [Double] == [1.5, 2])
        #expect(dataset["label"] as? String == "USDT")
        // Absent options are left out, not null.
        #expect(dataset["rotation"] == nil)
        let options = try #require(spec["options"] as? [String: Any])
        #expect(options["animation"] as? Bool == false)
        #expect(options["maintainAspectRatio"] as? Bool == false)
    }

    @Test func candlesAreRangesAndSignalsArePointsWithGaps() throws {
        let candles = [
            Charts.Candle(label: "a", open: 10, high: 12, low: 9, close: 11), Charts.Candle(label: "b", open: 11, high: 11.5, low: 8, close: 9),
        ]
        let spec = try Self.spec(Charts.candles(id: "k", caption: "c", candles: candles, buys: [0], sells: [1]))
        let datasets = try #require((spec["data"] as? [String: Any])?["datasets"] as? [[String: Any]])
        #expect(datasets.count == 4)
        #expect(datasets[0]["data"] as? [[Double]] == [[9, 12], [8, 11.5]])
        #expect(datasets[1]["data"] as? [[Double]] == [[10, 11], [9, 11]])
        #expect(datasets[1]["backgroundColor"] as? [String] == ["#16a34a", "#dc2626"])
        let buys = try #require(datasets[2]["data"] as? [Any])
        #expect(buys.first as? Double == 9 && buys.last is NSNull)
        let sells = try #require(datasets[3]["data"] as? [Any])
        #expect(sells.first is NSNull && sells.last as? Double == 11.5)
        #expect(datasets[3]["rotation"] as? Double == 180)
        let y = try #require(((spec["options"] as? [String: Any])?["scales"] as? [String: Any])?["y"] as? [String: Any])
        #expect(y["beginAtZero"] as? Bool == false)
    }
}
