import Common
import Foundation

/// How the pages write one symbol's numbers: prices to the exchange's tick size and quantities to
/// its step size (a BTCUSDT price "43210.57", a quantity "0.00120"), not Binance's eight decimals.
/// Built from the symbol's PRICE_FILTER and LOT_SIZE; when they are not known (the exchange did not
/// answer) the stored value is written as it is, without trailing zeros, so nothing is rounded on a
/// guess. Plain arithmetic on `Decimal` and its digits: no `NumberFormatter` (pages render in far
/// under a millisecond, and a formatter costs more than that).
struct SymbolFormat: Sendable, Equatable {
    /// Fractional digits of a price; nil when the tick size is not known.
    let priceDecimals: Int?
    /// Fractional digits of a quantity; nil when the step size is not known.
    let quantityDecimals: Int?

    /// The symbol's filters are not known: values as stored, trailing zeros dropped.
    static let unknown = SymbolFormat(priceDecimals: nil, quantityDecimals: nil)

    init(priceDecimals: Int?, quantityDecimals: Int?) {
        self.priceDecimals = priceDecimals
        self.quantityDecimals = quantityDecimals
    }

    /// From the exchange's tick and step sizes (a size of 0 means no such filter: unknown).
    init(tickSize: Decimal, stepSize: Decimal) {
        self.init(priceDecimals: Self.decimals(of: tickSize), quantityDecimals: Self.decimals(of: stepSize))
    }

    init(_ filters: SymbolFilters) {
        self.init(tickSize: filters.tickSize, stepSize: filters.stepSize)
    }

    func price(_ value: Decimal) -> String {
        priceDecimals.map { NumberText.fixed(value, places: $0) } ?? NumberText.trimmed(value)
    }

    func quantity(_ value: Decimal) -> String {
        quantityDecimals.map { NumberText.fixed(value, places: $0) } ?? NumberText.trimmed(value)
    }

    /// A balance: to the step size like a quantity, but never rounded. An account holds amounts
    /// finer than the step (what is left after fees: "0.00463536" BTC with a step of 0.00001), and
    /// a balance written "0.00464" would be more than the account has; those keep all their digits.
    func balance(_ value: Decimal) -> String {
        let exact = NumberText.trimmed(value)
        guard let places = quantityDecimals else { return exact }
        let written = exact.firstIndex(of: ".").map { exact.distance(from: exact.index(after: $0), to: exact.endIndex) } ?? 0
        return written > places ? exact : NumberText.fixed(value, places: places)
    }

    /// The fractional digits of a tick or step ("0.01000000" → 2, "1.00000000" → 0); nil for 0.
    static func decimals(of size: Decimal) -> Int? {
        guard size > 0 else { return nil }
        let text = NumberText.trimmed(size)
        guard let dot = text.firstIndex(of: ".") else { return 0 }
        return text.distance(from: text.index(after: dot), to: text.endIndex)
    }
}
