import Common
import Foundation
import Synchronization

/// The overview's realised PnL per user, kept until a new fill is recorded or a day begins: a
/// sale's PnL needs every fill before it, and reading them all on each view of `/` would cost
/// more the longer the bot trades.
final class RealisedPnLBook: Sendable {
    private struct Entry {
        let lastFill: Int64
        let day: Date
        let zone: String
        let pnl: OverviewData.RealisedPnL
    }

    private let entries = Mutex<[UserID: Entry]>([:])

    /// Nil when the user has no fill.
    func pnl(_ database: CentralDatabase, user: UserID, now: Date, calendar: Calendar) throws -> OverviewData.RealisedPnL? {
        let lastFill = try database.trading.lastFillRowID(for: user)
        guard lastFill > 0 else { return nil }
        let day = calendar.startOfDay(for: now)
        let zone = calendar.timeZone.identifier
        if let entry = entries.withLock({ $0[user] }), entry.lastFill == lastFill, entry.day == day, entry.zone == zone { return entry.pnl }
        let fills = try database.trading.fills(for: user, symbol: nil, before: nil, limit: 1_000_000)
        let pnl = OverviewData.realised(fills, now: now, calendar: calendar)
        entries.withLock { $0[user] = Entry(lastFill: lastFill, day: day, zone: zone, pnl: pnl) }
        return pnl
    }
}
