import Common
import Foundation

/// Order-list bodies (BINANCE.md §10.2): note `transactionTime`, not `transactTime`.
extension BinanceJSON {
    /// A list as the queries answer it (no `orderReports`).
    static func list(_ list: SimOrderList, orders: [SimOrder]) -> [String: Any] {
        [
            "orderListId": list.orderListID, "contingencyType": list.contingencyType, "listStatusType": list.listStatusType,
            "listOrderStatus": list.listOrderStatus, "listClientOrderId": list.listClientOrderID, "transactionTime": list.transactionTime,
            "symbol": list.symbol,
            "orders": orders.map { ["symbol": $0.symbol, "orderId": $0.orderID, "clientOrderId": $0.clientOrderID] as [String: Any] },
        ]
    }

    /// A new list: its `orderReports` follow `newOrderRespType` (ACK: the short shape).
    static func placedList(_ list: SimOrderList, orders: [SimOrder], responseType: String) -> [String: Any] {
        var body = Self.list(list, orders: orders)
        body["orderReports"] = orders.map { order in
            var report = placed(order, fills: [], responseType: responseType)
            if responseType == "ACK" { report["transactTime"] = list.transactionTime }
            return report
        }
        return body
    }

    /// A cancelled list: every report is the cancel shape.
    static func cancelledList(_ list: SimOrderList, orders: [SimOrder]) -> [String: Any] {
        var body = Self.list(list, orders: orders)
        body["orderReports"] = orders.map(cancelled)
        return body
    }
}
