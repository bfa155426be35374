import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// The bot's JSON API: settings checks, fills pages, and cancelling an order that is no longer
/// open. Through the whole router on in-memory stores.
@Suite struct TradingRouteTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    static func fill(_ trade: Int64, minute: Int, symbol: String = "BTCUSDT") -> BotFill {
        BotFill(
            symbol: symbol, tradeID: trade, orderID: 1000 + trade, clientOrderID: "ctp-\(trade)", side: "BUY", price: 50_000, qty: Decimal(string: "0.001")!,
            quoteQty: 50, commission: 0, commissionAsset: "BNB", time: start.addingTimeInterval(Double(minute) * 60)
        )
    }

    static func settingsBody(_ change: (inout [String: Any]) -> Void) throws -> ByteBuffer {
        var object = try #require(try JSONSerialization.jsonObject(with: BotSettings.defaults.encoded()) as? [String: Any])
        change(&object)
        return .json(object)
    }

    /// A field and a bad value for it, as JSON.
    @Test(arguments: [("interval", #""7m""#), ("symbols", "[]"), ("symbols", "42")])
    func badSettingsAreRefusedNamingTheField(field: String, json: String) async throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let body = try Self.settingsBody { $0[field] = value }
        let web = TestWeb()
        try await web.user("fay")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("fay")
            let response = try await client.execute(uri: "/api/v1/settings", method: .put, headers: signed.headers(csrf: true, json: true), body: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "invalid_settings")
            #expect(response.errorMessage?.hasPrefix(field) == true, "\(response.errorMessage ?? "no message")")
            #expect(try web.database.bots.settings(for: UserID(signed.userID)) == nil)
        }
    }

    @Test func aMissingSettingIsNamed() async throws {
        let web = TestWeb()
        try await web.user("gus")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("gus")
            let body = try Self.settingsBody { $0["interval"] = nil }
            let response = try await client.execute(uri: "/api/v1/settings", method: .put, headers: signed.headers(csrf: true, json: true), body: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.errorMessage?.contains("interval") == true, "\(response.errorMessage ?? "no message")")
        }
    }

    @Test func fillsArePagedWithNextBefore() async throws {
        let web = TestWeb()
        let user = try await web.user("hal")
        let other = try await web.user("ivy")
        for trade in Int64(1)...5 { try web.database.trading.saveFill(Self.fill(trade, minute: Int(trade)), for: user) }
        try web.database.trading.saveFill(Self.fill(99, minute: 3), for: other)
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("hal")
            var seen: [Int64] = []
            var uri = "/api/v1/fills?limit=2"
            var pages = 0
            while pages < 5 {
                pages += 1
                let response = try await client.execute(uri: uri, method: .get, headers: signed.headers())
                #expect(response.status == .ok)
                let object = try response.object()
                #expect(Set(object.keys) == ["items", "next_before"])
                let items = try #require(object["items"] as? [[String: Any]])
                #expect(items.allSatisfy { $0["symbol"] as? String == "BTCUSDT" && $0["time"] is String })
                seen += items.compactMap { $0["trade_id"] as? Int64 }
                guard let next = object["next_before"] as? String else {
                    #expect(object["next_before"] is NSNull)
                    break
                }
                #expect(next == items.last?["time"] as? String)
                uri = "/api/v1/fills?limit=2&before=\(next)"
            }
            // Newest first, every fill once, none of another user's.
            #expect(seen == [5, 4, 3, 2, 1])
            #expect(pages == 3)

            let bad = try await client.execute(uri: "/api/v1/fills?before=yesterday", method: .get, headers: signed.headers())
            #expect(bad.status == .badRequest)
        }
    }

    @Test func cancellingAFilledOrderIsAConflict() async throws {
        let web = TestWeb()
        let user = try await web.user("jay")
        let time = Self.start
        try web.database.trading.saveOrder(
            OrderRecord(
                clientOrderID: "ctp-filled", orderID: 42, symbol: "BTCUSDT", side: "BUY", type: "LIMIT", status: .filled, price: 50_000, origQty: 1,
                executedQty: 1, createdAt: time, updatedAt: time, reason: nil
            ), for: user
        )
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("jay")
            let filled = try await client.execute(uri: "/api/v1/orders/42", method: .delete, headers: signed.headers(csrf: true))
            #expect(filled.status == .conflict)
            #expect(filled.errorCode == "order_not_open")
            let unknown = try await client.execute(uri: "/api/v1/orders/43", method: .delete, headers: signed.headers(csrf: true))
            #expect(unknown.status == .notFound)
        }
    }
}
