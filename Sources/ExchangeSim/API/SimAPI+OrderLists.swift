import Common
import Foundation
import Hummingbird

/// Order lists (OCO) and cancel-replace (BINANCE.md §10.2, §10.3).
extension SimAPI {
    func registerOrderLists(on router: Router<SimContext>) {
        router.post("/api/v3/orderList/oco") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in
                let (list, orders) = try exchange.placeOrderList(key: key!, try ocoRequest(binance))
                return BinanceJSON.placedList(list, orders: orders, responseType: try listResponseType(binance))
            }
        }
        router.post("/api/v3/order/oco") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in
                let (list, orders) = try exchange.placeOrderList(key: key!, try legacyOCORequest(binance))
                return BinanceJSON.placedList(list, orders: orders, responseType: try listResponseType(binance))
            }
        }
        router.get("/api/v3/orderList") { request, context in
            await handle(request, context, weight: { _ in 4 }, signed: true) { binance, key in
                let (list, orders) = try exchange.orderList(
                    key: key!, orderListID: try binance.integer("orderListId"), clientID: binance.parameters["origClientOrderId"])
                return BinanceJSON.list(list, orders: orders)
            }
        }
        router.get("/api/v3/openOrderList") { request, context in
            await handle(request, context, weight: { _ in 6 }, signed: true) { _, key in
                try exchange.orderLists(key: key!, openOnly: true).map { BinanceJSON.list($0.0, orders: $0.1) }
            }
        }
        router.get("/api/v3/allOrderList") { request, context in
            await handle(request, context, weight: { _ in 20 }, signed: true) { binance, key in
                let limit = Int(try binance.integer("limit") ?? 500)
                let fromID = try binance.integer("fromId")
                let lists = try exchange.orderLists(key: key!, openOnly: false).filter { fromID == nil || $0.0.orderListID >= fromID! }
                return (fromID == nil ? Array(lists.suffix(min(limit, 1_000))) : Array(lists.prefix(min(limit, 1_000)))).map {
                    BinanceJSON.list($0.0, orders: $0.1)
                }
            }
        }
        router.delete("/api/v3/orderList") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in
                let (list, orders) = try exchange.cancelOrderList(
                    key: key!, symbol: try binance.string("symbol"), orderListID: try binance.integer("orderListId"),
                    listClientOrderID: binance.parameters["listClientOrderId"])
                return BinanceJSON.cancelledList(list, orders: orders)
            }
        }
        router.post("/api/v3/order/cancelReplace") { request, context in
            await handle(request, context, weight: { _ in 1 }, signed: true) { binance, key in try cancelReplace(binance, key: key!) }
        }
    }

    /// Lists answer FULL unless told otherwise (Binance's docs show full reports; unverified).
    func listResponseType(_ binance: BinanceRequest) throws(SimError) -> String {
        try Self.responseType(binance, orderType: "LIMIT")
    }

    func ocoRequest(_ binance: BinanceRequest) throws(SimError) -> OrderListRequest {
        let (symbol, side, quantity) = try listBasics(binance)
        func leg(_ prefix: String) throws(SimError) -> OrderRequest {
            let type = try binance.string(prefix + "Type")
            guard SimOrder.allTypes.contains(type) else { throw .notSupportedInOCO }
            return OrderRequest(
                symbol: symbol, side: side, type: type, timeInForce: binance.parameters[prefix + "TimeInForce"].flatMap { $0.isEmpty ? nil : $0 },
                quantity: quantity, price: try binance.decimal(prefix + "Price"),
                clientOrderID: binance.parameters[prefix + "ClientOrderId"].flatMap { $0.isEmpty ? nil : $0 },
                stopPrice: try binance.decimal(prefix + "StopPrice"), trailingDelta: try binance.integer(prefix + "TrailingDelta").map { Int($0) })
        }
        return OrderListRequest(
            symbol: symbol, side: side, quantity: quantity, listClientOrderID: binance.parameters["listClientOrderId"].flatMap { $0.isEmpty ? nil : $0 },
            above: try leg("above"),
            below: try leg("below"))
    }

    /// The deprecated `POST /api/v3/order/oco`: a LIMIT_MAKER at `price` and a stop at `stopPrice`
    /// (STOP_LOSS_LIMIT at `stopLimitPrice` when given).
    func legacyOCORequest(_ binance: BinanceRequest) throws(SimError) -> OrderListRequest {
        let (symbol, side, quantity) = try listBasics(binance)
        guard let price = try binance.decimal("price") else { throw .missing("price") }
        guard let stopPrice = try binance.decimal("stopPrice") else { throw .missing("stopPrice") }
        let stopLimitPrice = try binance.decimal("stopLimitPrice")
        let stopTimeInForce = binance.parameters["stopLimitTimeInForce"].flatMap { $0.isEmpty ? nil : $0 }
        if (stopLimitPrice == nil) != (stopTimeInForce == nil) {
            throw SimError(status: 400, code: -1128, message: "Combination of optional parameters invalid.")
        }
        let limit = OrderRequest(
            symbol: symbol, side: side, type: "LIMIT_MAKER", quantity: quantity, price: price,
            clientOrderID: binance.parameters["limitClientOrderId"].flatMap { $0.isEmpty ? nil : $0 })
        let stop = OrderRequest(
            symbol: symbol, side: side, type: stopLimitPrice == nil ? "STOP_LOSS" : "STOP_LOSS_LIMIT", timeInForce: stopTimeInForce,
            quantity: quantity, price: stopLimitPrice, clientOrderID: binance.parameters["stopClientOrderId"].flatMap { $0.isEmpty ? nil : $0 },
            stopPrice: stopPrice,
            trailingDelta: try binance.integer("trailingDelta").map { Int($0) })
        return OrderListRequest(
            symbol: symbol, side: side, quantity: quantity, listClientOrderID: binance.parameters["listClientOrderId"].flatMap { $0.isEmpty ? nil : $0 },
            above: side == .sell ? limit : stop, below: side == .sell ? stop : limit)
    }

    private func listBasics(_ binance: BinanceRequest) throws(SimError) -> (String, OrderSide, Decimal) {
        let symbol = try binance.string("symbol")
        guard MarketCatalog.bySymbol[symbol] != nil else { throw .badSymbol }
        guard let side = OrderSide(rawValue: try binance.string("side")) else { throw .badSide }
        guard let quantity = try binance.decimal("quantity") else { throw .missing("quantity") }
        return (symbol, side, quantity)
    }
}
