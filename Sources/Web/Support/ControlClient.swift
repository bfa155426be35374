import AsyncHTTPClient
import Common
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// The web's side of the control socket (`DIR/run/supervisor.sock`): it asks the supervisor to
/// store or delete a key and to pass commands to a worker. The web never touches `master.key`.
struct ControlClient: Sendable {
    typealias Method = NIOHTTP1.HTTPMethod
    let socketPath: String

    struct Answer {
        let status: Int
        let object: [String: Any]
    }

    static let unavailable = APIError(
        .serviceUnavailable, "supervisor_unavailable", "The supervisor does not answer on its control socket; try again in a moment."
    )

    /// Its own client: a connection that cannot be made fails in 2 s instead of being retried.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2))
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    func send(_ method: Method, _ path: String, json: [String: Any]? = nil) async throws(APIError) -> Answer {
        guard FileManager.default.fileExists(atPath: socketPath) else { throw Self.unavailable }
        let host = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
        var request = HTTPClientRequest(url: "http+unix://\(host)\(path)")
        request.method = method
        if let json, let data = try? JSONSerialization.data(withJSONObject: json) {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        do {
            // Checking a key with the exchange may take the client's 10 s timeout and a retry.
            let response = try await Self.http.execute(request, timeout: .seconds(25))
            let body = try await response.body.collect(upTo: 1 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            return Answer(status: Int(response.status.code), object: object)
        } catch {
            throw Self.unavailable
        }
    }

    /// Turns a supervisor's error answer into the same error for the client.
    static func relay(_ answer: Answer) -> APIError {
        let error = answer.object["error"] as? [String: Any]
        let code = error?["code"] as? String ?? "supervisor_error"
        let message = error?["message"] as? String ?? "The supervisor refused the request (HTTP \(answer.status))."
        let status: HTTPResponse.Status = (400..<600).contains(answer.status) ? .init(code: answer.status) : .badGateway
        var headers: HTTPFields = [:]
        if let seconds = (error?["retry_after"] as? String).flatMap(Int.init) { headers[.retryAfter] = String(seconds) }
        return APIError(status.code >= 500 && status != .serviceUnavailable ? .serviceUnavailable : status, code, message, headers: headers)
    }
}
