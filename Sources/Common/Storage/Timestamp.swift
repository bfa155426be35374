import Foundation

/// Times as stored and shown: ISO-8601 UTC with milliseconds (`2026-11-25T01:02:03.456Z`),
/// which sort as text.
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        let totalMs = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(totalMs >= 0 ? totalMs / 1000 : (totalMs - 999) / 1000)
        let ms = Int(totalMs - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        // Outside 0…9999 the fixed width does not hold: `String(format:)` says what it says.
        guard (0...9999).contains(year) else {
            return String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
                Int(parts.tm_min), Int(parts.tm_sec), ms
            )
        }
        // Digit by digit: `String(format:)` cost microseconds, and every stored or shown time comes through here.
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 24)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var value = value
            for index in stride(from: at + width - 1, through: at, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, 0, 4)
        bytes[4] = UInt8(ascii: "-")
        put(Int(parts.tm_mon) + 1, 5, 2)
        bytes[7] = UInt8(ascii: "-")
        put(Int(parts.tm_mday), 8, 2)
        bytes[10] = UInt8(ascii: "T")
        put(Int(parts.tm_hour), 11, 2)
        bytes[13] = UInt8(ascii: ":")
        put(Int(parts.tm_min), 14, 2)
        bytes[16] = UInt8(ascii: ":")
        put(Int(parts.tm_sec), 17, 2)
        bytes[19] = UInt8(ascii: ".")
        put(ms, 20, 3)
        bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func date(_ text: String) -> Date? {
        // YYYY-MM-DDTHH:MM:SS(.fff)Z
        let scalars = Array(text.utf8)
        guard scalars.count >= 20, scalars.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: scalars[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var fraction = 0.0
        if scalars.count > 20, scalars[19] == UInt8(ascii: ".") {
            guard let value = Double("0" + String(decoding: scalars[19..<(scalars.count - 1)], as: UTF8.self)) else { return nil }
            fraction = value
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }
}
