import Common
import Foundation
import Testing

@Suite struct ClientOrderIDTests {
    /// Binance's character set for client order ids, at most 36 characters.
    static func isValid(_ id: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/")
        return (1...36).contains(id.count) && id.allSatisfy(allowed.contains)
    }

    @Test func aShortSymbolIsKeptAsIs() {
        #expect(ClientOrderID.make(user: 7, symbol: "BTCUSDT", key: 1_700_000_000, purpose: "BE") == "u7-BTCUSDT-1700000000-BE")
        #expect(ClientOrderID.shortSymbol("ABCDEFGHIJKL") == "ABCDEFGHIJKL")
    }

    /// Values computed once outside Swift (FNV-1a 32 over UTF-8, mod 36^4, base 36): a change of
    /// the hash would orphan every open order placed under the old ids.
    @Test func aLongSymbolGetsAStableShortForm() {
        #expect(ClientOrderID.fnv1a32("") == 2_166_136_261)
        #expect(ClientOrderID.shortSymbol("1000CHEEMSUSDT") == "1000CHEEJBTD")
        #expect(ClientOrderID.shortSymbol("1000CHEEMSBTCX") == "1000CHEEEDI8")
        #expect(ClientOrderID.shortSymbol("BROCCOLI714USDT") == "BROCCOLITHVU")
        #expect(ClientOrderID.make(user: 7, symbol: "1000CHEEMSUSDT", key: 1_700_000_000, purpose: "BE") == "u7-1000CHEEJBTD-1700000000-BE")
    }

    @Test func symbolsSharingAPrefixGetDifferentIDs() {
        let first = ClientOrderID.make(user: 1, symbol: "1000CHEEMSUSDT", key: 1, purpose: "BE")
        let second = ClientOrderID.make(user: 1, symbol: "1000CHEEMSBTCX", key: 1, purpose: "BE")
        #expect(first != second)
    }

    @Test(arguments: [
        (Int64.max, "BROCCOLI714USDT", Int64.max, "XSXSXS"),
        (123_456_789, "1000CHEEMSUSDT", 1_700_000_000_000, "XT"),
        (1, "BTCUSDT", -5, "SX"),
    ])
    func longUsersKeysAndPurposesStayWithinBinancesRules(user: Int64, symbol: String, key: Int64, purpose: String) {
        let id = ClientOrderID.make(user: user, symbol: symbol, key: key, purpose: purpose)
        #expect(Self.isValid(id), "\(id)")
        #expect(id.count <= ClientOrderID.maxLength)
        #expect(id == ClientOrderID.make(user: user, symbol: symbol, key: key, purpose: purpose))
    }
}

@Suite struct ClientOrderIDLengthTests {
    @Test func aLongIDKeepsItsPurposeSoTheLegsOfOneDecisionDiffer() {
        let tp = ClientOrderID.make(user: 123_456, symbol: "1000CHEEMSUSDT", key: 1_800_000_000_000, purpose: "XT")
        let sl = ClientOrderID.make(user: 123_456, symbol: "1000CHEEMSUSDT", key: 1_800_000_000_000, purpose: "XS")
        #expect(tp.count <= 36 && sl.count <= 36 && tp != sl, "\(tp) \(sl)")
        #expect(tp.hasSuffix("-XT") && sl.hasSuffix("-XS"))
        #expect(OrderPurpose(tp).isTakeProfitLeg && OrderPurpose(sl).isStopLossLeg)
        // Ids that fit are written as before (ids stored by earlier versions stay the same).
        #expect(ClientOrderID.make(user: 7, symbol: "BTCUSDT", key: 1_700_000_000, purpose: "BE") == "u7-BTCUSDT-1700000000-BE")
    }
}
