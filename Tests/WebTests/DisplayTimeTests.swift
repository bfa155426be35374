import Foundation
import Testing

@testable import Web

/// The shown times: the digit-by-digit formatter says what the Calendar and `String(format:)`
/// one said, in every zone and pattern the pages use.
@Suite struct DisplayTimeTests {
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
