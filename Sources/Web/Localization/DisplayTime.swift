import Foundation
import Synchronization

/// Times as the reader should see them: in their time zone, with its abbreviation.
enum DisplayTime {
    enum Style { case time, dateTime }

    /// Date and time in the reader's language (`format.datetime` of the catalog) and zone.
    static func text(_ date: Date, _ zone: TimeZone) -> String {
        format(date, zone, t("format.datetime")) + " " + abbreviation(zone, at: date)
    }

    static func short(_ date: Date, _ zone: TimeZone, range style: Style) -> String {
        format(date, zone, style == .time ? "HH:mm" : "MM-dd HH:mm")
    }

    /// `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss` of `pattern` replaced by the date's fields in `zone`;
    /// other characters kept. (The profile put the former Calendar, `String(format:)` and six
    /// `replacingOccurrences` at ~100 µs a call, a page shows a hundred times.)
    static func format(_ date: Date, _ zone: TimeZone, _ pattern: String) -> String {
        var seconds = time_t((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))).rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fields: [(token: String.UTF8View, value: Int, width: Int)] = [
            ("yyyy".utf8, Int(parts.tm_year) + 1900, 4), ("MM".utf8, Int(parts.tm_mon) + 1, 2), ("dd".utf8, Int(parts.tm_mday), 2),
            ("HH".utf8, Int(parts.tm_hour), 2), ("mm".utf8, Int(parts.tm_min), 2), ("ss".utf8, Int(parts.tm_sec), 2),
        ]
        let source = Array(pattern.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(source.count + 4)
        var index = 0
        scan: while index < source.count {
            for field in fields where source[index...].starts(with: field.token) {
                var digits: [UInt8] = []
                var value = max(0, field.value)
                repeat {
                    digits.append(UInt8(ascii: "0") + UInt8(value % 10))
                    value /= 10
                } while value > 0
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, field.width - digits.count)))
                out.append(contentsOf: digits.reversed())
                index += field.token.count
                continue scan
            }
            out.append(source[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The zone's abbreviation at `date`, kept per zone and offset (ICU takes tens of µs to say
    /// it, and a zone has one name per offset: standard and summer time).
    static func abbreviation(_ zone: TimeZone, at date: Date) -> String {
        let key = "\(zone.identifier) \(zone.secondsFromGMT(for: date))"
        if let known = abbreviations.withLock({ $0[key] }) { return known }
        let name = zone.abbreviation(for: date) ?? zone.identifier
        abbreviations.withLock { if $0.count < 1000 { $0[key] = name } }
        return name
    }

    private static let abbreviations = Mutex<[String: String]>([:])
}
