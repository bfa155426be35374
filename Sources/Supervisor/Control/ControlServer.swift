import Common
import Foundation
import Hummingbird
import Logging

/// The control socket (`DIR/run/supervisor.sock`, mode 0600; 0660 with the web's group when
/// the web has a uid of its own): how the web asks the supervisor
/// to act. HTTP with JSON bodies over a Unix socket, so only processes that can open the file
/// can talk to it.
enum ControlServer {
    /// `onListening` sets the socket's owner and mode (``Isolation/prepareSocket(_:)``).
    static func build(supervisor: ProcessSupervisor, notifier: Notifier, socketPath: String, logger: Logger, onListening: @escaping @Sendable () -> Void) -> some ApplicationProtocol {
        unlink(socketPath)
        let router = Router()
        router.get("/v1/status") { _, _ -> Response in
            try json(.ok, StatusResponse(pid: getpid(), processes: supervisor.statuses()))
        }
        router.post("/v1/users/:user/commands") { request, context -> Response in
            guard let raw = context.parameters.get("user", as: Int64.self) else {
                return try errorResponse(.badRequest, "invalid_user", "the user id must be an integer")
            }
            let user = UserID(rawValue: raw)
            guard let body = try? await decode(CommandRequest.self, request) else {
                return try errorResponse(.badRequest, "invalid_body", "expected {\"command\": …, \"payload\": …}")
            }
            guard CommandRequest.known.contains(body.command) else {
                return try errorResponse(.badRequest, "unknown_command", "command must be one of \(CommandRequest.known.sorted().joined(separator: ", "))")
            }
            guard (try? supervisor.database.users.user(user)) != nil else {
                return try errorResponse(.notFound, "not_found", "no such user")
            }
            // The kill switch holds every bot stopped: no start gets through, whoever asks.
            if [ControlCommand.start.rawValue, ControlCommand.botStart.rawValue].contains(body.command), (try? supervisor.database.platform.isHalted()) != false {
                return try errorResponse(.conflict, "kill_switch", "the platform's kill switch is on: no bot starts until an administrator releases it")
            }
            // A paper bot needs no key: its start brings up the user's worker if there is none.
            if body.command == ControlCommand.botStart.rawValue { supervisor.syncWorkersWithKeys(now: Date()) }
            let outcome = try supervisor.send(command: body.command, payload: body.payload, to: user)
            switch outcome {
            case .delivered(let id): return try json(.accepted, CommandAccepted(commandID: id, delivered: true))
            case .queued(let id): return try json(.accepted, CommandAccepted(commandID: id, delivered: false))
            // A bot's stop waits for the user's next worker, which then records the bot stopped.
            case .noWorker(let id) where body.command == ControlCommand.botStop.rawValue:
                return try json(.accepted, CommandAccepted(commandID: id, delivered: false))
            case .noWorker: return try errorResponse(.conflict, "no_key", "this user has no stored API key, so no bot runs")
            }
        }
        router.put("/v1/users/:user/exchange-key") { request, context -> Response in
            let user: UserID
            switch existingUser(context, supervisor) {
            case .success(let found): user = found
            case .failure(let response): return response
            }
            guard let body = try? await decode(KeyRequest.self, request) else {
                return try errorResponse(.badRequest, "invalid_body", "expected {\"api_key\": …, \"api_secret\": …}")
            }
            if let problem = KeyRequest.problem(body) { return try errorResponse(.unprocessableContent, "invalid_key", problem) }
            return try keyResponse(await supervisor.verifyAndStore(user: user, apiKey: body.apiKey, apiSecret: body.apiSecret))
        }
        router.post("/v1/users/:user/sim-account") { _, context -> Response in
            let user: UserID
            switch existingUser(context, supervisor) {
            case .success(let found): user = found
            case .failure(let response): return response
            }
            return try keyResponse(await supervisor.createSimAccount(user: user))
        }
        router.delete("/v1/users/:user/exchange-key") { _, context -> Response in
            let user: UserID
            switch existingUser(context, supervisor) {
            case .success(let found): user = found
            case .failure(let response): return response
            }
            _ = try supervisor.deleteKey(user: user)
            return Response(status: .noContent)
        }
        // The web turned the kill switch on (and marked every bot not wanted): every running
        // worker's bots stop now, with their open orders cancelled.
        router.post("/v1/kill-switch") { _, _ -> Response in
            try json(.ok, KillSwitchOutcome(workers: supervisor.emergencyStopAll()))
        }
        addChannelRoutes(to: router, supervisor: supervisor, notifier: notifier)
        return Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: "crypto-trader-supervisor"),
            onServerRunning: { _ in onListening() },
            logger: logger
        )
    }

    enum Lookup {
        case success(UserID)
        case failure(Response)
    }

    static func existingUser(_ context: BasicRequestContext, _ supervisor: ProcessSupervisor) -> Lookup {
        guard let raw = context.parameters.get("user", as: Int64.self) else {
            return .failure((try? errorResponse(.badRequest, "invalid_user", "the user id must be an integer")) ?? Response(status: .badRequest))
        }
        let user = UserID(rawValue: raw)
        guard (try? supervisor.database.users.user(user)) != nil else {
            return .failure((try? errorResponse(.notFound, "not_found", "no such user")) ?? Response(status: .notFound))
        }
        return .success(user)
    }

    static func keyResponse(_ outcome: ProcessSupervisor.KeyOutcome) throws -> Response {
        switch outcome {
        case .stored(let masked, let canTrade, let verifiedAt, let warning):
            return try json(.ok, ExchangeKeyInfo(maskedKey: masked, canTrade: canTrade, verifiedAt: verifiedAt, warning: warning))
        case .rejected(let reason): return try errorResponse(.unprocessableContent, "key_rejected", reason)
        case .exchangeUnavailable(let reason): return try errorResponse(.serviceUnavailable, "exchange_unavailable", reason)
        case .rateLimited(let reason, let seconds):
            return try json(.tooManyRequests, ErrorBody(code: "exchange_rate_limited", message: reason, retryAfter: String(seconds)))
        }
    }

    /// The web's key (``ExchangeKeyRequest``), checked for its form here.
    typealias KeyRequest = ExchangeKeyRequest

    struct StatusResponse: Encodable {
        let pid: Int32
        let processes: [ProcessStatus]
    }

    /// A request's JSON body as one of the shared control messages; nil when it is not one.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return try WireJSON.decode(type, from: Data(buffer: buffer))
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let data = try WireJSON.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(_ status: HTTPResponse.Status, _ code: String, _ message: String) throws -> Response {
        try json(status, ErrorBody(code: code, message: message))
    }
}

extension ExchangeKeyRequest {
    /// What is wrong with the form of the key, before asking the exchange.
    static func problem(_ body: ExchangeKeyRequest) -> String? {
        func printable(_ text: String) -> Bool { text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f } }
        if body.apiKey.isEmpty || body.apiSecret.isEmpty { return "the API key and the secret are both required" }
        if body.apiKey.count > 256 || body.apiSecret.count > 256 { return "the API key and the secret are at most 256 characters each" }
        if !printable(body.apiKey) || !printable(body.apiSecret) {
            return "the API key and the secret are printable ASCII without spaces; check what was pasted"
        }
        return nil
    }
}
