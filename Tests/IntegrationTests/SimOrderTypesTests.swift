import Common
import Foundation
import Testing

/// The simulator's conditional orders: stops and take-profits, trailing stops, book depth and
/// commissions (BINANCE.md §10.1). Order lists and cancel-replace: SimOrderListTests.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SimOrderTypesTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    @Test func eachStopAndTakeProfitTypeTriggersWhenTheLastPriceCrossesItAndNotBefore() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "10", "USDT": "10000"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            func place(_ side: String, _ type: String, stop: String, price: String? = nil) async throws -> Int64 {
                var reply: SignedCalls.Reply
                if let price {
                    reply = try await api.call(
                        .POST, "/api/v3/order",
                        [
                            "symbol": "SOLUSDT", "side": side, "type": type, "quantity": "1", "stopPrice": stop, "price": price, "timeInForce": "GTC",
                        ])
                } else {
                    reply = try await api.call(.POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": side, "type": type, "quantity": "1", "stopPrice": stop])
                }
                #expect(reply.status == 200, "\(type) \(side): \(reply.body)")
                // Stop types answer ACK by default: no status, no fills.
                #expect(reply.json["status"] == nil && reply.json.int("orderListId") == -1, "\(reply.body)")
                return try #require(reply.json.int("orderId"))
            }
            let orders: [(String, Int64)] = [
                ("SL sell 95", try await place("SELL", "STOP_LOSS", stop: "95")),
                ("SLL sell 94/93.9", try await place("SELL", "STOP_LOSS_LIMIT", stop: "94", price: "93.9")),
                ("TP sell 110", try await place("SELL", "TAKE_PROFIT", stop: "110")),
                ("TPL sell 111/111", try await place("SELL", "TAKE_PROFIT_LIMIT", stop: "111", price: "111")),
                ("SL buy 105", try await place("BUY", "STOP_LOSS", stop: "105")),
                ("SLL buy 106/106.2", try await place("BUY", "STOP_LOSS_LIMIT", stop: "106", price: "106.2")),
                ("TPL buy 92/92.1", try await place("BUY", "TAKE_PROFIT_LIMIT", stop: "92", price: "92.1")),
                ("TP buy 91", try await place("BUY", "TAKE_PROFIT", stop: "91")),
            ]
            let waiting = try await api.order("SOLUSDT", orders[1].1)
            #expect(waiting.string("status") == "NEW" && waiting.int("workingTime") == -1 && waiting["isWorking"] as? Bool == false)
            #expect(waiting.decimal("stopPrice") == 94 && waiting.string("type") == "STOP_LOSS_LIMIT")
            #expect(try await api.free("SOL").locked == 4, "sell stops hold their base at placement")
            // Each price step fills exactly the orders whose trigger it reaches.
            let steps: [(String, Set<String>)] = [
                ("104", []), ("105", ["SL buy 105"]), ("106", ["SLL buy 106/106.2"]), ("109.99", []), ("110", ["TP sell 110"]),
                ("111", ["TPL sell 111/111"]), ("95.01", []), ("95", ["SL sell 95"]), ("93.95", ["SLL sell 94/93.9"]),
                ("92", ["TPL buy 92/92.1"]), ("91", ["TP buy 91"]),
            ]
            var filled: Set<String> = []
            for (price, newlyFilled) in steps {
                try await sim.setPrice("SOLUSDT", price, hold: true)
                filled.formUnion(newlyFilled)
                for (name, id) in orders {
                    let status = try await api.status("SOLUSDT", id)
                    #expect(status == (filled.contains(name) ? "FILLED" : "NEW"), "\(name) at \(price): \(status)")
                }
            }
            let sol = try await api.free("SOL")
            #expect(sol.locked == 0 && sol.free == Self.d("10") - 4 + Self.d("3.996"), "4 sold; 4 bought less 0.1 % commission: \(sol)")
            let early = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "1", "stopPrice": "92"])
            #expect(early.status == 400 && early.json.int("code") == -2010 && early.json.string("msg") == "Order would trigger immediately.", "\(early.body)")
        }
    }

    @Test func stopParametersAreCheckedAsBinanceChecksThem() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "10", "USDT": "1000"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let noStop = try await api.call(.POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "1"])
            #expect(
                noStop.json.int("code") == -1102 && noStop.json.string("msg") == "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!")
            let noPrice = try await api.call(
                .POST, "/api/v3/order",
                [
                    "symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS_LIMIT", "quantity": "1", "stopPrice": "90", "timeInForce": "GTC",
                ])
            #expect(noPrice.json.int("code") == -1102, "\(noPrice.body)")
            let extraPrice = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "1", "stopPrice": "90", "price": "89"])
            #expect(extraPrice.json.int("code") == -1106 && extraPrice.json.string("msg") == "Parameter 'price' sent when not required.")
            let stopOnLimit = try await api.call(
                .POST, "/api/v3/order",
                [
                    "symbol": "SOLUSDT", "side": "SELL", "type": "LIMIT", "quantity": "1", "price": "120", "timeInForce": "GTC", "stopPrice": "90",
                ])
            #expect(stopOnLimit.json.int("code") == -1106, "\(stopOnLimit.body)")
            let badDelta = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "1", "trailingDelta": "5"])
            #expect(badDelta.json.string("msg") == "Filter failure: TRAILING_DELTA", "\(badDelta.body)")
            let taking = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "BUY", "type": "LIMIT_MAKER", "quantity": "1", "price": "101"])
            #expect(taking.status == 400 && taking.json.int("code") == -2010 && taking.json.string("msg") == "Order would immediately match and take.")
            let info = try await HTTP.get(sim.baseURL + "/api/v3/exchangeInfo?symbol=SOLUSDT")
            let symbol = try #require((info.json?["symbols"] as? [[String: Any]])?.first)
            #expect(
                Set(symbol["orderTypes"] as? [String] ?? []) == [
                    "LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT",
                ])
            #expect(symbol["ocoAllowed"] as? Bool == true && symbol["allowTrailingStop"] as? Bool == true && symbol["cancelReplaceAllowed"] as? Bool == true)
            #expect(symbol["otoAllowed"] as? Bool == false)
        }
    }

    @Test func aTrailingStopFollowsThePriceAndTriggersOnTheRetrace() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "10"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            // 5 %, tracking from now: the stop follows the high.
            let trailing = try await api.call(
                .POST, "/api/v3/order",
                [
                    "symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "1", "trailingDelta": "500", "newOrderRespType": "RESULT",
                ])
            #expect(trailing.status == 200 && trailing.json.int("trailingDelta") == 500 && (trailing.json.int("trailingTime") ?? 0) > 0, "\(trailing.body)")
            let id = try #require(trailing.json.int("orderId"))
            // With a stopPrice: tracking waits for the price to reach 120.
            let activated = try await api.call(
                .POST, "/api/v3/order",
                [
                    "symbol": "SOLUSDT", "side": "SELL", "type": "TAKE_PROFIT", "quantity": "1", "stopPrice": "120", "trailingDelta": "200",
                ])
            let activatedID = try #require(activated.json.int("orderId"), "\(activated.body)")
            #expect(try await api.order("SOLUSDT", activatedID).int("trailingTime") == -1)
            for price in ["96", "110", "105"] {
                try await sim.setPrice("SOLUSDT", price, hold: true)
                #expect(try await api.status("SOLUSDT", id) == "NEW", "110 × 0.95 = 104.5 is not reached at \(price)")
            }
            try await sim.setPrice("SOLUSDT", "104.4", hold: true)
            let fired = try await api.order("SOLUSDT", id)
            #expect(fired.string("status") == "FILLED" && fired.decimal("cummulativeQuoteQty")! < Self.d("104.4"), "\(fired)")
            for price in ["115", "121", "125", "122.6"] {
                try await sim.setPrice("SOLUSDT", price, hold: true)
                #expect(try await api.status("SOLUSDT", activatedID) == "NEW", "at \(price)")
            }
            #expect((try await api.order("SOLUSDT", activatedID).int("trailingTime") ?? -1) > 0, "tracking began at 121")
            try await sim.setPrice("SOLUSDT", "122.5", hold: true)
            #expect(try await api.status("SOLUSDT", activatedID) == "FILLED", "125 × 0.98 = 122.5")
        }
    }

    @Test func aLargeRestingOrderFillsOverSeveralStepsWhenTheBookIsThinner() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "2000"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let small = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "2", "price": "110"])
            let large = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1000", "price": "110"])
            let largeID = try #require(large.json.int("orderId"))
            try await sim.setPrice("SOLUSDT", "111", hold: true)
            #expect(try await api.status("SOLUSDT", small.json.int("orderId")!) == "FILLED", "a small order fills at once")
            let first = try await api.order("SOLUSDT", largeID)
            let executed = first.decimal("executedQty") ?? 0
            // One level holds about 25,000 USDT: about 227 SOL at 110.
            #expect(first.string("status") == "PARTIALLY_FILLED" && executed > 200 && executed < 500, "\(first)")
            let done = try await SignedCalls.poll(timeout: .seconds(12), { try await api.order("SOLUSDT", largeID) }) { $0.string("status") == "FILLED" }
            #expect(done.string("status") == "FILLED" && done.decimal("cummulativeQuoteQty") == 110_000, "\(done)")
            let trades = try await api.call(.GET, "/api/v3/myTrades", ["symbol": "SOLUSDT", "orderId": "\(largeID)"]).list
            #expect(trades.count >= 4 && trades.allSatisfy { $0["isMaker"] as? Bool == true && $0.decimal("price") == 110 }, "\(trades.count)")
        }
    }

    @Test func restingFillsPayTheMakerRateAndTakesTheTakerRate() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "10", "USDT": "1000"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let account = try await api.call(.GET, "/api/v3/account").json
            let rates = try #require(account["commissionRates"] as? [String: Any])
            #expect(rates.decimal("maker") == Self.d("0.001") && rates.decimal("taker") == Self.d("0.001"))
            let taken = try await api.call(.POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "BUY", "type": "MARKET", "quantity": "2"])
            let resting = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "3", "price": "105"])
            try await sim.setPrice("SOLUSDT", "106", hold: true)
            let trades = try await api.call(.GET, "/api/v3/myTrades", ["symbol": "SOLUSDT"]).list
            let take = try #require(trades.first { $0.int("orderId") == taken.json.int("orderId") })
            let make = try #require(trades.first { $0.int("orderId") == resting.json.int("orderId") })
            #expect(take["isMaker"] as? Bool == false && take.decimal("commission") == Self.d("0.002") && take.string("commissionAsset") == "SOL")
            #expect(make["isMaker"] as? Bool == true && make.decimal("commission") == Self.d("0.315") && make.string("commissionAsset") == "USDT")
        }
    }
}
