import Common
import Foundation

/// What the dashboard may say about a user's portfolio, from central.sqlite: the last valuation
/// the worker reported, or why there is none; and whether it may be old.
struct PortfolioView {
    enum Availability: Equatable {
        case available(PortfolioValuation)
        /// No figure: `no_key`, `exchange_unreachable`, `not_reported_yet`.
        case unavailable(reason: String)
    }

    let availability: Availability
    /// Set when the figures may be old: the exchange stopped answering, or the worker went silent.
    let staleSince: Date?
    let exchange: StoredExchangeStatus?
    let receivedAt: Date?

    /// A worker reports at least every 5 s; past this its figures are called stale.
    static let silentAfter: TimeInterval = 20

    static func load(_ database: CentralDatabase, user: UserID, now: Date) throws -> PortfolioView {
        guard let key = try database.exchangeKeys.key(for: user) else {
            return PortfolioView(availability: .unavailable(reason: "no_key"), staleSince: nil, exchange: nil, receivedAt: nil)
        }
        let exchange = try database.portfolios.exchangeStatus(for: user)
        // A valuation received before the current key was stored belongs to the previous key.
        let stored = try database.portfolios.portfolio(for: user).flatMap { stored in
            (key.verifiedAt.map { stored.receivedAt >= $0 } ?? true) ? stored : nil
        }
        let unreachableSince = exchange.flatMap { $0.reachable ? nil : ($0.since ?? $0.updatedAt) }
        guard let stored else {
            return PortfolioView(
                availability: .unavailable(reason: unreachableSince != nil ? "exchange_unreachable" : "not_reported_yet"),
                staleSince: unreachableSince, exchange: exchange, receivedAt: nil
            )
        }
        var stale = unreachableSince
        if stale == nil, now.timeIntervalSince(stored.receivedAt) > silentAfter { stale = stored.receivedAt }
        return PortfolioView(availability: .available(stored.valuation), staleSince: stale, exchange: exchange, receivedAt: stored.receivedAt)
    }
}
