import Common
import Foundation
import Hummingbird
import Logging
import Testing

@testable import Web

/// The web's one JSON error shape, `{"error":{"code","message"}}`, and a supervisor's error
/// relayed to the client as the same shape. No server: the response is built and read in memory.
@Suite struct APIErrorTests {
    struct TestSource: RequestContextSource {
        let logger = Logger(label: "test")
    }

    /// A request context with no channel behind it.
    struct Context: RequestContext {
        typealias Source = TestSource
        var coreContext: CoreRequestContextStorage
        init(source: TestSource) { coreContext = .init(source: source) }
    }

    /// Collects a response body in memory.
    struct Collector: ResponseBodyWriter {
        let bytes: Box
        final class Box: @unchecked Sendable { var data = Data() }
        mutating func write(_ buffer: ByteBuffer) async throws { bytes.data.append(contentsOf: buffer.readableBytesView) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    static func response(_ error: APIError) async throws -> (status: Int, headers: HTTPFields, body: [String: Any]) {
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/api/v1/x"), body: .init(buffer: ByteBuffer()))
        let response = try error.response(from: request, context: Context(source: TestSource()))
        let box = Collector.Box()
        try await response.body.write(Collector(bytes: box))
        let body = try #require(try JSONSerialization.jsonObject(with: box.data) as? [String: Any])
        return (Int(response.status.code), response.headers, body)
    }

    @Test func anErrorIsAnsweredAsItsStatusAndTheErrorObject() async throws {
        let answer = try await Self.response(APIError(.conflict, "no_key", "Store an API key first.", headers: [.retryAfter: "5"]))
        #expect(answer.status == 409)
        #expect(answer.headers[.contentType] == "application/json; charset=utf-8")
        #expect(answer.headers[.retryAfter] == "5")
        #expect(answer.body.keys.sorted() == ["error"])
        let error = try #require(answer.body["error"] as? [String: String])
        #expect(error == ["code": "no_key", "message": "Store an API key first."])
    }

    @Test func theCommonErrorsHaveTheirCodes() async throws {
        #expect(APIError.notFound().description == "404 not_found: No such resource.")
        #expect(APIError.invalid("\"x\" is required.").description == "400 invalid_request: \"x\" is required.")
        let answer = try await Self.response(.invalid("bad"))
        #expect(answer.status == 400)
        #expect(answer.body.keys.sorted() == ["error"])
        #expect(answer.body["error"] as? [String: String] == ["code": "invalid_request", "message": "bad"])
    }

    @Test func aSupervisorsErrorIsRelayedAsTheSameError() {
        let noKey = ControlClient.relay(.init(status: 409, body: WireJSON.data(ErrorBody(code: "no_key", message: "no bot runs"))))
        #expect(noKey.description == "409 no_key: no bot runs")
        let limited = ControlClient.relay(
            .init(status: 429, body: Data(#"{"error":{"code":"exchange_rate_limited","message":"slow down","retry_after":"30"}}"#.utf8)))
        #expect(limited.description == "429 exchange_rate_limited: slow down")
        #expect(limited.headers[.retryAfter] == "30")
        // A supervisor failing, or answering something that is no error, is the dependency being down.
        #expect(ControlClient.relay(.init(status: 500, body: Data("{}".utf8))).description == "503 supervisor_error: The supervisor refused the request (HTTP 500).")
        #expect(ControlClient.relay(.init(status: 200, body: Data())).status == .serviceUnavailable)
    }
}
