import Common
import Foundation

/// The simulator's symbols: the contract's list (CONTRACT §5), with Binance-like filters and
/// starting prices. ACME trades only against BTC, so valuing it in USDT needs two hops.
enum MarketCatalog {
    struct Market: Sendable {
        let filters: SymbolFilters
        let startPrice: Decimal
        /// Per-second volatility of the price walk (0.0001 is about 3 % a day, like BTC).
        let volatility: Double
    }

    static let markets: [Market] = [
        market("BTCUSDT", "BTC", "USDT", price: "43000", tick: "0.01", step: "0.00001", minNotional: "5", volatility: 0.0001),
        market("ETHUSDT", "ETH", "USDT", price: "2300", tick: "0.01", step: "0.0001", minNotional: "5", volatility: 0.00012),
        market("BNBUSDT", "BNB", "USDT", price: "310", tick: "0.01", step: "0.001", minNotional: "5", volatility: 0.00012),
        market("SOLUSDT", "SOL", "USDT", price: "100", tick: "0.01", step: "0.001", minNotional: "5", volatility: 0.00016),
        market("XRPUSDT", "XRP", "USDT", price: "0.6", tick: "0.0001", step: "0.1", minNotional: "5", volatility: 0.00014),
        market("ETHBTC", "ETH", "BTC", price: "0.0535", tick: "0.00001", step: "0.0001", minNotional: "0.0001", volatility: 0.00008),
        market("ACMEBTC", "ACME", "BTC", price: "0.0002", tick: "0.0000001", step: "0.01", minNotional: "0.0001", volatility: 0.0002),
        // A symbol of more than 12 characters, as Binance lists some: client order ids shorten it.
        market("1000CHEEMSUSDT", "1000CHEEMS", "USDT", price: "0.0015", tick: "0.0000001", step: "1", minNotional: "5", volatility: 0.0002),
    ]

    static let bySymbol: [String: Market] = Dictionary(uniqueKeysWithValues: markets.map { ($0.filters.symbol, $0) })

    /// Testnet-like starting balances of a new account.
    static let startingBalances: [String: Decimal] = [
        "USDT": 10_000, "BTC": 1, "ETH": 10, "BNB": 10, "SOL": 50, "XRP": 10_000,
    ]

    private static func market(
        _ symbol: String, _ base: String, _ quote: String, price: String, tick: String, step: String, minNotional: String, volatility: Double
    ) -> Market {
        let d = { (text: String) in DecimalText.parse(text)! }
        return Market(
            filters: SymbolFilters(
                symbol: symbol, baseAsset: base, quoteAsset: quote, minPrice: d(tick), maxPrice: 1_000_000, tickSize: d(tick),
                minQty: d(step), maxQty: 9_000_000, stepSize: d(step), minNotional: d(minNotional)),
            startPrice: d(price), volatility: volatility)
    }
}
