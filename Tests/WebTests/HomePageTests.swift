import Common
import Foundation
import Testing

@testable import Web

/// The overview as rendered from its figures: PnL with its sign and colour, the last fills to
/// the symbol's tick and step, and nothing invented for a user without a key.
@Suite struct HomePageTests {
    static let viewer = Layout.Viewer(username: "ana", csrfToken: "token")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func pnlIsSignedAndColouredAndFillsAreFormattedPerSymbol() {
        var data = OverviewData()
        data.key = StoredExchangeKey(
            userID: UserID(rawValue: 1), apiKeyToken: "k", apiSecretToken: "s", maskedKey: "abcd…wxyz", canTrade: true, verifiedAt: nil)
        data.realised = OverviewData.RealisedPnL(today: Decimal(string: "12.345")!, week: Decimal(string: "-4.1")!, all: 0, sales: 3)
        data.lastFills = [
            BotFill(
                symbol: "BTCUSDT", tradeID: 7, orderID: 7, clientOrderID: "c7", side: "SELL", price: Decimal(string: "50123.40000000")!,
                qty: Decimal(string: "0.00100000")!, quoteQty: Decimal(string: "50.1234")!, commission: 0, commissionAsset: "USDT", time: Self.now)
        ]
        let model = HomePage.Model(
            viewer: Self.viewer, data: data, formats: ["BTCUSDT": SymbolFormat(priceDecimals: 2, quantityDecimals: 5)], now: Self.now)
        let page = HomePage.render(model)
        #expect(page.contains(#"id="pnl-today" class="pnl gain">+12.34 USDT"#))
        #expect(page.contains("id=\"pnl-week\" class=\"pnl loss\">\u{2212}4.10 USDT"))
        #expect(page.contains(#"id="pnl-all" class="pnl flat">0.00 USDT"#))
        #expect(page.contains(#"<td class="num">50123.40</td><td class="num">0.00100</td><td class="num">50.12</td>"#))
        #expect(page.contains(#"href="/monitoring?show=fills""#))
        #expect(!page.contains("50123.40000000"), "not Binance's eight decimals")
    }

    @Test func withoutAKeyNoFigureIsShown() {
        let page = HomePage.render(HomePage.Model(viewer: Self.viewer, now: Self.now))
        #expect(!page.contains("id=\"pnl-today\""))
        #expect(!page.contains("id=\"last-fills\""))
        #expect(page.contains("Equity chart: no data"))
    }
}
