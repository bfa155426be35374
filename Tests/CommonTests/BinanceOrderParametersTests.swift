import Foundation
import Testing

@testable import Common

/// What goes on the wire for order lists and cancel-replace (BINANCE.md §10.2, §10.3).
@Suite struct BinanceOrderParametersTests {
    static func pairs(_ query: QueryString) -> [String: String] {
        Dictionary(query.items, uniquingKeysWith: { first, _ in first })
    }

    @Test func anOCOSendsEachLegUnderItsPrefix() {
        let list = NewOCO(
            symbol: "BTCUSDT", side: .sell, quantity: Decimal(string: "0.01")!, listClientOrderID: "u7-BTCUSDT-1-XL",
            above: .init(type: "LIMIT_MAKER", price: 110, clientOrderID: "u7-BTCUSDT-1-XT"),
            below: .init(type: "STOP_LOSS_LIMIT", price: 89, stopPrice: 90, trailingDelta: 200, timeInForce: "GTC", clientOrderID: "u7-BTCUSDT-1-XS"))
        let query = BinanceClient.ocoParameters(list)
        #expect(query.items.count == Set(query.items.map(\.0)).count)
        #expect(
            Self.pairs(query) == [
                "symbol": "BTCUSDT", "side": "SELL", "quantity": "0.01", "listClientOrderId": "u7-BTCUSDT-1-XL",
                "aboveType": "LIMIT_MAKER", "aboveClientOrderId": "u7-BTCUSDT-1-XT", "abovePrice": "110",
                "belowType": "STOP_LOSS_LIMIT", "belowClientOrderId": "u7-BTCUSDT-1-XS", "belowPrice": "89", "belowStopPrice": "90",
                "belowTrailingDelta": "200", "belowTimeInForce": "GTC", "newOrderRespType": "FULL",
            ])
    }

    @Test func aCancelReplaceSendsTheNewOrderAsPlaceWouldPlusTheCancel() {
        let order = NewOrder(
            symbol: "BTCUSDT", side: .sell,
            kind: .conditional(ConditionalOrder(trigger: .stopLossLimit, quantity: 1, stopPrice: 90, limitPrice: 89)), clientOrderID: "b")
        let query = BinanceClient.cancelReplaceParameters(cancelClientOrderID: "a", order)
        #expect(Array(query.items.prefix(BinanceClient.orderParameters(order).items.count)).map(\.0) == BinanceClient.orderParameters(order).items.map(\.0))
        #expect(
            Self.pairs(query) == [
                "symbol": "BTCUSDT", "side": "SELL", "type": "STOP_LOSS_LIMIT", "quantity": "1", "stopPrice": "90", "price": "89",
                "timeInForce": "GTC", "newClientOrderId": "b", "newOrderRespType": "FULL", "cancelReplaceMode": "STOP_ON_FAILURE",
                "cancelOrigClientOrderId": "a",
            ])
    }
}
