import Foundation
import Testing

@testable import Common

/// The answers below are shaped as Binance's Spot REST docs show them (rest-api.md: "New Order
/// list - OCO", "Query Order list", "Cancel an Existing Order and Send a New Order").
@Suite struct BinanceDecodingTests {
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    static let ocoAnswer = """
        {"orderListId": 1, "contingencyType": "OCO", "listStatusType": "EXEC_STARTED", "listOrderStatus": "EXECUTING",
         "listClientOrderId": "lH1YDkuQKWiXVXHPSKYEIp", "transactionTime": 1710485608839, "symbol": "LTCBTC",
         "orders": [{"symbol": "LTCBTC", "orderId": 10, "clientOrderId": "44nZvqpemY7sVYgPYbvPih"},
                    {"symbol": "LTCBTC", "orderId": 11, "clientOrderId": "NuMp0nVYnciDiFmVqfpBqK"}],
         "orderReports": [
           {"symbol": "LTCBTC", "orderId": 10, "orderListId": 1, "clientOrderId": "44nZvqpemY7sVYgPYbvPih", "transactTime": 1710485608839,
            "price": "1.00000000", "origQty": "5.00000000", "executedQty": "0.00000000", "origQuoteOrderQty": "0.000000",
            "cummulativeQuoteQty": "0.00000000", "status": "NEW", "timeInForce": "GTC", "type": "STOP_LOSS_LIMIT", "side": "SELL",
            "stopPrice": "1.00000000", "workingTime": -1, "icebergQty": "1.00000000", "selfTradePreventionMode": "NONE"},
           {"symbol": "LTCBTC", "orderId": 11, "orderListId": 1, "clientOrderId": "NuMp0nVYnciDiFmVqfpBqK", "transactTime": 1710485608839,
            "price": "3.00000000", "origQty": "5.00000000", "executedQty": "0.00000000", "origQuoteOrderQty": "0.000000",
            "cummulativeQuoteQty": "0.00000000", "status": "NEW", "timeInForce": "GTC", "type": "LIMIT_MAKER", "side": "SELL",
            "workingTime": 1710485608839, "selfTradePreventionMode": "NONE"}]}
        """

    @Test func anOCOAnswerGivesTheListAndBothLegs() throws {
        let list = try BinanceDecoding.orderList(try Self.json(Self.ocoAnswer))
        #expect(list.orderListID == 1)
        #expect(list.contingencyType == "OCO")
        #expect(list.isOpen)
        #expect(list.listClientOrderID == "lH1YDkuQKWiXVXHPSKYEIp")
        #expect(list.orders == [.init(orderID: 10, clientOrderID: "44nZvqpemY7sVYgPYbvPih"), .init(orderID: 11, clientOrderID: "NuMp0nVYnciDiFmVqfpBqK")])
        #expect(list.orderReports.map(\.type) == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"])
        #expect(list.orderReports.map(\.orderListID) == [1, 1])
        #expect(list.orderReports.map(\.stopPrice) == [1, nil])
        #expect(list.orderReports.map(\.time) == [1_710_485_608_839, 1_710_485_608_839])
    }

    @Test func aListQueryCarriesNoReports() throws {
        let text = """
            {"orderListId": 27, "contingencyType": "OCO", "listStatusType": "ALL_DONE", "listOrderStatus": "ALL_DONE",
             "listClientOrderId": "h2USkA5YQpaXHPIrkd96xE", "transactionTime": 1565245656253, "symbol": "LTCBTC",
             "orders": [{"symbol": "LTCBTC", "orderId": 4, "clientOrderId": "qD1gy3kc3Gx0rihm9Y3xwS"},
                        {"symbol": "LTCBTC", "orderId": 5, "clientOrderId": "ARzZ9I00CPM8i3NhmU9Ega"}]}
            """
        let list = try BinanceDecoding.orderList(try Self.json(text))
        #expect(!list.isOpen)
        #expect(list.orders.map(\.orderID) == [4, 5])
        #expect(list.orderReports.isEmpty)
    }

    @Test func aMalformedListNamesTheField() throws {
        func reason(_ text: String) -> String? {
            do {
                _ = try BinanceDecoding.orderList(try Self.json(text))
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(reason(Self.ocoAnswer.replacingOccurrences(of: "\"orders\"", with: "\"legs\""))?.contains("orders") == true)
        #expect(reason(Self.ocoAnswer.replacingOccurrences(of: "\"listOrderStatus\"", with: "\"x\""))?.contains("listOrderStatus") == true)
        #expect(reason(Self.ocoAnswer.replacingOccurrences(of: "\"status\"", with: "\"x\""))?.contains("status") == true)
        #expect(reason(Self.ocoAnswer.replacingOccurrences(of: "\"stopPrice\": \"1.00000000\"", with: "\"stopPrice\": 1"))?.contains("stopPrice") == true)
        #expect(reason("[]")?.contains("not an object") == true)
    }

    @Test func anOrderOutsideAListAndWithoutAStopReadsAsSuch() throws {
        let text = """
            {"symbol": "BTCUSDT", "orderId": 28, "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP", "time": 1499827319559,
             "price": "0.10000000", "origQty": "1.00000000", "executedQty": "0.00000000", "cummulativeQuoteQty": "0.00000000",
             "status": "NEW", "type": "LIMIT", "side": "BUY", "stopPrice": "0.00000000"}
            """
        let order = try BinanceDecoding.order(try Self.json(text))
        #expect(order.orderListID == -1)
        #expect(order.stopPrice == nil)
        #expect(order.time == 1_499_827_319_559)
    }

    static let cancelReplaceAnswer = """
        {"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS",
         "cancelResponse": {"symbol": "BTCUSDT", "origClientOrderId": "DnLo3vTAQcjha43lAZhZ0y", "orderId": 9, "orderListId": -1,
           "clientOrderId": "osxN3JXAtJvKvCqGeMWMVR", "transactTime": 1684804350068, "price": "0.01000000", "origQty": "0.000100",
           "executedQty": "0.00000000", "cummulativeQuoteQty": "0.00000000", "status": "CANCELED", "timeInForce": "GTC",
           "type": "LIMIT", "side": "SELL", "selfTradePreventionMode": "NONE"},
         "newOrderResponse": {"symbol": "BTCUSDT", "orderId": 10, "orderListId": -1, "clientOrderId": "wOceeeOzNORyLiQfw7jd8S",
           "transactTime": 1652928801803, "price": "0.02000000", "origQty": "0.040000", "executedQty": "0.00000000",
           "cummulativeQuoteQty": "0.00000000", "status": "NEW", "timeInForce": "GTC", "type": "LIMIT", "side": "BUY",
           "workingTime": 1669277163808, "fills": [], "selfTradePreventionMode": "NONE"}}
        """

    @Test func aCancelReplaceAnswerGivesBothHalves() throws {
        let report = try BinanceDecoding.cancelReplace(try Self.json(Self.cancelReplaceAnswer))
        #expect(report.cancelled?.clientOrderID == "DnLo3vTAQcjha43lAZhZ0y")
        #expect(report.cancelled?.status == "CANCELED")
        #expect(report.placed?.clientOrderID == "wOceeeOzNORyLiQfw7jd8S")
        #expect(report.placed?.status == "NEW")
        #expect(report.placed?.time == 1_652_928_801_803)
    }

    @Test func aCancelReplaceAnswerWithoutResultsIsInvalid() throws {
        let text = Self.cancelReplaceAnswer.replacingOccurrences(of: "\"cancelResult\"", with: "\"x\"")
        #expect(throws: ExchangeError.self) { try BinanceDecoding.cancelReplace(try Self.json(text)) }
    }

    @Test func aFailedCancelReplaceKeepsWhyEachHalfFailed() {
        let failed = """
            {"code": -2022, "msg": "Order cancel-replace failed.", "data": {"cancelResult": "FAILURE", "newOrderResult": "NOT_ATTEMPTED",
             "cancelResponse": {"code": -2011, "msg": "Unknown order sent."}, "newOrderResponse": null}}
            """
        #expect(
            ExchangeError.from(status: 400, body: failed, retryAfter: nil, isOrderPlacement: true, clientOrderID: "b")
                == .rejected(code: -2022, message: "Order cancel-replace failed. (cancel: Unknown order sent.; new order: NOT_ATTEMPTED)"))
        let partly = """
            {"code": -2021, "msg": "Order cancel-replace partially failed.", "data": {"cancelResult": "SUCCESS", "newOrderResult": "FAILURE",
             "cancelResponse": {"symbol": "BTCUSDT", "origClientOrderId": "a", "orderId": 9, "status": "CANCELED"},
             "newOrderResponse": {"code": -2010, "msg": "Order would immediately match and take."}}}
            """
        #expect(
            ExchangeError.from(status: 409, body: partly, retryAfter: nil, isOrderPlacement: true, clientOrderID: "b")
                == .rejected(
                    code: -2021, message: "Order cancel-replace partially failed. (cancel: SUCCESS; new order: Order would immediately match and take.)"))
    }

    @Test func theNewEndpointsWeighWhatBinanceSays() {
        #expect(BinanceClient.weight(.GET, "/api/v3/orderList", "origClientOrderId=x") == 4)
        #expect(BinanceClient.weight(.GET, "/api/v3/openOrderList", "") == 6)
        #expect(BinanceClient.weight(.POST, "/api/v3/orderList/oco", "symbol=BTCUSDT") == 1)
        #expect(BinanceClient.weight(.POST, "/api/v3/order/cancelReplace", "symbol=BTCUSDT") == 1)
        #expect(BinanceClient.weight(.DELETE, "/api/v3/orderList", "symbol=BTCUSDT") == 1)
        #expect(BinanceClient.weight(.GET, "/api/v3/myTrades", "symbol=BTCUSDT&orderId=5") == 5)
        #expect(BinanceClient.weight(.GET, "/api/v3/myTrades", "symbol=BTCUSDT") == 20)
    }
}
