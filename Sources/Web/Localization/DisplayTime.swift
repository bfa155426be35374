import Foundation
import Synchronization

/// Times as the reader should see them: in their time zone, with its abbreviation. The date's
/// fields come from the zone's offset and the proleptic Gregorian calendar in integer arithmetic
/// (a page writes hundreds of times, and `Calendar.dateComponents` with `String(format:)` cost
/// tens of microseconds each); a test checks them against `Calendar`.
enum DisplayTime {
    enum Style { case time, dateTime }

    /// Date and time in the reader's language (`format.datetime` of the catalog) and zone.
    static func text(_ date: Date, _ zone: TimeZone) -> String {
        format(date, zone, t("format.datetime")) + " " + abbreviation(zone, at: date)
    }

    static func short(_ date: Date, _ zone: TimeZone, range style: Style) -> String {
        format(date, zone, style == .time ? "HH:mm" : "MM-dd HH:mm")
    }

    /// `pattern` with `yyyy`, `MM`, `dd`, `HH`, `mm` and `ss` replaced by the date's fields.
    static func format(_ date: Date, _ zone: TimeZone, _ pattern: String) -> String {
        let f = Fields(date, zone)
        var out = ""
        out.reserveCapacity(pattern.utf8.count + 8)
        var rest = Substring(pattern)
        while let first = rest.first {
            if rest.hasPrefix("yyyy") {
                out += pad(f.year, 4)
                rest = rest.dropFirst(4)
                continue
            }
            let token = rest.prefix(2)
            switch token {
            case "MM": out += pad(f.month, 2)
            case "dd": out += pad(f.day, 2)
            case "HH": out += pad(f.hour, 2)
            case "mm": out += pad(f.minute, 2)
            case "ss": out += pad(f.second, 2)
            default:
                out.append(first)
                rest = rest.dropFirst()
                continue
            }
            rest = rest.dropFirst(2)
        }
        return out
    }

    /// The wall-clock fields of `date` in `zone`.
    struct Fields: Equatable {
        var year, month, day, hour, minute, second: Int

        init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
            (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
        }

        init(_ date: Date, _ zone: TimeZone) {
            let local = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
            let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
            let clock = local - days * 86_400
            // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let shiftedMonth = (5 * dayOfYear + 2) / 153
            let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
            self.init(
                year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: dayOfYear - (153 * shiftedMonth + 2) / 5 + 1,
                hour: clock / 3_600, minute: clock % 3_600 / 60, second: clock % 60)
        }
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

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.utf8.count >= width ? digits : String(repeating: "0", count: width - digits.utf8.count) + digits
    }
}
