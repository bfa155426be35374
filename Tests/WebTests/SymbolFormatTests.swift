import Common
import Foundation
import Testing

@testable import Web

/// Number formatting per symbol: prices to the tick size, quantities to the step size, USDT to
/// the cent with an explicit sign for PnL, and stored values as they are when the filters are
/// not known.
@Suite struct SymbolFormatTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    static let btc = SymbolFormat(tickSize: d("0.01000000"), stepSize: d("0.00001000"))
    static let shib = SymbolFormat(tickSize: d("0.00000001"), stepSize: d("1.00000000"))

    @Test func decimalsComeFromTheTickAndStepSizes() {
        #expect(SymbolFormat.decimals(of: Self.d("0.01000000")) == 2)
        #expect(SymbolFormat.decimals(of: Self.d("0.00001000")) == 5)
        #expect(SymbolFormat.decimals(of: Self.d("1.00000000")) == 0)
        #expect(SymbolFormat.decimals(of: Self.d("10")) == 0)
        #expect(SymbolFormat.decimals(of: Self.d("0.5")) == 1)
        #expect(SymbolFormat.decimals(of: 0) == nil, "no filter: unknown, not zero decimals")
    }

    @Test func pricesToTheTickAndQuantitiesToTheStep() {
        #expect(Self.btc.price(Self.d("43210.57000000")) == "43210.57")
        #expect(Self.btc.price(Self.d("50000")) == "50000.00")
        #expect(Self.btc.quantity(Self.d("0.00120000")) == "0.00120")
        #expect(Self.btc.quantity(Self.d("2")) == "2.00000")
        #expect(Self.shib.price(Self.d("0.00001234")) == "0.00001234")
        #expect(Self.shib.quantity(Self.d("1500000.00000000")) == "1500000")
    }

    /// A balance finer than the step (what fees leave) keeps its digits: never more than is held.
    @Test func balancesAreNeverRounded() {
        #expect(Self.btc.balance(Self.d("0.00463536")) == "0.00463536")
        #expect(Self.btc.balance(Self.d("0.00120000")) == "0.00120")
        #expect(Self.btc.balance(Self.d("12")) == "12.00000")
        #expect(Self.btc.balance(0) == "0.00000")
        #expect(SymbolFormat.unknown.balance(Self.d("7600.86711200")) == "7600.867112")
        #expect(SymbolFormat(priceDecimals: 2, quantityDecimals: 2).balance(Self.d("7600.867112")) == "7600.867112")
    }

    @Test func unknownFiltersShowTheStoredValueWithoutTrailingZeros() {
        let unknown = SymbolFormat.unknown
        #expect(unknown.price(Self.d("43210.57000000")) == "43210.57")
        #expect(unknown.price(Self.d("50000.00000000")) == "50000")
        #expect(unknown.quantity(Self.d("0.00120000")) == "0.0012")
        #expect(unknown.quantity(0) == "0")
        #expect(SymbolFormat(tickSize: 0, stepSize: 0) == .unknown)
    }

    @Test func roundingIsHalfEvenAndNeverShowsMinusZero() {
        #expect(NumberText.fixed(Self.d("0.125"), places: 2) == "0.12")
        #expect(NumberText.fixed(Self.d("0.135"), places: 2) == "0.14")
        #expect(NumberText.fixed(Self.d("-0.001"), places: 2) == "0.00")
        #expect(NumberText.fixed(Self.d("-12.5"), places: 0) == "-12")
        #expect(NumberText.fixed(Self.d("0.5"), places: 3) == "0.500")
        #expect(NumberText.fixed(Self.d("123456789.987654321"), places: 4) == "123456789.9877")
    }

    @Test func usdtToTheCentWithAnExplicitSignAndTone() {
        #expect(USDTFormat.value(Self.d("41000")) == "41000.00")
        #expect(USDTFormat.value(Self.d("5399.999")) == "5400.00")
        #expect(USDTFormat.signed(Self.d("12.3")) == "+12.30")
        #expect(USDTFormat.signed(Self.d("-4.1")) == "\u{2212}4.10")
        #expect(USDTFormat.signed(0) == "0.00")
        #expect(USDTFormat.signed(Self.d("-0.004")) == "0.00", "rounds to zero: no sign")
        #expect(USDTFormat.tone(Self.d("12.3")) == .gain)
        #expect(USDTFormat.tone(Self.d("-4.1")) == .loss)
        #expect(USDTFormat.tone(Self.d("-0.004")) == .flat)
        #expect(USDTFormat.tone(Self.d("0.005")) == .flat, "half-even: 0.005 shows as 0.00")
    }

    @Test func aFormatIsBuiltFromTheExchangesFilters() {
        let filters = SymbolFilters(
            symbol: "ETHUSDT", baseAsset: "ETH", quoteAsset: "USDT", minPrice: Self.d("0.01"), maxPrice: 1_000_000, tickSize: Self.d("0.01"),
            minQty: Self.d("0.0001"), maxQty: 9000, stepSize: Self.d("0.0001"), minNotional: 5)
        let format = SymbolFormat(filters)
        #expect(format.price(Self.d("3000")) == "3000.00")
        #expect(format.quantity(Self.d("0.05")) == "0.0500")
    }
}
