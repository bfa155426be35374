import Common
import Foundation
import Hummingbird

/// `POST /internal/v1/users/{user}/bots/{bot_id}/start|stop`: the supervisor's way to start and
/// stop a bot for a Telegram command from the user's linked chat, the same way the dashboard
/// does (the web writes the bot's wanted state). Only a caller with the token the supervisor
/// wrote at its start (`run/web-internal.token`, readable by the two of them) gets an answer;
/// anyone else gets the 404 of a path that does not exist.
struct InternalBotsController {
    let bots: BotsAPIController
    let tokenFile: String
    /// A command that acted is in the user's audit trail, as the dashboard's are.
    let audit: AuditTrail

    func register(on router: Router<WebContext>) {
        router.post("/internal/v1/users/:user/bots/:bot_id/:action") { request, context -> Response in
            guard authorized(request), let user = context.parameters.get("user", as: Int64.self),
                let bot = context.parameters.get("bot_id", as: Int64.self), let action = context.parameters.get("action")
            else { throw APIError.notFound() }
            let id = UserID(rawValue: user)
            let name = (try? bots.database.users.user(id))?.username ?? "user \(user)"
            do throws(APIError) {
                switch action {
                case "start":
                    _ = try await bots.start(bot, user: id)
                    audit.record(AuditAction.telegramCommand, user: id, actor: "\(name) (Telegram)", address: nil, detail: "start bot \(bot)")
                    return Reply.json(.accepted, Message(message: "Bot \(bot) is starting."))
                case "stop":
                    _ = try await bots.stop(bot, sell: false, user: id)
                    audit.record(AuditAction.telegramCommand, user: id, actor: "\(name) (Telegram)", address: nil, detail: "stop bot \(bot)")
                    return Reply.json(.accepted, Message(message: "Bot \(bot) is stopping: its orders are cancelled, its coins kept."))
                default:
                    throw APIError.notFound()
                }
            } catch {
                return Reply.json(error.status, Message(message: "Bot \(bot): \(error.message)"))
            }
        }
    }

    struct Message: Encodable, Sendable {
        let message: String
    }

    func authorized(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let expected = try? String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), expected.count >= 32
        else { return false }
        return SecureToken.constantTimeEquals(String(header.dropFirst(7)), expected)
    }
}
