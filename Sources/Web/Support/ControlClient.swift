import AsyncHTTPClient
import Common
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// The web's side of the control socket (`DIR/run/supervisor.sock`): it asks the supervisor to
/// store or delete a key and to pass commands to a worker. The web never touches `master.key`.
/// Requests and answers are the shared messages of `ControlMessages.swift`.
struct ControlClient: Sendable {
    typealias Method = NIOHTTP1.HTTPMethod
    let socketPath: String

    /// The supervisor's status code and body, read as the type the call expects when it succeeds.
    struct Answer: Sendable {
        let status: Int
        let body: Data

        func decode<T: Decodable>(_ type: T.Type) throws(APIError) -> T {
            do {
                return try WireJSON.decode(type, from: body)
            } catch {
                throw APIError(.badGateway, "supervisor_error", "The supervisor's answer could not be read (HTTP \(status)).")
            }
        }
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

    func send(_ method: Method, _ path: String) async throws(APIError) -> Answer {
        try await send(method, path, body: nil)
    }

    func send(_ method: Method, _ path: String, json: some Encodable) async throws(APIError) -> Answer {
        try await send(method, path, body: WireJSON.data(json))
    }

    private func send(_ method: Method, _ path: String, body: Data?) async throws(APIError) -> Answer {
        guard FileManager.default.fileExists(atPath: socketPath) else { throw Self.unavailable }
        let host = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
        var request = HTTPClientRequest(url: "http+unix://\(host)\(path)")
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            // Checking a key with the exchange may take the client's 10 s timeout and a retry.
            let response = try await Self.http.execute(request, timeout: .seconds(25))
            let body = try await response.body.collect(upTo: 1 << 20)
            return Answer(status: Int(response.status.code), body: Data(buffer: body))
        } catch {
            throw Self.unavailable
        }
    }

    /// Hands a command to the user's worker; the supervisor's refusal (409 `no_key`, …) becomes
    /// the same error for the client.
    func command(_ request: CommandRequest, user: UserID) async throws(APIError) -> CommandAccepted {
        let answer = try await send(.POST, "/v1/users/\(user.rawValue)/commands", json: request)
        guard answer.status == 202 else { throw Self.relay(answer) }
        return try answer.decode(CommandAccepted.self)
    }

    /// The kill switch is on: the supervisor tells every running worker to stop its bots.
    func emergencyStopAll() async throws(APIError) -> KillSwitchOutcome {
        let answer = try await send(.POST, "/v1/kill-switch")
        guard answer.status == 200 else { throw Self.relay(answer) }
        return try answer.decode(KillSwitchOutcome.self)
    }

    /// Checks a key with the exchange and stores it (`PUT exchange-key`), or opens a simulator
    /// account and stores its key (`POST sim-account`, no body).
    func storeKey(_ key: ExchangeKeyRequest?, user: UserID) async throws(APIError) -> ExchangeKeyInfo {
        let answer =
            if let key {
                try await send(.PUT, "/v1/users/\(user.rawValue)/exchange-key", json: key)
            } else {
                try await send(.POST, "/v1/users/\(user.rawValue)/sim-account")
            }
        guard answer.status == 200 else { throw Self.relay(answer) }
        return try answer.decode(ExchangeKeyInfo.self)
    }

    /// Erases the user's key; the supervisor stops the worker.
    func deleteKey(user: UserID) async throws(APIError) {
        let answer = try await send(.DELETE, "/v1/users/\(user.rawValue)/exchange-key")
        guard answer.status == 204 else { throw Self.relay(answer) }
    }

    /// Stores a new notification channel, or changes one (`id`): the supervisor seals its secrets.
    func saveChannel(_ request: ChannelRequest, id: Int64? = nil, user: UserID) async throws(APIError) -> ChannelSaved {
        let answer =
            if let id {
                try await send(.PUT, "/v1/users/\(user.rawValue)/channels/\(id)", json: request)
            } else {
                try await send(.POST, "/v1/users/\(user.rawValue)/channels", json: request)
            }
        guard answer.status == 200 || answer.status == 201 else { throw Self.relay(answer) }
        return try answer.decode(ChannelSaved.self)
    }

    func deleteChannel(_ id: Int64, user: UserID) async throws(APIError) {
        let answer = try await send(.DELETE, "/v1/users/\(user.rawValue)/channels/\(id)")
        guard answer.status == 204 else { throw Self.relay(answer) }
    }

    /// Queues a test message on the channel.
    func testChannel(_ id: Int64, user: UserID) async throws(APIError) {
        let answer = try await send(.POST, "/v1/users/\(user.rawValue)/channels/\(id)/test")
        guard answer.status == 202 else { throw Self.relay(answer) }
    }

    /// Turns a supervisor's error answer into the same error for the client.
    static func relay(_ answer: Answer) -> APIError {
        let error = (try? WireJSON.decode(ErrorBody.self, from: answer.body))?.error
        let code = error?.code ?? "supervisor_error"
        let message = error?.message ?? "The supervisor refused the request (HTTP \(answer.status))."
        let status: HTTPResponse.Status = (400..<600).contains(answer.status) ? .init(code: answer.status) : .badGateway
        var headers: HTTPFields = [:]
        if let seconds = error?.retryAfter.flatMap(Int.init) { headers[.retryAfter] = String(seconds) }
        return APIError(status.code >= 500 && status != .serviceUnavailable ? .serviceUnavailable : status, code, message, headers: headers)
    }
}
