import Common
import Foundation
import Hummingbird

extension ControlServer {
    /// `/v1/users/{user}/channels…`: the web's requests to store, change, delete and test a
    /// user's notification channels (their secrets are sealed here, never by the web).
    static func addChannelRoutes(to router: Router<BasicRequestContext>, supervisor: ProcessSupervisor, notifier: Notifier) {
        router.post("/v1/users/:user/channels") { request, context -> Response in
            let user: UserID
            switch existingUser(context, supervisor) {
            case .success(let found): user = found
            case .failure(let response): return response
            }
            guard let body = try? await decode(ChannelRequest.self, request) else {
                return try errorResponse(.badRequest, "invalid_body", "expected {\"kind\": …, …}")
            }
            return try channelResponse(try notifier.create(body, for: user), created: true)
        }
        router.put("/v1/users/:user/channels/:channel") { request, context -> Response in
            let user: UserID
            switch existingUser(context, supervisor) {
            case .success(let found): user = found
            case .failure(let response): return response
            }
            guard let id = context.parameters.get("channel", as: Int64.self), let body = try? await decode(ChannelRequest.self, request) else {
                return try errorResponse(.badRequest, "invalid_body", "expected a channel id and {\"kind\": …, …}")
            }
            return try channelResponse(try notifier.update(id, body, for: user), created: false)
        }
        router.delete("/v1/users/:user/channels/:channel") { _, context -> Response in
            let user: UserID
            switch existingUser(context, supervisor) {
            case .success(let found): user = found
            case .failure(let response): return response
            }
            guard let id = context.parameters.get("channel", as: Int64.self), try notifier.delete(id, for: user) else {
                return try errorResponse(.notFound, "not_found", "no such channel")
            }
            return Response(status: .noContent)
        }
        router.post("/v1/users/:user/channels/:channel/test") { _, context -> Response in
            let user: UserID
            switch existingUser(context, supervisor) {
            case .success(let found): user = found
            case .failure(let response): return response
            }
            guard let id = context.parameters.get("channel", as: Int64.self) else { return try errorResponse(.notFound, "not_found", "no such channel") }
            return try channelResponse(try notifier.sendTest(id, for: user), created: false, accepted: true)
        }
    }

    static func channelResponse(_ outcome: Notifier.ChannelOutcome, created: Bool, accepted: Bool = false) throws -> Response {
        switch outcome {
        case .saved(let saved): return try json(accepted ? .accepted : created ? .created : .ok, saved)
        case .invalid(let message): return try errorResponse(.unprocessableContent, "invalid_channel", message)
        case .notFound: return try errorResponse(.notFound, "not_found", "no such channel")
        case .conflict(let message): return try errorResponse(.conflict, "channel_refused", message)
        }
    }
}
