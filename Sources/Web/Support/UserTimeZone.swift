import Common
import Foundation

extension CentralDatabase {
    /// The time zone a user's pages and reports use: their settings' `timezone`, UTC when none is
    /// saved or the database cannot be read (times then say UTC, so nothing is misread).
    func timeZone(of user: UserID) -> TimeZone {
        ((try? bots.settings(for: user)) ?? nil)?.timeZone ?? .gmt
    }
}
