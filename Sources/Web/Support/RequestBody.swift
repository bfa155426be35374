import Common
import Foundation
import Hummingbird

/// A JSON object from a request body, read with limits and checked field by field, so that bad
/// input gets a 400 naming the field, never a 5xx.
struct JSONBody {
    let fields: [String: Any]

    /// - Parameter user: the session's user; a body naming another `user_id` is refused with
    ///   404, as if that user did not exist.
    static func read(_ request: Request, user: UserID?, optional: Bool = false) async throws(APIError) -> JSONBody {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "Send the body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            throw APIError(.contentTooLarge, "body_too_large", "The body must be at most 64 KiB.")
        }
        if buffer.readableBytes == 0 {
            if optional { return JSONBody(fields: [:]) }
            throw APIError.invalid("The body must be a JSON object.")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw APIError.invalid("The body must be a JSON object.")
        }
        let body = JSONBody(fields: object)
        if let given = object["user_id"] {
            let named = (given as? NSNumber)?.int64Value ?? (given as? String).flatMap { Int64($0) }
            guard let user, named == user.rawValue else { throw APIError.notFound() }
        }
        return body
    }

    func string(_ key: String) throws(APIError) -> String {
        guard let value = fields[key] else { throw APIError.invalid("\"\(key)\" is required.") }
        guard let text = value as? String else { throw APIError.invalid("\"\(key)\" must be a string.") }
        return text
    }

    func bool(_ key: String, default fallback: Bool) throws(APIError) -> Bool {
        guard let value = fields[key], !(value is NSNull) else { return fallback }
        guard let flag = value as? Bool else { throw APIError.invalid("\"\(key)\" must be true or false.") }
        return flag
    }
}

/// An `application/x-www-form-urlencoded` body (the HTML forms).
struct FormBody {
    let fields: [String: String]

    static func read(_ request: Request) async -> FormBody {
        guard let buffer = try? await request.body.collect(upTo: 64 * 1024) else { return FormBody(fields: [:]) }
        return FormBody(fields: parse(String(buffer: buffer)))
    }

    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? { String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]) else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    subscript(_ name: String) -> String? { fields[name] }
}
