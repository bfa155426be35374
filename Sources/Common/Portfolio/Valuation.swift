import Foundation

/// An account valued in USDT (CONTRACT §6): every asset through its ASSETUSDT price, or through
/// BTC (ASSETBTC × BTCUSDT); USDT itself is 1; an asset with no route is unpriced, never zero.
public struct PortfolioValuation: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public let asset: String
        public let free: Decimal
        public let locked: Decimal
        public var total: Decimal { free + locked }
        /// nil: no price route (see ``PortfolioValuation/unpriced``).
        public let priceUSDT: Decimal?
        public var valueUSDT: Decimal? { priceUSDT.map { Self.round(total * $0) } }
        /// How the price was found: `USDT`, `ETHUSDT`, `ACMEBTC×BTCUSDT`, or nil.
        public let route: String?

        public init(asset: String, free: Decimal, locked: Decimal, priceUSDT: Decimal?, route: String?) {
            self.asset = asset
            self.free = free
            self.locked = locked
            self.priceUSDT = priceUSDT
            self.route = route
        }

        /// Values are kept to 8 decimals, as Binance's amounts.
        static func round(_ value: Decimal) -> Decimal {
            var value = value
            var result = Decimal()
            NSDecimalRound(&result, &value, 8, .plain)
            return result
        }
    }

    public static let quote = "USDT"

    public let lines: [Line]
    /// The exchange's time of the balances.
    public let balancesAt: Date
    /// When the prices were read.
    public let pricesAt: Date

    public var totalUSDT: Decimal { lines.compactMap(\.valueUSDT).reduce(0, +) }
    public var unpriced: [String] { lines.filter { $0.priceUSDT == nil }.map(\.asset) }

    public init(lines: [Line], balancesAt: Date, pricesAt: Date) {
        self.lines = lines
        self.balancesAt = balancesAt
        self.pricesAt = pricesAt
    }

    /// Values the non-zero balances with the given last prices (symbol → price).
    public static func value(_ balances: [AccountSnapshot.Balance], prices: [String: Decimal], balancesAt: Date, pricesAt: Date) -> PortfolioValuation {
        let lines = balances.filter { $0.total != 0 }.sorted { $0.asset < $1.asset }.map { balance in
            let (price, route) = Self.price(of: balance.asset, prices)
            return Line(asset: balance.asset, free: balance.free, locked: balance.locked, priceUSDT: price, route: route)
        }
        return PortfolioValuation(lines: lines, balancesAt: balancesAt, pricesAt: pricesAt)
    }

    public static func price(of asset: String, _ prices: [String: Decimal]) -> (Decimal?, String?) {
        if asset == quote { return (1, quote) }
        if let direct = prices[asset + quote], direct > 0 { return (direct, asset + quote) }
        if let viaBTC = prices[asset + "BTC"], let btc = prices["BTC" + quote], viaBTC > 0, btc > 0 {
            return (viaBTC * btc, "\(asset)BTC×BTC\(quote)")
        }
        return (nil, nil)
    }
}

extension PortfolioValuation.Line {
    /// A balance line as reports and the central database carry it (decimals as strings).
    public var json: [String: Any] {
        var fields: [String: Any] = ["asset": asset, "free": DecimalText.format(free), "locked": DecimalText.format(locked)]
        if let priceUSDT { fields["price_usdt"] = DecimalText.format(priceUSDT) }
        if let route { fields["route"] = route }
        return fields
    }

    public init(json row: [String: Any]) throws(ProtocolError) {
        let asset = try Fields.text(row, "asset", limit: 20)
        guard asset.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else { throw ProtocolError(reason: "bad asset \(asset)") }
        let free = try Fields.amount(row, "free")
        let locked = try Fields.amount(row, "locked")
        var price: Decimal?
        if row["price_usdt"] != nil {
            guard let parsed = try Fields.optionalAmount(row, "price_usdt"), parsed > 0 else { throw ProtocolError(reason: "bad price for \(asset)") }
            price = parsed
        }
        let route = row["route"] == nil ? nil : try Fields.text(row, "route", limit: 40)
        self.init(asset: asset, free: free, locked: locked, priceUSDT: price, route: route)
    }
}
