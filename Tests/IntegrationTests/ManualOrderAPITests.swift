import Common
import Foundation
import Testing

/// Manual orders through the real web and supervisor (CONTRACT §9 "Orders"): `POST
/// /api/v1/orders` and the form on `/trading` check the order against the simulator's filters and
/// hand it to the bot. (That the bot then places it is the worker's side, tested there.)
@Suite(.serialized, .timeLimit(.minutes(3))) struct ManualOrderAPITests {
    /// BTCUSDT in the simulator: tick 0.01, step 0.00001, minimum value 5 USDT; held at 43,000.
    static func limit(_ quantity: String, _ price: String, extra: [String: String] = [:]) -> [String: Any] {
        ["symbol": "BTCUSDT", "side": "BUY", "type": "limit", "quantity": quantity, "price": price].merging(extra) { $1 }
    }

    static func holdBTC(_ supervisor: SupervisorProcess) async throws {
        let held = try await HTTP.post("http://127.0.0.1:\(supervisor.simPort)/sim/v1/prices", json: #"{"symbol":"BTCUSDT","price":"43000","hold":true}"#)
        #expect(held.status == 200, "\(held.body)")
    }

    static func storeKey(_ supervisor: SupervisorProcess, _ web: WebClient) async throws {
        let created = try await HTTP.post("http://127.0.0.1:\(supervisor.simPort)/sim/v1/accounts", json: #"{"balances":{"USDT":"10000"}}"#)
        let key = try #require(created.json?["apiKey"] as? String)
        let secret = try #require(created.json?["secretKey"] as? String)
        let stored = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": key, "api_secret": secret])
        #expect(stored.status == 200, "\(stored.body)")
    }

    static func error(_ answer: HTTP.Answer) -> (code: String, message: String) {
        let error = answer.json?["error"] as? [String: Any]
        return (error?["code"] as? String ?? "", error?["message"] as? String ?? "")
    }

    @Test func theAPIRefusesWhatTheExchangeWouldAndHandsAValidOrderToTheBot() async throws {
        try await AccountTests.withSystem("manual-order") { supervisor, web in
            try await Self.holdBTC(supervisor)
            let valid = Self.limit("0.001", "40000.00", extra: ["request_id": "test1"])
            #expect(try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/orders", json: valid).status == 401)

            let user = try await web.signUp("trader", AccountTests.password)
            try await web.logIn("trader", AccountTests.password)
            let noKey = try await web.send(.POST, "/api/v1/orders", json: valid)
            #expect(noKey.status == 409 && Self.error(noKey).code == "no_key", "\(noKey.status) \(noKey.body)")
            try await Self.storeKey(supervisor, web)
            #expect(try await web.send(.POST, "/api/v1/orders", json: valid, csrf: false).status == 403)

            // Each refusal: 422 invalid_order, the field and Binance's filter named.
            let refusals: [([String: Any], String)] = [
                (Self.limit("0.000015", "43000.00"), "quantity: Filter failure: LOT_SIZE"),
                (Self.limit("0.001", "43000.005"), "price: Filter failure: PRICE_FILTER"),
                (Self.limit("0.0001", "43000.00"), "quantity: Filter failure: NOTIONAL"),
                (Self.limit("0.001", "43000.00", extra: ["take_profit": "42000.00", "stop_loss": "41000.00"]), "take_profit: must be above the entry price"),
                (Self.limit("0.001", "43000.00", extra: ["take_profit": "44000.00", "stop_loss": "43500.00"]), "stop_loss: must be below the entry price"),
                (Self.limit("0.001", "43000.00", extra: ["symbol": "NOSUCHUSDT"]), "symbol: the exchange does not list NOSUCHUSDT"),
                (["symbol": "BTCUSDT", "side": "BUY", "type": "market", "quantity": "0.0001"], "quantity: Filter failure: NOTIONAL"),
                (["symbol": "BTCUSDT", "side": "BUY", "type": "market", "quantity": "0.001", "price": "1"], "price: a market order takes no price"),
                (Self.limit("-1", "43000.00"), "quantity: Filter failure: LOT_SIZE"),
                (Self.limit("0.001", "43000.00", extra: ["side": "HOLD"]), "side: must be BUY or SELL"),
                (["symbol": "BTCUSDT", "type": "limit", "quantity": "0.001", "price": "43000.00"], "side: is required"),
                (["symbol": "BTCUSDT", "side": "BUY", "type": "limit", "quantity": ["a": 1], "price": "43000.00"], "quantity: must be a decimal number"),
                (["symbol": "BTCUSDT", "side": "BUY", "type": "limit", "quantity": 1e300, "price": "43000.00"], "quantity: must be a decimal number"),
                (["symbol": 7, "side": "BUY", "type": "limit", "quantity": "1", "price": "1"], "symbol: must be a string"),
                (Self.limit("0.001", "43000.00", extra: ["request_id": "no spaces!"]), "request_id: must be 1 to 16 letters or digits"),
            ]
            for (body, expected) in refusals {
                let answer = try await web.send(.POST, "/api/v1/orders", json: body)
                let error = Self.error(answer)
                #expect(answer.status == 422 && error.code == "invalid_order" && error.message.hasPrefix(expected), "\(body): \(answer.status) \(answer.body)")
            }
            let notJSON = try await web.send(.POST, "/api/v1/orders", headers: [("Content-Type", "application/json")])
            #expect(notJSON.status == 400, "\(notJSON.body)")

            // A valid order: 202 with the id the bot places it under; the same id for the same request.
            let placed = try await web.send(.POST, "/api/v1/orders", json: valid)
            #expect(placed.status == 202, "\(placed.body)")
            #expect(placed.json?["client_order_id"] as? String == "u\(user.rawValue)-BTCUSDT-test1-M", "\(placed.body)")
            #expect(placed.json?["delivered"] is Bool && placed.json?["command_id"] is NSNumber, "\(placed.body)")
            let again = try await web.send(.POST, "/api/v1/orders", json: valid)
            #expect(again.json?["client_order_id"] as? String == "u\(user.rawValue)-BTCUSDT-test1-M")
            // Without a request id, one is made: 12 letters or digits, answered with the order's id.
            let market = try await web.send(.POST, "/api/v1/orders", json: ["symbol": "BTCUSDT", "side": "BUY", "type": "market", "quantity": 0.001])
            #expect(market.status == 202, "\(market.body)")
            let requestID = try #require(market.json?["request_id"] as? String)
            #expect(requestID.count == 12 && requestID.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(market.json?["client_order_id"] as? String == "u\(user.rawValue)-BTCUSDT-\(requestID)-M")
        }
    }

    @Test func theTradingPageHasTheFormAndShowsWhyAnOrderWasRefused() async throws {
        try await AccountTests.withSystem("manual-order-form") { supervisor, web in
            try await Self.holdBTC(supervisor)
            _ = try await TradingTests.user(supervisor, web)
            #expect(try await web.send(.PUT, "/api/v1/settings", json: TradingTests.settings(symbols: ["BTCUSDT", "ETHUSDT"])).status == 200)
            let page = try await web.get("/trading").body
            #expect(page.contains(#"action="/trading/orders""#))
            for field in [
                #"<select id="order-symbol" name="symbol">"#, #"<option value="ETHUSDT">"#, #"name="side""#, #"<option value="SELL">"#,
                #"name="type""#, #"<option value="market">"#, #"name="quantity""#, #"name="price""#, #"name="take_profit""#, #"name="stop_loss""#,
                #"<label for="order-quantity">"#, "Place an order",
            ] {
                #expect(page.contains(field), "the form lacks \(field)")
            }
            let requestID = try #require(WebClient.hiddenField("request_id", in: page))
            #expect(requestID.count == 12)
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: page))

            var form = [
                "csrf_token": csrf, "request_id": requestID, "symbol": "BTCUSDT", "side": "BUY", "type": "limit", "quantity": "0.000015", "price": "43000.00",
            ]
            let refused = try await web.send(.POST, "/trading/orders", form: form)
            #expect(refused.status == 422)
            #expect(refused.body.contains("quantity: Filter failure: LOT_SIZE"), "\(refused.body.prefix(2_000))")
            #expect(refused.body.contains(#"value="0.000015""#) && refused.body.contains(#"name="request_id" value="\#(requestID)""#), "the values are kept")
            form["quantity"] = "0.001"
            let sent = try await web.send(.POST, "/trading/orders", form: form)
            #expect(sent.status == 303 && sent.headers.first(name: "Location") == "/trading?done=place_order", "\(sent.status) \(sent.body.prefix(500))")
            let after = try await web.get("/trading?done=place_order").body
            #expect(after.contains("Order sent to your bot"))
            #expect(WebClient.hiddenField("request_id", in: after) != requestID, "a new page, a new request")
            form["csrf_token"] = "wrong"
            #expect(try await web.send(.POST, "/trading/orders", form: form).status == 403)
            let korean = try await web.send(.GET, "/trading", headers: [("Accept-Language", "ko")]).body
            #expect(korean.contains("주문하기") && korean.contains("지정가 가격") && !korean.contains("Place an order"), "the Korean page has the Korean form")
        }
    }
}
