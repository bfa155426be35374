import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Small HTTP helpers over AsyncHTTPClient: TCP for the web, Unix socket for the control socket.
enum HTTP {
    /// Redirects are answers to check, not to follow (a browser would store their cookies first).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    struct Answer {
        let status: Int
        let body: String
        var headers: HTTPHeaders = [:]
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
    }

    static func get(_ url: String) async throws -> Answer {
        try await send(HTTPClientRequest(url: url))
    }

    static func post(_ url: String, json: String, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json))
        return try await send(request)
    }

    static func control(_ socket: String, _ method: NIOHTTP1.HTTPMethod, _ path: String, json: String? = nil) async throws -> Answer {
        let host = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket
        var request = HTTPClientRequest(url: "http+unix://\(host)\(path)")
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        return try await send(request)
    }

    struct Request {
        var url: String
        var method: NIOHTTP1.HTTPMethod
        var headers: [(String, String)] = []
        var body = ""
    }

    static func execute(_ plain: Request) async throws -> Answer {
        var request = HTTPClientRequest(url: plain.url)
        request.method = plain.method
        for (name, value) in plain.headers { request.headers.add(name: name, value: value) }
        if !plain.body.isEmpty { request.body = .bytes(ByteBuffer(string: plain.body)) }
        return try await send(request)
    }

    private static func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let answer = Answer(status: Int(response.status.code), body: String(buffer: body), headers: response.headers)
        // A simulator account's secret: no log of the run may contain it (SecretsSeen).
        if request.url.hasSuffix("/sim/v1/accounts"), let secret = answer.json?["secretKey"] as? String {
            SecretsSeen.record(secret)
        }
        return answer
    }
}
