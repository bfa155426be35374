import Common
import Foundation

/// Reports whose rows could not be written because the central database did not answer
/// (PostgreSQL down or restarting), kept in arrival order per user and written again, in that
/// order, once it answers. While a user has reports waiting, a new one of that user's waits
/// behind them, so an order's later state never lands before its earlier one.
///
/// Bounded: past `capacity` reports in all the oldest is dropped (and counted), so an outage
/// that outlasts memory loses the oldest rows rather than the process.
struct ReportBacklog {
    struct Entry: Equatable {
        let report: WorkerReport
        let leaseEpoch: Int64?
        let at: Date
    }

    let capacity: Int
    private(set) var waiting: [UserID: [Entry]] = [:]
    private(set) var count = 0
    private(set) var dropped = 0
    /// Users in the order their first waiting report arrived (the oldest is dropped first).
    private var order: [UserID] = []

    init(capacity: Int = 50_000) { self.capacity = capacity }

    var isEmpty: Bool { count == 0 }

    func hasWaiting(_ user: UserID) -> Bool { waiting[user]?.isEmpty == false }

    mutating func append(_ entry: Entry, for user: UserID) {
        if waiting[user, default: []].isEmpty { order.append(user) }
        waiting[user, default: []].append(entry)
        count += 1
        while count > capacity, let oldest = order.first {
            waiting[oldest]?.removeFirst()
            count -= 1
            dropped += 1
            if waiting[oldest]?.isEmpty != false {
                waiting[oldest] = nil
                order.removeFirst()
            }
        }
    }

    /// The users with reports waiting, oldest first.
    var users: [UserID] { order }

    func first(of user: UserID) -> Entry? { waiting[user]?.first }

    mutating func removeFirst(of user: UserID) {
        guard var entries = waiting[user], !entries.isEmpty else { return }
        entries.removeFirst()
        count -= 1
        if entries.isEmpty {
            waiting[user] = nil
            order.removeAll { $0 == user }
        } else {
            waiting[user] = entries
        }
    }
}
