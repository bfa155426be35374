import Common
import Foundation
import Hummingbird

/// Responses of the web: HTML pages, JSON (``WireJSON``: snake_case, times ISO-8601 UTC),
/// redirects.
enum Reply {
    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// JSON of one of the API's answer types (`Sources/Web/API`).
    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: WireJSON.data(value)))
        )
    }

    static func redirect(_ location: String, status: HTTPResponse.Status = .seeOther) -> Response {
        Response(status: status, headers: [.location: location, .cacheControl: "no-store"])
    }
}
