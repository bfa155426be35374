import Foundation

/// Binance kline CSV files (data.binance.vision layout: open time, open, high, low, close,
/// volume, close time, …), with or without a header, open times in milliseconds or, as newer
/// files have, microseconds (16 digits). Read byte by byte: a million lines in well under a second.
public enum KlineCSV {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let reason: String
        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
        public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
    }

    public static func read(path: String) throws(Failure) -> [StrategyCandle] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(line: 0, reason: "cannot read \(path)") }
        return try parse(data)
    }

    public static func parse(_ data: Data) throws(Failure) -> [StrategyCandle] {
        var candles: [StrategyCandle] = []
        candles.reserveCapacity(data.count / 90)
        let bytes = [UInt8](data)
        var lineNumber = 0
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count, bytes[end] != 10 { end += 1 }
            lineNumber += 1
            var stop = end
            if stop > start, bytes[stop - 1] == 13 { stop -= 1 }
            if stop > start {
                if let candle = try parseLine(bytes, start, stop, lineNumber) {
                    if let last = candles.last, candle.openTime <= last.openTime {
                        throw Failure(line: lineNumber, reason: "open times must increase (\(candle.openTime) after \(last.openTime))")
                    }
                    candles.append(candle)
                } else if !candles.isEmpty || lineNumber > 1 {
                    throw Failure(line: lineNumber, reason: "not a kline row (open time, open, high, low, close, volume, close time, …)")
                }
            }
            start = end + 1
        }
        guard !candles.isEmpty else { throw Failure(line: 0, reason: "the file holds no klines") }
        return candles
    }

    /// One row; nil for a header line (its first field is not a number).
    static func parseLine(_ b: [UInt8], _ start: Int, _ stop: Int, _ line: Int) throws(Failure) -> StrategyCandle? {
        var fields: [(Int, Int)] = []
        fields.reserveCapacity(12)
        var fieldStart = start
        for i in start..<stop where b[i] == 44 {
            fields.append((fieldStart, i))
            fieldStart = i + 1
            if fields.count == 7 { break }
        }
        if fields.count < 7 { fields.append((fieldStart, stop)) }
        guard let first = fields.first, first.1 > first.0, (48...57).contains(b[first.0]) else { return nil }
        guard fields.count >= 7 else { throw Failure(line: line, reason: "expected at least 7 fields, found \(fields.count)") }
        guard var open = integer(b, fields[0]), var close = integer(b, fields[6]) else {
            throw Failure(line: line, reason: "the open and close times must be whole numbers")
        }
        // Microseconds (16 digits and more) to milliseconds.
        if open >= 10_000_000_000_000 { open /= 1_000 }
        if close >= 10_000_000_000_000 { close /= 1_000 }
        var values = [Double](repeating: 0, count: 5)
        for k in 0..<5 {
            guard let value = double(b, fields[k + 1]), value.isFinite else {
                throw Failure(line: line, reason: "field \(k + 2) is not a number")
            }
            values[k] = value
        }
        guard values[0] > 0, values[1] > 0, values[2] > 0, values[3] > 0, values[4] >= 0 else {
            throw Failure(line: line, reason: "prices must be positive and the volume not negative")
        }
        return StrategyCandle(openTime: open, open: values[0], high: values[1], low: values[2], close: values[3], volume: values[4], closeTime: close)
    }

    static func integer(_ b: [UInt8], _ field: (Int, Int)) -> Int64? {
        guard field.1 > field.0, field.1 - field.0 <= 18 else { return nil }
        var value: Int64 = 0
        for i in field.0..<field.1 {
            let digit = b[i] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    /// A plain decimal (digits, one dot, an optional sign or exponent), as Binance writes prices.
    static func double(_ b: [UInt8], _ field: (Int, Int)) -> Double? {
        guard field.1 > field.0, field.1 - field.0 < 64 else { return nil }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var seenDot = false
        var i = field.0
        var negative = false
        if b[i] == 45 { negative = true; i += 1 } else if b[i] == 43 { i += 1 }
        var simple = true
        while i < field.1 {
            let c = b[i]
            if c == 46 {
                if seenDot { return nil }
                seenDot = true
            } else if c &- 48 < 10 {
                if digits < 18 {
                    mantissa = mantissa * 10 + UInt64(c &- 48)
                    if mantissa > 0 { digits += 1 }
                    if seenDot { scale += 1 }
                } else if !seenDot {
                    scale -= 1
                }
            } else {
                simple = false
                break
            }
            i += 1
        }
        if !simple || digits > 15 {
            // Exponents and long mantissas: the standard library rounds them exactly.
            return Double(String(decoding: b[field.0..<field.1], as: UTF8.self))
        }
        var value = Double(mantissa)
        if scale > 0 { value /= pow10(scale) } else if scale < 0 { value *= pow10(-scale) }
        return negative ? -value : value
    }

    static func pow10(_ n: Int) -> Double {
        let table: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18]
        return n < table.count ? table[n] : pow(10, Double(n))
    }
}
