import Common
import Foundation
import Hummingbird
import Testing

@testable import Supervisor

/// What the control socket accepts from the web, read without a socket: the commands a worker
/// knows, the key's form, and the JSON error shape of its answers.
@Suite struct ControlRequestTests {
    static func command(_ json: String) -> CommandRequest? {
        try? WireJSON.decode(CommandRequest.self, from: Data(json.utf8))
    }

    @Test func aCommandIsOneTheWorkerKnows() throws {
        let place = try #require(Self.command(#"{"command":"place_order","payload":"{\"symbol\":\"BTCUSDT\"}"}"#))
        #expect(place.command == "place_order" && place.payload == #"{"symbol":"BTCUSDT"}"#)
        #expect(CommandRequest.known.contains(place.command))
        #expect(CommandRequest.known == ["start", "stop", "emergency_stop", "settings_changed", "cancel_order", "place_order", "bot_start", "bot_stop", "signal"])
        // An unknown command decodes but is not known, so the server refuses it (400 unknown_command).
        let unknown = try #require(Self.command(#"{"command":"withdraw"}"#))
        #expect(unknown.payload == nil)
        #expect(!CommandRequest.known.contains(unknown.command))
        #expect(!CommandRequest.known.contains("PLACE_ORDER"))
    }

    @Test func aBodyWithoutACommandStringIsNoCommand() {
        #expect(Self.command(#"{"payload":"x"}"#) == nil)
        #expect(Self.command(#"{"command":1}"#) == nil)
        #expect(Self.command(#"{"command":"stop","payload":{"a":1}}"#) == nil)
        #expect(Self.command("[]") == nil)
    }

    @Test func aKeyIsRefusedByItsFormBeforeTheExchangeIsAsked() {
        func problem(_ key: String, _ secret: String) -> String? {
            ControlServer.KeyRequest.problem(.init(apiKey: key, apiSecret: secret))
        }
        #expect(problem("abcDEF123", "s3cr3t") == nil)
        #expect(problem("", "s3cr3t") == "the API key and the secret are both required")
        #expect(problem("abc", "") == "the API key and the secret are both required")
        let limit = String(repeating: "k", count: 256)
        #expect(problem(limit, limit) == nil)
        #expect(problem(limit + "k", "s") == "the API key and the secret are at most 256 characters each")
        #expect(problem("k", limit + "s") == "the API key and the secret are at most 256 characters each")
        let unprintable = "the API key and the secret are printable ASCII without spaces; check what was pasted"
        #expect(problem("abc def", "s") == unprintable)
        #expect(problem("abc", "s\n") == unprintable)
        #expect(problem("abc", "sé") == unprintable)
    }

    @Test func anErrorIsAnsweredAsTheErrorObject() async throws {
        let response = try ControlServer.errorResponse(.conflict, "no_key", "no bot runs")
        #expect(response.status == .conflict)
        #expect(response.headers[.contentType] == "application/json")
        let box = Collector.Box()
        try await response.body.write(Collector(bytes: box))
        #expect(String(decoding: box.data, as: UTF8.self) == #"{"error":{"code":"no_key","message":"no bot runs"}}"#)
    }

    /// Collects a response body in memory.
    struct Collector: ResponseBodyWriter {
        final class Box: @unchecked Sendable { var data = Data() }
        let bytes: Box
        mutating func write(_ buffer: ByteBuffer) async throws { bytes.data.append(contentsOf: buffer.readableBytesView) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
