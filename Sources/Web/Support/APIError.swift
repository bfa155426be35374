import Common
import Foundation
import Hummingbird

/// A JSON API error: `{"error":{"code","message"}}` with a 4xx (or a 503 when a dependency is down).
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    var description: String { "\(status.code) \(code): \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Reply.json(status, ErrorBody(code: code, message: message))
        for field in headers { response.headers.append(field) }
        return response
    }

    static func notFound(_ what: String = "No such resource.") -> APIError { APIError(.notFound, "not_found", what) }
    static func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
}

extension APIError {
    /// The message for a page, in the reader's language: the catalog's `error.<code>` text, with
    /// `{detail}` filled by the English message (a field's problem) and `{seconds}` by
    /// `Retry-After`; the message itself for a code the catalog does not know.
    var pageMessage: String {
        guard Localizer.current.language.catalog["error.\(code)"] != nil else { return message }
        return t("error.\(code)", ["detail": message, "seconds": headers[.retryAfter] ?? "?"])
    }
}
