import Common
import Foundation
import Testing

@testable import Web

/// How the web reads a manual order before it checks it with the exchange: the JSON fields and
/// the form's fields, and a 422 naming the field for what it cannot read.
@Suite struct ManualOrderIntakeTests {
    static func d(_ text: String) -> Decimal { DecimalText.parse(text)! }

    /// The refusal of `fields`, as `APIError.description` says it ("422 invalid_order: …").
    static func refusal(_ fields: [String: Any]) -> String? {
        do {
            _ = try ManualOrderIntake.decode(fields)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func decodeReadsTheOrderWithItsRequestIDAndToleratesAUserID() throws {
        let order = try ManualOrderIntake.decode([
            "symbol": "BTCUSDT", "side": "BUY", "type": "limit", "quantity": "0.001", "price": 40_000, "time_in_force": "IOC",
            "take_profit": "42000.5", "request_id": "abc123", "user_id": 7,
        ])
        let expected = ManualOrder(
            symbol: "BTCUSDT", side: "BUY", type: .limit, quantity: Self.d("0.001"), price: 40_000, timeInForce: "IOC", takeProfit: Self.d("42000.5"),
            requestID: "abc123")
        #expect(order == expected)
    }

    @Test func aMissingRequestIDIsGeneratedAndDiffersEachTime() throws {
        let first = try ManualOrderIntake.decode(["symbol": "BTCUSDT", "side": "SELL", "type": "market", "quantity": "1"])
        let second = try ManualOrderIntake.decode(["symbol": "BTCUSDT", "side": "SELL", "type": "market", "quantity": "1", "request_id": NSNull()])
        for id in [first.requestID, second.requestID] {
            #expect(id.count == 12 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(id)")
        }
        #expect(first.requestID != second.requestID)
    }

    @Test func whatCannotBeReadIsRefusedNamingTheField() {
        let order: [String: Any] = ["symbol": "BTCUSDT", "side": "BUY", "type": "market", "quantity": "1", "request_id": "r1"]
        func with(_ key: String, _ value: Any?) -> [String: Any] {
            var fields = order
            fields[key] = value
            return fields
        }
        #expect(Self.refusal(order) == nil)
        #expect(Self.refusal(with("symbol", nil)) == "422 invalid_order: symbol: is required")
        #expect(Self.refusal(with("side", NSNull())) == "422 invalid_order: side: is required")
        #expect(Self.refusal(with("side", 1)) == "422 invalid_order: side: must be a string")
        #expect(Self.refusal(with("type", "stop")) == "422 invalid_order: type: must be market or limit")
        let amount = #"422 invalid_order: quantity: must be a decimal number as a string, such as "0.001""#
        #expect(Self.refusal(with("quantity", "1e3")) == amount)
        #expect(Self.refusal(with("quantity", "0,5")) == amount)
        #expect(Self.refusal(with("quantity", true)) == amount)
    }

    @Test func theFormsEmptyFieldsAreAbsentAndOthersIgnored() {
        let form = FormBody(fields: [
            "symbol": " ETHUSDT ", "side": "BUY", "type": "limit", "quantity": "0.5", "price": "", "take_profit": "  ", "stop_loss": "2000",
            "csrf": "token", "user_id": "9",
        ])
        let fields = ManualOrderIntake.fields(form)
        #expect(Set(fields.keys) == ["symbol", "side", "type", "quantity", "stop_loss"])
        #expect(fields["symbol"] as? String == "ETHUSDT")
        #expect(fields["stop_loss"] as? String == "2000")
    }

    @Test func aFormBodyIsDecodedFieldByField() {
        let fields = FormBody.parse("symbol=BTCUSDT&note=a+b%21&empty=&bare&&x=1=2&bad=%zz")
        #expect(fields["symbol"] == "BTCUSDT")
        #expect(fields["note"] == "a b!")
        #expect(fields["empty"] == "")
        #expect(fields["bare"] == "")
        #expect(fields["x"] == "1=2")
        // Percent-encoding that does not decode gives an empty value, not a crash.
        #expect(fields["bad"] == "")
        #expect(fields.count == 6)
    }
}
