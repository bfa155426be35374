import Common
import Foundation

/// `GET /api/v1/portfolio` and the `portfolio` event (CONTRACT §6): balances valued in USDT as
/// the worker last reported them; `total_usdt` sums the priced assets, `unpriced_assets` lists
/// the others. Without a valuation every figure is `null` beside `total_usdt_reason`.
struct PortfolioResponse: Encodable, Sendable {
    struct Balance: Encodable, Sendable {
        let asset: String
        let free: String
        let locked: String
        let total: String
        @Nullable var priceUsdt: String?
        var priceUsdtReason: String?
        @Nullable var valueUsdt: String?
        var valueUsdtReason: String?
        /// How the price was found (`ETHUSDT`, `ACMEBTC×BTCUSDT`); present for a priced asset.
        var priceRoute: Nullable<String>?

        init(_ line: PortfolioValuation.Line) {
            asset = line.asset
            free = DecimalText.format(line.free)
            locked = DecimalText.format(line.locked)
            total = DecimalText.format(line.total)
            if let price = line.priceUSDT, let value = line.valueUSDT {
                priceUsdt = DecimalText.format(price)
                valueUsdt = DecimalText.format(value)
                priceRoute = Nullable(wrappedValue: line.route)
            } else {
                priceUsdtReason = "no_price_route"
                valueUsdtReason = "no_price_route"
            }
        }
    }

    let quoteAsset = PortfolioValuation.quote
    @Nullable var totalUsdt: String?
    var totalUsdtReason: String?
    var unpricedAssets: [String] = []
    var balances: [Balance] = []
    /// When the prices were read.
    @Nullable var updatedAt: Date?
    /// The exchange's time of the balances.
    var balancesAt: Date?
    @Nullable var staleSince: Date?
    /// Set, with `exchange_reason`, while the exchange does not answer the worker.
    var exchangeUnreachableSince: Date?
    var exchangeReason: Nullable<String>?
}

extension PortfolioView {
    var response: PortfolioResponse {
        var answer = PortfolioResponse()
        switch availability {
        case .unavailable(let reason):
            answer.totalUsdtReason = reason
        case .available(let valuation):
            answer.totalUsdt = DecimalText.format(valuation.totalUSDT)
            answer.unpricedAssets = valuation.unpriced
            answer.balances = valuation.lines.map(PortfolioResponse.Balance.init)
            answer.updatedAt = valuation.pricesAt
            answer.balancesAt = valuation.balancesAt
        }
        answer.staleSince = staleSince
        if let exchange, !exchange.reachable {
            answer.exchangeUnreachableSince = exchange.since ?? exchange.updatedAt
            answer.exchangeReason = Nullable(wrappedValue: exchange.reason)
        }
        return answer
    }
}
