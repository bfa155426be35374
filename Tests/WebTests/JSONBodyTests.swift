import Common
import Foundation
import Hummingbird
import Testing

@testable import Web

/// A JSON request body read with limits and checked field by field: a 4xx naming the problem,
/// never a 5xx. The request is built in memory.
@Suite struct JSONBodyTests {
    static func request(_ body: String, type: String? = "application/json") -> Request {
        var head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/api/v1/x")
        if let type { head.headerFields[.contentType] = type }
        return Request(head: head, body: .init(buffer: ByteBuffer(string: body)))
    }

    /// What `read` answers: the fields' keys, or the refusal as `APIError.description` says it.
    static func read(_ body: String, type: String? = "application/json", user: Int64? = 3, optional: Bool = false) async -> String {
        do {
            let read = try await JSONBody.read(request(body, type: type), user: user.map { UserID($0) }, optional: optional)
            return read.fields.keys.sorted().joined(separator: ",")
        } catch {
            return error.description
        }
    }

    @Test func readAcceptsAJSONObject() async {
        #expect(await Self.read(#"{"a":1,"b":"x"}"#) == "a,b")
        #expect(await Self.read(#"{"a":1}"#, type: "application/json; charset=utf-8") == "a")
        #expect(await Self.read(#"{"a":1}"#, type: nil) == "a")
        #expect(await Self.read("", optional: true) == "")
    }

    @Test func readRefusesWhatIsNoJSONObject() async {
        #expect(await Self.read("a=1", type: "application/x-www-form-urlencoded") == "415 unsupported_media_type: Send the body as application/json.")
        #expect(await Self.read("") == "400 invalid_request: The body must be a JSON object.")
        #expect(await Self.read("[1,2]") == "400 invalid_request: The body must be a JSON object.")
        #expect(await Self.read("{") == "400 invalid_request: The body must be a JSON object.")
        let large = #"{"a":""# + String(repeating: "x", count: 64 * 1024) + #""}"#
        #expect(await Self.read(large) == "413 body_too_large: The body must be at most 64 KiB.")
    }

    @Test func aBodyNamingAnotherUserIsNotFound() async {
        #expect(await Self.read(#"{"user_id":3}"#) == "user_id")
        #expect(await Self.read(#"{"user_id":"3"}"#) == "user_id")
        #expect(await Self.read(#"{"user_id":4}"#) == "404 not_found: No such resource.")
        #expect(await Self.read(#"{"user_id":"three"}"#) == "404 not_found: No such resource.")
        #expect(await Self.read(#"{"user_id":3}"#, user: nil) == "404 not_found: No such resource.")
    }

    @Test func fieldReadersRefuseAMissingOrWrongValue() throws {
        // As `read` gets them: parsed by JSONSerialization.
        let json = #"{"name":"x","count":2,"flag":true,"none":null}"#
        let body = JSONBody(fields: try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]))
        #expect(try body.string("name") == "x")
        #expect(try body.bool("flag", default: false))
        #expect(try body.bool("none", default: true))
        #expect(try !body.bool("absent", default: false))
        func refusal(_ read: () throws -> Any) -> String? {
            do {
                _ = try read()
                return nil
            } catch {
                return (error as? APIError)?.description ?? "\(error)"
            }
        }
        #expect(refusal { try body.string("missing") } == #"400 invalid_request: "missing" is required."#)
        #expect(refusal { try body.string("count") } == #"400 invalid_request: "count" must be a string."#)
        #expect(refusal { try body.bool("name", default: false) } == #"400 invalid_request: "name" must be true or false."#)
        #expect(refusal { try body.bool("count", default: false) } == #"400 invalid_request: "count" must be true or false."#)
    }
}
