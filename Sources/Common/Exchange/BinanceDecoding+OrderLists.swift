import Foundation

extension BinanceDecoding {
    /// An order list (`orderList/oco`, `orderList`, `openOrderList`); queries carry no
    /// `orderReports`.
    static func orderList(_ object: Any) throws -> OrderListReport {
        guard let list = object as? [String: Any] else { throw ExchangeError.invalidResponse("an order list is not an object") }
        guard let members = list["orders"] as? [[String: Any]] else { throw ExchangeError.invalidResponse("orders is missing") }
        let orders = try members.map { (member: [String: Any]) throws in
            OrderListReport.Member(orderID: try integer(member, "orderId"), clientOrderID: try string(member, "clientOrderId"))
        }
        let reports = list["orderReports"] as? [Any] ?? []
        if list["orderReports"] != nil, list["orderReports"] as? [Any] == nil { throw ExchangeError.invalidResponse("orderReports is not a list") }
        return OrderListReport(
            orderListID: try integer(list, "orderListId"), contingencyType: try string(list, "contingencyType"),
            listStatusType: try string(list, "listStatusType"), listOrderStatus: try string(list, "listOrderStatus"),
            listClientOrderID: try string(list, "listClientOrderId"), symbol: try string(list, "symbol"),
            orders: orders, orderReports: try reports.map(order))
    }

    /// `order/cancelReplace`'s answer: each half is an order, or absent (`null`, or a
    /// `{code,msg}` of a half that failed).
    static func cancelReplace(_ object: Any) throws -> CancelReplaceReport {
        guard let answer = object as? [String: Any] else { throw ExchangeError.invalidResponse("a cancelReplace answer is not an object") }
        func half(_ key: String, _ result: String) throws -> OrderReport? {
            guard answer[result] as? String == "SUCCESS" else { return nil }
            guard let report = answer[key] else { throw ExchangeError.invalidResponse("\(key) is missing") }
            return try order(report)
        }
        guard answer["cancelResult"] is String, answer["newOrderResult"] is String else {
            throw ExchangeError.invalidResponse("cancelResult or newOrderResult is missing")
        }
        return CancelReplaceReport(cancelled: try half("cancelResponse", "cancelResult"), placed: try half("newOrderResponse", "newOrderResult"))
    }
}
