import Foundation
import Testing

@testable import Web

/// The pages' times: the integer calendar arithmetic agrees with `Calendar` in zones with and
/// without daylight saving and with half-hour offsets, patterns are filled as the former Calendar and
/// `String(format:)` implementation filled them, and zone names are those ICU gives.
@Suite struct DisplayTimeTests {
    @Test(arguments: ["GMT", "Asia/Seoul", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "Pacific/Kiritimati"])
    func fieldsAgreeWithCalendar(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<2_000 {
            // Spread over 1999–2100, plus the edges of days and leap years.
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = index < 4 ? [951_782_400, 951_868_799, 4_107_542_399, 0][index] : Double(915_148_800 + Int(seed >> 33) % 3_200_000_000)
            let date = Date(timeIntervalSince1970: seconds + 0.75)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = DisplayTime.Fields(year: c.year!, month: c.month!, day: c.day!, hour: c.hour!, minute: c.minute!, second: c.second!)
            #expect(DisplayTime.Fields(date, zone) == expected, "\(zoneName) \(seconds)")
        }
    }

    @Test func patternsAreFilledFieldByField() throws {
        let date = Date(timeIntervalSince1970: 1_764_579_605)  // 2025-12-01 09:00:05 GMT
        let seoul = try #require(TimeZone(identifier: "Asia/Seoul"))
        #expect(DisplayTime.format(date, .gmt, "yyyy-MM-dd HH:mm:ss") == "2025-12-01 09:00:05")
        #expect(DisplayTime.format(date, seoul, "yyyy년 MM월 dd일 HH:mm") == "2025년 12월 01일 18:00")
        #expect(DisplayTime.short(date, .gmt, range: .dateTime) == "12-01 09:00")
        #expect(DisplayTime.short(date, seoul, range: .time) == "18:00")
        #expect(DisplayTime.text(date, .gmt).hasSuffix("GMT"))
    }

    /// The former implementation, kept as the reference.
    static func reference(_ date: Date, _ zone: TimeZone, _ pattern: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return pattern.replacingOccurrences(of: "yyyy", with: String(format: "%04d", c.year ?? 0))
            .replacingOccurrences(of: "MM", with: two(c.month)).replacingOccurrences(of: "dd", with: two(c.day))
            .replacingOccurrences(of: "HH", with: two(c.hour)).replacingOccurrences(of: "mm", with: two(c.minute))
            .replacingOccurrences(of: "ss", with: two(c.second))
    }

    @Test func formatsAsTheCalendarDid() throws {
        let zones = try ["UTC", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"].map { try #require(TimeZone(identifier: $0)) }
        let patterns = ["yyyy-MM-dd HH:mm:ss", "yyyy년 MM월 dd일 HH:mm:ss", "HH:mm", "MM-dd HH:mm", "dd.MM.yyyy", "MMM yyyyy"]
        var seconds = 1_600_000_000.0
        for step in 0..<2_000 {
            seconds += 37_731.3 + Double(step % 7) * 3_600
            let date = Date(timeIntervalSince1970: seconds)
            for zone in zones {
                for pattern in patterns {
                    #expect(DisplayTime.format(date, zone, pattern) == Self.reference(date, zone, pattern), "\(date) \(zone.identifier) \(pattern)")
                }
            }
        }
    }

    @Test func namesTheZoneAsICUDoes() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        let winter = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        let summer = Date(timeIntervalSince1970: 1_782_864_000)  // 2026-07-01
        for date in [winter, summer, winter] {
            #expect(DisplayTime.abbreviation(zone, at: date) == zone.abbreviation(for: date))
        }
        #expect(DisplayTime.abbreviation(zone, at: winter) != DisplayTime.abbreviation(zone, at: summer))
    }
}
