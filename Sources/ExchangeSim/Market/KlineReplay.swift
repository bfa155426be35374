import Common
import Foundation

/// A data.binance.vision kline file (`BTCUSDT-1m-2024-01.csv`, with or without a header; open
/// times in ms, or µs as newer files have) whose closes a symbol's price replays, one row per
/// second, from the first row again at the end.
struct KlineReplay: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let symbol: String
    let closes: [Decimal]

    static func load(_ path: String) throws -> KlineReplay {
        let name = (path as NSString).lastPathComponent
        let symbol = String(name.split(separator: "-").first ?? "")
        guard MarketCatalog.bySymbol[symbol] != nil else {
            throw Failure(description: "\(path): the file name must start with a symbol the simulator lists (e.g. BTCUSDT-1m-2024-01.csv), not \"\(symbol)\"")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "\(path): cannot be read as UTF-8 text")
        }
        var closes: [Decimal] = []
        var lastOpen: Int64 = .min
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if index == 0, Int64(fields.first ?? "") == nil { continue }  // the header
            guard fields.count >= 6 else { throw Failure(description: "\(path) line \(index + 1): expected at least 6 comma-separated fields, got \(fields.count)") }
            guard var openTime = Int64(fields[0]) else { throw Failure(description: "\(path) line \(index + 1): open time \"\(fields[0])\" is not a whole number") }
            if fields[0].count >= 16 { openTime /= 1_000 }
            guard openTime > lastOpen else { throw Failure(description: "\(path) line \(index + 1): open times must increase") }
            lastOpen = openTime
            guard let close = DecimalText.parse(fields[4]), close > 0 else {
                throw Failure(description: "\(path) line \(index + 1): close \"\(fields[4])\" is not a positive decimal")
            }
            closes.append(close)
        }
        guard !closes.isEmpty else { throw Failure(description: "\(path): no kline rows") }
        return KlineReplay(symbol: symbol, closes: closes)
    }
}
