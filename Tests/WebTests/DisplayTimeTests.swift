import Foundation
import Testing

@testable import Web

/// The pages' times: the integer calendar arithmetic agrees with `Calendar` in zones with and
/// without daylight saving and with half-hour offsets, and patterns are filled as before.
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
}
