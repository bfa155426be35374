import Common
import Foundation
import NIOHTTP1

/// A browser-like client of the web: keeps its cookies and the CSRF token, and records every
/// response body (the secret scan reads them).
final class WebClient: @unchecked Sendable {
    let base: String
    private(set) var cookies: [String: String] = [:]
    var csrf: String?
    private(set) var bodies: [String] = []
    private let lock = NSLock()

    init(port: Int) { base = "http://127.0.0.1:\(port)" }

    var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, form: [String: String]? = nil, headers: [(String, String)] = [], csrf useCSRF: Bool = true) async throws -> HTTP.Answer {
        var request = HTTP.Request(url: base + path, method: method)
        if !cookies.isEmpty { request.headers.append(("Cookie", cookieHeader)) }
        if useCSRF, let csrf, ![.GET, .HEAD].contains(method) { request.headers.append(("X-CSRF-Token", csrf)) }
        if let json {
            request.headers.append(("Content-Type", "application/json"))
            request.body = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        }
        if let form {
            request.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            request.body = form.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        }
        request.headers += headers
        let answer = try await HTTP.execute(request)
        lock.withLock {
            bodies.append(answer.body)
            for header in answer.headers[canonicalForm: "Set-Cookie"] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
                let value = pair.count > 1 ? String(pair[1]) : ""
                if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
        }
        return answer
    }

    func get(_ path: String) async throws -> HTTP.Answer { try await send(.GET, path) }

    func setCookie(_ name: String, _ value: String?) { lock.withLock { cookies[name] = value } }

    /// The same browser (cookies, CSRF token) talking to a web on another port: a restarted system.
    func moved(to port: Int) -> WebClient {
        let copy = WebClient(port: port)
        lock.withLock {
            copy.cookies = cookies
            copy.csrf = csrf
        }
        return copy
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    // MARK: - Accounts through the JSON API

    @discardableResult
    func signUp(_ username: String, _ password: String) async throws -> UserID {
        SecretsSeen.record(password)
        let answer = try await send(.POST, "/api/v1/signup", json: ["username": username, "password": password])
        guard answer.status == 201, let id = (answer.json?["user_id"] as? NSNumber)?.int64Value else {
            throw Failure("signup of \(username): \(answer.status) \(answer.body)")
        }
        return UserID(rawValue: id)
    }

    @discardableResult
    func logIn(_ username: String, _ password: String, remember: Bool = false) async throws -> HTTP.Answer {
        let answer = try await send(.POST, "/api/v1/login", json: ["username": username, "password": password, "remember_me": remember])
        if answer.status == 200 { csrf = answer.json?["csrf_token"] as? String }
        return answer
    }

    /// A hidden form field's value in an HTML page.
    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
