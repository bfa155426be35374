import Common
import Foundation
import Testing

@Suite struct PortfolioValuationTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    @Test func everyAssetIsValuedDirectlyThroughBTCOrNotAtAll() {
        let balances = [
            AccountSnapshot.Balance(asset: "USDT", free: 90, locked: 10),
            AccountSnapshot.Balance(asset: "BTC", free: Self.d("0.5"), locked: 0),
            AccountSnapshot.Balance(asset: "ETH", free: 1, locked: 1),
            AccountSnapshot.Balance(asset: "ACME", free: 10, locked: 0),
            AccountSnapshot.Balance(asset: "XYZ", free: 5, locked: 0),
            AccountSnapshot.Balance(asset: "ZERO", free: 0, locked: 0),
        ]
        let prices = ["BTCUSDT": Self.d("50000"), "ETHUSDT": Self.d("3000.5"), "ACMEBTC": Self.d("0.0001"), "ETHBTC": Self.d("0.06")]
        let valuation = PortfolioValuation.value(balances, prices: prices, balancesAt: Date(), pricesAt: Date())
        let byAsset = Dictionary(uniqueKeysWithValues: valuation.lines.map { ($0.asset, $0) })
        #expect(byAsset["ZERO"] == nil, "empty balances are left out")
        #expect(byAsset["USDT"]?.valueUSDT == 100 && byAsset["USDT"]?.route == "USDT")
        #expect(byAsset["BTC"]?.valueUSDT == 25_000)
        #expect(byAsset["ETH"]?.valueUSDT == Self.d("6001") && byAsset["ETH"]?.route == "ETHUSDT", "the direct USDT market wins")
        #expect(byAsset["ACME"]?.priceUSDT == 5 && byAsset["ACME"]?.valueUSDT == 50 && byAsset["ACME"]?.route == "ACMEBTC×BTCUSDT")
        #expect(byAsset["XYZ"]?.priceUSDT == nil && byAsset["XYZ"]?.valueUSDT == nil, "unpriced, never zero")
        #expect(valuation.unpriced == ["XYZ"])
        #expect(valuation.totalUSDT == Self.d("31151"))
    }

    @Test func aPortfolioReportSurvivesTheLineProtocolAndForgeriesAreRefused() throws {
        let valuation = PortfolioValuation(
            lines: [
                .init(asset: "USDT", free: Self.d("12.5"), locked: 0, priceUSDT: 1, route: "USDT"),
                .init(asset: "XYZ", free: 3, locked: Self.d("0.25"), priceUSDT: nil, route: nil),
            ],
            balancesAt: Date(timeIntervalSince1970: 1_800_000_000.123), pricesAt: Date(timeIntervalSince1970: 1_800_000_001.5)
        )
        let parsed = try WorkerReport.parse(WorkerReport.portfolio(valuation).line())
        #expect(parsed == .portfolio(valuation))
        let outage = WorkerReport.exchange(reachable: false, since: Date(timeIntervalSince1970: 1_800_000_000), reason: "connection refused")
        #expect(try WorkerReport.parse(outage.line()) == outage)
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(#"{"type":"portfolio","balances_at":1,"prices_at":1,"balances":[{"asset":"usdt; DROP","free":"1","locked":"0"}]}"#) }
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(#"{"type":"portfolio","balances_at":1,"prices_at":1,"balances":[{"asset":"BTC","free":"-1","locked":"0"}]}"#) }
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(#"{"type":"equity","time":1800000000000,"total_usdt":"lots"}"#) }
    }
}
