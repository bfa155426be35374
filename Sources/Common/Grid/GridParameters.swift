import Foundation

/// What a user sets for a grid bot: a price range cut into levels, the USDT it may use, and the
/// optional prices that end it.
public struct GridParameters: Sendable, Equatable {
    public enum Spacing: String, Sendable, Equatable, CaseIterable {
        /// Levels the same number of USDT apart.
        case arithmetic
        /// Levels the same percentage apart.
        case geometric
    }

    public var symbol: String
    public var lowerPrice: Decimal
    public var upperPrice: Decimal
    /// Price levels, both ends included: `levels - 1` cells, each a buy at one level and a sell
    /// at the next.
    public var levels: Int
    public var spacing: Spacing
    /// The USDT the grid may use, split evenly over its cells.
    public var investment: Decimal
    /// At or below this price the grid ends and sells what it holds.
    public var stopLossPrice: Decimal?
    /// At or above this price the grid ends and sells what it holds.
    public var takeProfitPrice: Decimal?
    /// Whether the range follows the price out of it, a level at a time.
    public var trailing: Bool

    public static let levelRange = 2...200

    public init(
        symbol: String, lowerPrice: Decimal, upperPrice: Decimal, levels: Int, spacing: Spacing, investment: Decimal,
        stopLossPrice: Decimal? = nil, takeProfitPrice: Decimal? = nil, trailing: Bool = false
    ) {
        self.symbol = symbol
        self.lowerPrice = lowerPrice
        self.upperPrice = upperPrice
        self.levels = levels
        self.spacing = spacing
        self.investment = investment
        self.stopLossPrice = stopLossPrice
        self.takeProfitPrice = takeProfitPrice
        self.trailing = trailing
    }
}

/// Why a bot cannot start, naming the setting to change.
public struct StartRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parameter at fault, as the API spells it (`lower_price`, `levels`, …).
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
