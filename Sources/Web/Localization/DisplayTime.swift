import Foundation

/// Times as the reader should see them: in their time zone, with its abbreviation.
enum DisplayTime {
    enum Style { case time, dateTime }

    /// Date and time in the reader's language (`format.datetime` of the catalog) and zone.
    static func text(_ date: Date, _ zone: TimeZone) -> String {
        format(date, zone, t("format.datetime")) + " " + (zone.abbreviation(for: date) ?? zone.identifier)
    }

    static func short(_ date: Date, _ zone: TimeZone, range style: Style) -> String {
        format(date, zone, style == .time ? "HH:mm" : "MM-dd HH:mm")
    }

    static func format(_ date: Date, _ zone: TimeZone, _ pattern: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return pattern.replacingOccurrences(of: "yyyy", with: String(format: "%04d", c.year ?? 0))
            .replacingOccurrences(of: "MM", with: two(c.month)).replacingOccurrences(of: "dd", with: two(c.day))
            .replacingOccurrences(of: "HH", with: two(c.hour)).replacingOccurrences(of: "mm", with: two(c.minute))
            .replacingOccurrences(of: "ss", with: two(c.second))
    }
}
