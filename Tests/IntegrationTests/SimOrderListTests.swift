import Common
import Foundation
import Logging
import Testing
import WSClient

/// The simulator's order lists (OCO) and cancel-replace (BINANCE.md §10.2, §10.3).
@Suite(.serialized, .timeLimit(.minutes(2))) struct SimOrderListTests {
    static func oco(
        _ api: SignedCalls, limit: String = "110", stop: String = "90", stopLimit: String = "89.9", listID: String? = nil
    ) async throws -> SignedCalls.Reply {
        var parameters: KeyValuePairs<String, String> = [
            "symbol": "SOLUSDT", "side": "SELL", "quantity": "2", "aboveType": "LIMIT_MAKER", "abovePrice": limit, "belowType": "STOP_LOSS_LIMIT",
            "belowStopPrice": stop, "belowPrice": stopLimit, "belowTimeInForce": "GTC",
        ]
        if let listID {
            parameters = [
                "symbol": "SOLUSDT", "side": "SELL", "quantity": "2", "aboveType": "LIMIT_MAKER", "abovePrice": limit, "belowType": "STOP_LOSS_LIMIT",
                "belowStopPrice": stop, "belowPrice": stopLimit, "belowTimeInForce": "GTC", "listClientOrderId": listID,
            ]
        }
        return try await api.call(.POST, "/api/v3/orderList/oco", parameters)
    }

    static func legs(_ reply: SignedCalls.Reply) -> (limit: Int64, stop: Int64) {
        let reports = reply.json["orderReports"] as? [[String: Any]] ?? []
        let limit = reports.first { $0.string("type") == "LIMIT_MAKER" }?.int("orderId") ?? -1
        let stop = reports.first { $0.string("type") == "STOP_LOSS_LIMIT" }?.int("orderId") ?? -1
        return (limit, stop)
    }

    @Test func whenOneLegOfAnOCOFillsTheOtherExpiresAndTheListIsDone() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "10"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let placed = try await Self.oco(api)
            #expect(placed.status == 200, "\(placed.body)")
            let listID = try #require(placed.json.int("orderListId"))
            #expect(placed.json.string("contingencyType") == "OCO" && placed.json.string("listStatusType") == "EXEC_STARTED")
            #expect(placed.json.string("listOrderStatus") == "EXECUTING" && placed.json.int("transactionTime") != nil)
            #expect((placed.json["orders"] as? [[String: Any]])?.count == 2)
            #expect((placed.json["orderReports"] as? [[String: Any]])?.allSatisfy { $0.int("orderListId") == listID } == true)
            let (limit, stop) = Self.legs(placed)
            #expect(try await api.order("SOLUSDT", stop).int("orderListId") == listID)
            #expect(try await api.free("SOL").locked == 2, "both legs share one lock")
            #expect(try await api.call(.GET, "/api/v3/openOrderList").list.count == 1)
            try await sim.setPrice("SOLUSDT", "111", hold: true)
            #expect(try await api.status("SOLUSDT", limit) == "FILLED")
            #expect(try await api.status("SOLUSDT", stop) == "EXPIRED")
            let fills = try await api.call(.GET, "/api/v3/myTrades", ["symbol": "SOLUSDT", "orderId": "\(limit)"]).list
            #expect(!fills.isEmpty && fills.allSatisfy { $0.int("orderListId") == listID }, "\(fills)")
            let list = try await api.call(.GET, "/api/v3/orderList", ["orderListId": "\(listID)"]).json
            #expect(list.string("listStatusType") == "ALL_DONE" && list.string("listOrderStatus") == "ALL_DONE", "\(list)")
            #expect(try await api.call(.GET, "/api/v3/openOrderList").list.isEmpty)
            #expect(try await api.free("SOL") == SignedCalls.Holding(free: 8, locked: 0))

            // The stop leg this time: the limit leg expires.
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let second = try await Self.oco(api, listID: "it-oco-2")
            let (limit2, stop2) = Self.legs(second)
            try await sim.setPrice("SOLUSDT", "89.95", hold: true)
            #expect(try await api.status("SOLUSDT", stop2) == "FILLED")
            #expect(try await api.status("SOLUSDT", limit2) == "EXPIRED")
            let byClientID = try await api.call(.GET, "/api/v3/orderList", ["origClientOrderId": "it-oco-2"]).json
            #expect(byClientID.string("listOrderStatus") == "ALL_DONE" && byClientID.string("listClientOrderId") == "it-oco-2")
            #expect(try await api.call(.GET, "/api/v3/allOrderList").list.count == 2)
            #expect(try await api.free("SOL").locked == 0)

            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let wrong = try await Self.oco(api, limit: "95")
            #expect(wrong.status == 400 && wrong.json.string("msg") == "The relationship of the prices for the orders is not correct.", "\(wrong.body)")
        }
    }

    @Test func cancellingAListOrOneOfItsLegsCancelsBoth() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "10"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let first = try await Self.oco(api, listID: "it-cancel-1")
            let gone = try await api.call(.DELETE, "/api/v3/orderList", ["symbol": "SOLUSDT", "listClientOrderId": "it-cancel-1"])
            #expect(gone.status == 200 && gone.json.string("listStatusType") == "ALL_DONE" && gone.json.string("listOrderStatus") == "ALL_DONE", "\(gone.body)")
            let reports = gone.json["orderReports"] as? [[String: Any]] ?? []
            #expect(reports.count == 2 && reports.allSatisfy { $0.string("status") == "CANCELED" && $0.int("orderListId") == first.json.int("orderListId") })
            #expect(try await api.free("SOL") == SignedCalls.Holding(free: 10, locked: 0))
            let again = try await api.call(.DELETE, "/api/v3/orderList", ["symbol": "SOLUSDT", "listClientOrderId": "it-cancel-1"])
            #expect(again.status == 400, "\(again.body)")

            let second = try await Self.oco(api)
            let (limit, stop) = Self.legs(second)
            let one = try await api.call(.DELETE, "/api/v3/order", ["symbol": "SOLUSDT", "orderId": "\(stop)"])
            #expect(one.json.string("status") == "CANCELED" && one.json.int("orderListId") == second.json.int("orderListId"), "\(one.body)")
            #expect(try await api.status("SOLUSDT", limit) == "CANCELED")
            #expect(try await api.call(.GET, "/api/v3/openOrders", ["symbol": "SOLUSDT"]).list.isEmpty)
            #expect(try await api.free("SOL") == SignedCalls.Holding(free: 10, locked: 0))
        }
    }

    @Test func openStopsAndListsSurviveARestart() async throws {
        let first = try await SimulatorProcess()
        let credentials = try await first.createAccount(balances: ["SOL": "10"])
        var api = SignedCalls(sim: first, credentials: credentials)
        try await first.setPrice("SOLUSDT", "100", hold: true)
        let stop = try await api.call(
            .POST, "/api/v3/order",
            [
                "symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "1", "stopPrice": "95", "newClientOrderId": "it-restart-stop",
            ])
        let stopID = try #require(stop.json.int("orderId"), "\(stop.body)")
        let list = try await Self.oco(api, listID: "it-restart-list")
        let (limit, stopLeg) = Self.legs(list)
        first.stop()

        let second = try await SimulatorProcess(dataDir: first.dataDir)
        defer { second.stop() }
        api = SignedCalls(sim: second, credentials: credentials)
        try await second.setPrice("SOLUSDT", "100", hold: true)
        #expect(try await api.free("SOL") == SignedCalls.Holding(free: 7, locked: 3))
        #expect(try await api.call(.GET, "/api/v3/openOrderList").list.count == 1)
        let again = try await api.call(
            .POST, "/api/v3/order",
            [
                "symbol": "SOLUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "1", "stopPrice": "95", "newClientOrderId": "it-restart-stop",
            ])
        #expect(again.json.string("msg") == "Duplicate order sent.", "\(again.body)")
        try await second.setPrice("SOLUSDT", "94", hold: true)
        #expect(try await api.status("SOLUSDT", stopID) == "FILLED", "the restored stop is indexed again")
        #expect(try await api.status("SOLUSDT", stopLeg) == "NEW")
        try await second.setPrice("SOLUSDT", "111", hold: true)
        #expect(try await api.status("SOLUSDT", limit) == "FILLED")
        #expect(try await api.status("SOLUSDT", stopLeg) == "EXPIRED")
        #expect(try await api.free("SOL") == SignedCalls.Holding(free: 7, locked: 0))
    }

    @Test func cancellingEverythingOnASymbolAnswersAListAsOneEntry() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["SOL": "10"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            _ = try await Self.oco(api)
            _ = try await api.call(
                .POST, "/api/v3/order", ["symbol": "SOLUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1", "price": "120"])
            let all = try await api.call(.DELETE, "/api/v3/openOrders", ["symbol": "SOLUSDT"]).list
            #expect(all.count == 2, "\(all)")
            #expect(all.contains { $0.string("contingencyType") == "OCO" && ($0["orderReports"] as? [[String: Any]])?.count == 2 })
            #expect(all.contains { $0.string("status") == "CANCELED" && $0.int("orderListId") == -1 })
            #expect(try await api.free("SOL") == SignedCalls.Holding(free: 10, locked: 0))
        }
    }

    @Test func cancelReplaceInBothModes() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let api = SignedCalls(sim: sim, credentials: try await sim.createAccount(balances: ["USDT": "1000"]))
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            _ = try await api.call(
                .POST, "/api/v3/order",
                [
                    "symbol": "SOLUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1", "price": "90", "newClientOrderId": "it-cr-1",
                ])
            func replace(_ mode: String, cancel: String, price: String, type: String = "LIMIT") async throws -> SignedCalls.Reply {
                try await api.call(
                    .POST, "/api/v3/order/cancelReplace",
                    [
                        "symbol": "SOLUSDT", "side": "BUY", "type": type, "timeInForce": "GTC", "quantity": "1", "price": price, "cancelReplaceMode": mode,
                        "cancelOrigClientOrderId": cancel, "newClientOrderId": "it-cr-\(price)",
                    ])
            }
            let both = try await replace("STOP_ON_FAILURE", cancel: "it-cr-1", price: "91")
            #expect(both.status == 200 && both.json.string("cancelResult") == "SUCCESS" && both.json.string("newOrderResult") == "SUCCESS", "\(both.body)")
            #expect((both.json["cancelResponse"] as? [String: Any])?.string("status") == "CANCELED")
            #expect((both.json["newOrderResponse"] as? [String: Any])?.string("status") == "NEW")

            // Filters are checked before anything is cancelled: a plain error, the order stays.
            let badTick = try await replace("ALLOW_FAILURE", cancel: "it-cr-91", price: "91.001")
            #expect(badTick.status == 400 && badTick.json.string("msg") == "Filter failure: PRICE_FILTER" && badTick.json["data"] == nil, "\(badTick.body)")
            #expect(try await api.call(.GET, "/api/v3/order", ["symbol": "SOLUSDT", "origClientOrderId": "it-cr-91"]).json.string("status") == "NEW")

            let stopped = try await replace("STOP_ON_FAILURE", cancel: "never-sent", price: "92")
            let stoppedData = stopped.json["data"] as? [String: Any] ?? [:]
            #expect(
                stopped.status == 400 && stopped.json.int("code") == -2022 && stopped.json.string("msg") == "Order cancel-replace failed.", "\(stopped.body)")
            #expect(stoppedData.string("cancelResult") == "FAILURE" && stoppedData.string("newOrderResult") == "NOT_ATTEMPTED")
            #expect((stoppedData["cancelResponse"] as? [String: Any])?.int("code") == -2011 && stoppedData["newOrderResponse"] is NSNull)

            let allowed = try await replace("ALLOW_FAILURE", cancel: "never-sent", price: "93")
            let allowedData = allowed.json["data"] as? [String: Any] ?? [:]
            #expect(allowed.status == 409 && allowed.json.int("code") == -2021 && allowed.json.string("msg") == "Order cancel-replace partially failed.")
            #expect(allowedData.string("cancelResult") == "FAILURE" && allowedData.string("newOrderResult") == "SUCCESS", "\(allowed.body)")

            let newFails = try await replace("ALLOW_FAILURE", cancel: "it-cr-91", price: "101", type: "LIMIT_MAKER")
            let newFailsData = newFails.json["data"] as? [String: Any] ?? [:]
            #expect(
                newFails.status == 409 && newFailsData.string("cancelResult") == "SUCCESS" && newFailsData.string("newOrderResult") == "FAILURE",
                "\(newFails.body)")
            #expect((newFailsData["newOrderResponse"] as? [String: Any])?.string("msg") == "Order would immediately match and take.")

            let neither = try await replace("ALLOW_FAILURE", cancel: "it-cr-91", price: "101", type: "LIMIT_MAKER")
            #expect(neither.status == 400 && neither.json.int("code") == -2022, "\(neither.body)")
            #expect((neither.json["data"] as? [String: Any])?.string("newOrderResult") == "FAILURE")
            let open = try await api.call(.GET, "/api/v3/openOrders", ["symbol": "SOLUSDT"]).list
            #expect(open.compactMap { $0.string("clientOrderId") } == ["it-cr-93"], "only the order placed by ALLOW_FAILURE is left")
        }
    }

    @Test func theUserDataStreamCarriesTheListIDAndListStatus() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let credentials = try await sim.createAccount(balances: ["SOL": "10"])
            let api = SignedCalls(sim: sim, credentials: credentials)
            try await sim.setPrice("SOLUSDT", "100", hold: true)
            let listenKey = try await BinanceClient(baseURL: sim.baseURL, credentials: credentials).createListenKey()
            let texts = RawStream(url: "ws://127.0.0.1:\(sim.port)/ws/" + listenKey)
            defer { texts.stop() }
            try await Task.sleep(for: .milliseconds(500))
            let placed = try await Self.oco(api)
            let listID = try #require(placed.json.int("orderListId"))
            try await sim.setPrice("SOLUSDT", "111", hold: true)
            let events = try await SignedCalls.poll(timeout: .seconds(5), { texts.events }) { events in
                events.contains { $0.string("e") == "listStatus" && $0.string("L") == "ALL_DONE" }
            }
            let reports = events.filter { $0.string("e") == "executionReport" }
            #expect(reports.count >= 4 && reports.allSatisfy { $0.int("g") == listID }, "\(events)")
            #expect(reports.contains { $0.string("x") == "EXPIRED" && $0.string("eR") == "OCO_TRIGGER" })
            #expect(reports.contains { $0.string("x") == "TRADE" && $0.string("X") == "FILLED" })
            var kinds: [String] = []
            for event in events where event.string("e") == "listStatus" {
                kinds.append("\(event.string("l") ?? "-")/\(event.string("L") ?? "-")/\((event["O"] as? [Any])?.count ?? 0)")
            }
            #expect(kinds == ["EXEC_STARTED/EXECUTING/2", "ALL_DONE/ALL_DONE/2"], "\(events)")
        }
    }
}

/// Every text message of a WebSocket, parsed, for tests that need fields our stream client
/// does not decode.
final class RawStream: @unchecked Sendable {
    private final class Box: @unchecked Sendable {
        let lock = NSLock()
        var received: [String] = []
    }

    private let box = Box()
    private var task: Task<Void, Never>?

    init(url: String) {
        let box = box
        task = Task {
            _ = try? await WebSocketClient.connect(url: url, logger: Logger(label: "test")) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    box.lock.withLock { box.received.append(text) }
                }
            }
        }
    }

    /// Parsed here, on the reader's side.
    var events: [[String: Any]] {
        box.lock.withLock { box.received }.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
    func stop() { task?.cancel() }
}
