import Common
import Foundation
import Testing

/// The control socket's messages as both ends write and read them (``WireJSON``): each one
/// survives the trip, and its text is the one the other process expects, key by key.
@Suite struct ControlMessagesTests {
    static func text(_ value: some Encodable) -> String { WireJSON.text(value) }

    static func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        try WireJSON.decode(T.self, from: WireJSON.data(value))
    }

    static let time = Date(timeIntervalSince1970: 1_796_000_000.25)

    @Test func aCommandCarriesItsPayloadAsJSONText() throws {
        let stop = CommandRequest(.stop, payload: StopPayload(closePositions: true))
        #expect(Self.text(stop) == #"{"command":"stop","payload":"{\"close_positions\":true}"}"#)
        #expect(try Self.roundTrip(stop) == stop)
        let cancel = CommandRequest(.cancelOrder, payload: CancelOrderPayload(orderID: 987_654_321))
        #expect(cancel.payload == #"{"order_id":987654321}"#)
        #expect(try WireJSON.decode(CancelOrderPayload.self, from: Data(cancel.payload!.utf8)) == CancelOrderPayload(orderID: 987_654_321))
        #expect(try WireJSON.decode(StopPayload.self, from: Data(stop.payload!.utf8)) == StopPayload(closePositions: true))
        // JSON text (the settings, a manual order) goes as it is, not quoted a second time.
        let settings = String(decoding: BotSettings.defaults.encoded(), as: UTF8.self)
        let changed = CommandRequest(.settingsChanged, json: settings)
        #expect(changed.payload == settings)
        #expect(try BotSettings.decode(Data(try #require(Self.roundTrip(changed).payload).utf8)) == .defaults)
        let start = CommandRequest(.start)
        #expect(Self.text(start) == #"{"command":"start"}"#)
        #expect(try Self.roundTrip(start) == start)
    }

    @Test func theKnownCommandsAreTheWorkersCommands() {
        #expect(CommandRequest.known == ["start", "stop", "emergency_stop", "settings_changed", "cancel_order", "place_order", "bot_start", "bot_stop", "signal"])
        #expect(CommandRequest(.emergencyStop).command == "emergency_stop")
        #expect(CommandRequest(.settingsChanged).command == "settings_changed")
        #expect(CommandRequest(.placeOrder).command == "place_order")
    }

    @Test func anAcceptedCommandSaysItsIdAndWhetherItWasDelivered() throws {
        let accepted = CommandAccepted(commandID: 42, delivered: false)
        #expect(Self.text(accepted) == #"{"command_id":42,"delivered":false}"#)
        #expect(try Self.roundTrip(accepted) == accepted)
    }

    @Test func aKeyRequestCarriesTheKeyAndTheSecret() throws {
        let key = ExchangeKeyRequest(apiKey: "abcDEF123", apiSecret: "s3cr3t/+=")
        #expect(Self.text(key) == #"{"api_key":"abcDEF123","api_secret":"s3cr3t/+="}"#)
        #expect(try Self.roundTrip(key) == key)
    }

    @Test func aStoredKeyHasItsVerificationTimeOrNull() throws {
        let verified = ExchangeKeyInfo(maskedKey: "abcd…wxyz", canTrade: true, verifiedAt: Self.time)
        #expect(Self.text(verified) == #"{"can_trade":true,"masked_key":"abcd…wxyz","verified_at":"2026-11-30T00:53:20.250Z"}"#)
        #expect(try Self.roundTrip(verified) == verified)
        let unverified = ExchangeKeyInfo(maskedKey: "abcd…wxyz", canTrade: false, verifiedAt: nil)
        #expect(Self.text(unverified) == #"{"can_trade":false,"masked_key":"abcd…wxyz","verified_at":null}"#)
        #expect(try Self.roundTrip(unverified) == unverified)
        // An answer without the field reads as not verified.
        let missing = try WireJSON.decode(ExchangeKeyInfo.self, from: Data(#"{"can_trade":false,"masked_key":"k"}"#.utf8))
        #expect(missing.verifiedAt == nil)
    }

    @Test func anErrorNamesItsCodeAndSaysWhenToRetry() throws {
        let plain = ErrorBody(code: "no_key", message: "no bot runs")
        #expect(Self.text(plain) == #"{"error":{"code":"no_key","message":"no bot runs"}}"#)
        #expect(try Self.roundTrip(plain) == plain)
        let limited = ErrorBody(code: "exchange_rate_limited", message: "wait", retryAfter: "30")
        #expect(Self.text(limited) == #"{"error":{"code":"exchange_rate_limited","message":"wait","retry_after":"30"}}"#)
        #expect(try Self.roundTrip(limited) == limited)
    }

    @Test func aMalformedMessageIsRefused() {
        #expect(throws: (any Error).self) { try WireJSON.decode(CommandRequest.self, from: Data(#"{"payload":"x"}"#.utf8)) }
        #expect(throws: (any Error).self) { try WireJSON.decode(CommandAccepted.self, from: Data(#"{"command_id":"42","delivered":true}"#.utf8)) }
        #expect(throws: (any Error).self) {
            try WireJSON.decode(ExchangeKeyInfo.self, from: Data(#"{"can_trade":true,"masked_key":"k","verified_at":"yesterday"}"#.utf8))
        }
    }
}
