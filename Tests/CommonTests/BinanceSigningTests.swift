import Common
import Foundation
import Testing

/// Binance's documented signing examples (BINANCE.md §2, re-computed with openssl there).
@Suite struct BinanceSigningTests {
    let signer = BinanceSigner(secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"

    @Test func signsTheQueryStringExample() {
        #expect(signer.signature(query: payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    }

    @Test func signsQueryFollowedByBodyWithNoSeparator() {
        let signature = signer.signature(
            query: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC", body: "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559")
        #expect(signature == "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77")
    }

    @Test func percentEncodesNonASCIIBeforeSigning() {
        var query = QueryString()
        for (name, value) in [
            ("symbol", "１２３４５６"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"), ("price", "0.1"),
            ("recvWindow", "5000"), ("timestamp", "1499827319559"),
        ] {
            query.append(name, value)
        }
        #expect(query.encoded.hasPrefix("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY"))
        #expect(signer.signature(query: query.encoded) == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")
    }

    @Test func verifiesCaseInsensitivelyAndRefusesTampering() {
        let signature = "C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71"
        #expect(signer.isValid(signature: signature, query: payload, body: ""))
        #expect(!signer.isValid(signature: signature, query: payload.replacingOccurrences(of: "price=0.1", with: "price=0.2"), body: ""))
        #expect(!signer.isValid(signature: "zz", query: payload, body: ""))
    }

    @Test func parsesFormsAndQueriesInOrder() throws {
        let pairs = try #require(QueryString.parse("b=2&a=x%20y+z&b=3&empty="))
        #expect(pairs.map(\.0) == ["b", "a", "b", "empty"])
        #expect(pairs[1].1 == "x y z")
        #expect(pairs[3].1 == "")
        #expect(QueryString.parse("a=%ZZ") == nil)
    }
}

@Suite struct SymbolFiltersTests {
    let btc = SymbolFilters(
        symbol: "BTCUSDT", baseAsset: "BTC", quoteAsset: "USDT", minPrice: Decimal(string: "0.01")!, maxPrice: 1_000_000,
        tickSize: Decimal(string: "0.01")!, minQty: Decimal(string: "0.00001")!, maxQty: 9000, stepSize: Decimal(string: "0.00001")!,
        minNotional: 5)

    @Test func roundsQuantitiesDownAndPricesInTheTradersFavour() {
        #expect(btc.roundQuantity(Decimal(string: "0.123456789")!) == Decimal(string: "0.12345")!)
        #expect(btc.roundPrice(Decimal(string: "43210.129")!, side: .buy) == Decimal(string: "43210.12")!)
        #expect(btc.roundPrice(Decimal(string: "43210.121")!, side: .sell) == Decimal(string: "43210.13")!)
        #expect(btc.roundPrice(Decimal(string: "43210.12")!, side: .sell) == Decimal(string: "43210.12")!)
    }

    @Test func acceptsAnOrderThatMeetsEveryFilter() throws {
        try btc.check(quantity: Decimal(string: "0.001")!, price: Decimal(string: "43210.12")!, isMarket: false)
        try btc.check(quantity: Decimal(string: "0.001")!, price: 43210, isMarket: true)
    }

    @Test(arguments: [
        ("0.001", "43210.125", false, "PRICE_FILTER"),
        ("0.001", "0.001", false, "PRICE_FILTER"),
        ("0.000001", "43210", false, "LOT_SIZE"),
        ("0.000015", "43210", false, "LOT_SIZE"),
        ("10000", "1", false, "LOT_SIZE"),
        ("0.0001", "43210", false, "NOTIONAL"),
        ("0.0001", "43210", true, "NOTIONAL"),
    ])
    func refusesWithTheFilterName(quantity: String, price: String, market: Bool, filter: String) {
        #expect(throws: SymbolFilters.Refusal.self) {
            try btc.check(quantity: Decimal(string: quantity)!, price: Decimal(string: price)!, isMarket: market)
        }
        do {
            try btc.check(quantity: Decimal(string: quantity)!, price: Decimal(string: price)!, isMarket: market)
        } catch {
            #expect(error.filter == filter)
            #expect(error.description.hasPrefix("Filter failure: \(filter)"))
        }
    }
}

@Suite struct ExchangeErrorTests {
    @Test func classifiesAnswersByWhatTheCallerMustDo() {
        #expect(ExchangeError.from(status: 429, body: "", retryAfter: 7, isOrderPlacement: false, clientOrderID: nil) == .rateLimited(retryAfter: 7))
        #expect(ExchangeError.from(status: 418, body: "", retryAfter: 120, isOrderPlacement: false, clientOrderID: nil) == .banned(retryAfter: 120))
        #expect(ExchangeError.from(status: 503, body: "", retryAfter: nil, isOrderPlacement: false, clientOrderID: nil) == .temporary("HTTP 503"))
        #expect(
            ExchangeError.from(status: 502, body: "", retryAfter: nil, isOrderPlacement: true, clientOrderID: "ctp-1")
                == .unknownOrderState(clientOrderID: "ctp-1", reason: "HTTP 502"))
        #expect(
            ExchangeError.from(status: 400, body: #"{"code":-1121,"msg":"Invalid symbol."}"#, retryAfter: nil, isOrderPlacement: false, clientOrderID: nil)
                == .rejected(code: -1121, message: "Invalid symbol."))
        if case .invalidResponse = ExchangeError.from(status: 400, body: "<html>", retryAfter: nil, isOrderPlacement: false, clientOrderID: nil) {
        } else {
            Issue.record("an HTML error page is not a Binance rejection")
        }
    }
}
