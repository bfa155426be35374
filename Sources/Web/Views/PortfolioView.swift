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

    /// CONTRACT §6: `GET /api/v1/portfolio`.
    var json: [String: Any] {
        var object: [String: Any] = ["quote_asset": PortfolioValuation.quote]
        switch availability {
        case .unavailable(let reason):
            object["total_usdt"] = NSNull()
            object["total_usdt_reason"] = reason
            object["unpriced_assets"] = [String]()
            object["balances"] = [[String: Any]]()
            object["updated_at"] = NSNull()
        case .available(let valuation):
            object["total_usdt"] = DecimalText.format(valuation.totalUSDT)
            object["unpriced_assets"] = valuation.unpriced
            object["balances"] = valuation.lines.map { line -> [String: Any] in
                var row: [String: Any] = [
                    "asset": line.asset, "free": DecimalText.format(line.free), "locked": DecimalText.format(line.locked),
                    "total": DecimalText.format(line.total),
                ]
                if let price = line.priceUSDT, let value = line.valueUSDT {
                    row["price_usdt"] = DecimalText.format(price)
                    row["value_usdt"] = DecimalText.format(value)
                    row["price_route"] = line.route ?? NSNull()
                } else {
                    row["price_usdt"] = NSNull()
                    row["price_usdt_reason"] = "no_price_route"
                    row["value_usdt"] = NSNull()
                    row["value_usdt_reason"] = "no_price_route"
                }
                return row
            }
            object["updated_at"] = Timestamp.string(valuation.pricesAt)
            object["balances_at"] = Timestamp.string(valuation.balancesAt)
        }
        object["stale_since"] = staleSince.map(Timestamp.string) ?? NSNull()
        if let exchange, !exchange.reachable {
            object["exchange_unreachable_since"] = (exchange.since ?? exchange.updatedAt).map(Timestamp.string)
            object["exchange_reason"] = exchange.reason ?? NSNull()
        }
        return object
    }
}
