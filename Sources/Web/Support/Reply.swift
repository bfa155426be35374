import Common
import Foundation
import Hummingbird

/// Responses of the web: HTML pages, JSON (snake_case, times ISO-8601 UTC), redirects.
enum Reply {
    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// JSON from plain values: `nil` (as `Optional<Any>.none`) becomes `null`, dates ISO-8601.
    static func json(_ status: HTTPResponse.Status, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: normalise(object), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func redirect(_ location: String, status: HTTPResponse.Status = .seeOther) -> Response {
        Response(status: status, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// Dates to ISO-8601 text and absent optionals to `null`, all the way down.
    static func normalise(_ value: Any) -> Any {
        // Plain leaves as they are, by their exact type (no bridging cast, which would turn a
        // true into a 1): reflecting every value of a 100-row list cost the API most of its time.
        let kind = type(of: value)
        if kind == String.self || kind == Int.self || kind == Int64.self || kind == Double.self || kind == Bool.self || kind == NSNull.self
            || kind is NSNumber.Type
        {
            return value
        }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first else { return NSNull() }
            return normalise(wrapped.value)
        }
        switch value {
        case let date as Date: return Timestamp.string(date)
        case let dictionary as [String: Any]: return dictionary.mapValues(normalise)
        case let array as [Any]: return array.map(normalise)
        default: return value
        }
    }
}
