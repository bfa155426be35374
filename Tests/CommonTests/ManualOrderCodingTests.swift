import Common
import Foundation
import Testing

/// The JSON of a manual order, as the web writes the `place_order` payload and the worker reads
/// it, and the client order id both compute.
@Suite struct ManualOrderCodingTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    @Test func amountsAreWrittenAsDecimalStringsAndReadBack() throws {
        let order = ManualOrder(
            symbol: "BTCUSDT", side: "BUY", type: .limit, quantity: Self.d("0.001"), price: Self.d("43000.01"), takeProfit: Self.d("45000"),
            stopLoss: Self.d("41000.5"), requestID: "abc123")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(order), as: UTF8.self)
        #expect(
            text
                == #"{"price":"43000.01","quantity":"0.001","request_id":"abc123","side":"BUY","stop_loss":"41000.5","symbol":"BTCUSDT","take_profit":"45000","type":"limit"}"#
        )
        #expect(try JSONDecoder().decode(ManualOrder.self, from: Data(text.utf8)) == order)
    }

    @Test func numbersAreAcceptedAndNonsenseIsRefusedNamingTheField() throws {
        let read = try JSONDecoder().decode(
            ManualOrder.self, from: Data(#"{"symbol":"ETHUSDT","side":"SELL","type":"market","quantity":0.25,"request_id":"r1"}"#.utf8))
        #expect(read.quantity == Self.d("0.25") && read.price == nil)
        for bad in [#""1e5""#, #""1,5""#, #""-""#, "1e300", #"{"a":1}"#, "true", #""1.2.3""#, #"" ""#, String(repeating: "9", count: 60)] {
            let json = #"{"symbol":"ETHUSDT","side":"SELL","type":"market","quantity":\#(bad),"request_id":"r1"}"#
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(ManualOrder.self, from: Data(json.utf8)) }
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ManualOrder.self, from: Data(#"{"symbol":"ETHUSDT","side":"SELL","type":"stop","request_id":"r1"}"#.utf8))
        }
    }

    @Test func theClientOrderIDIsTheDocumentedShapeAndAtMost36Characters() {
        let order = ManualOrder(symbol: "BTCUSDT", side: "BUY", type: .market, quantity: 1, requestID: "Ab3dEf6hIj9L")
        #expect(order.clientOrderID(user: 42) == "u42-BTCUSDT-Ab3dEf6hIj9L-M")
        let long = ManualOrder(symbol: "1000SATSUSDTX", side: "BUY", type: .market, quantity: 1, requestID: "abcdefghijklmnop")
        let id = long.clientOrderID(user: 9_223_372_036_854_775_807)
        #expect(id.count == 36 && id.hasPrefix("u9223372036854775807-1000SATS"))
    }
}
