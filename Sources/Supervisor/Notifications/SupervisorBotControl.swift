import AsyncHTTPClient
import Common
import Foundation
import NIOCore

/// Telegram's bot commands as the supervisor performs them: `/emergency` is the worker's
/// emergency stop (a command, the supervisor's to record); `/start` and `/stop` go to this
/// host's web, which writes the bot's wanted state as it does for the dashboard, with the token
/// only the two of them can read.
struct SupervisorBotControl: BotControl {
    let supervisor: ProcessSupervisor
    let http: HTTPClient
    /// This host's web (nil: it runs none).
    let webURL: String?
    let token: String

    func perform(_ action: BotAction, bot: Int64?, user: UserID) async -> String {
        switch action {
        case .emergency:
            do {
                let outcome = try supervisor.send(command: ControlCommand.emergencyStop.rawValue, payload: nil, to: user)
                // In the user's audit trail, as the dashboard's emergency stop is.
                let name = (try? supervisor.database.users.user(user))?.username ?? "user \(user.rawValue)"
                try? supervisor.database.audit.append(
                    AuditRecord(at: Date(), userID: user, actor: "\(name) (Telegram)", address: nil, action: AuditAction.telegramCommand, detail: "emergency stop"))
                switch outcome {
                case .delivered, .queued: return "Emergency stop sent: every bot stops and its orders are cancelled."
                case .noWorker: return "No worker runs for you (no key stored), so no bot trades."
                }
            } catch {
                return "The emergency stop could not be recorded: \(error). Use the dashboard."
            }
        case .start, .stop:
            guard let webURL, let bot else { return "This host runs no dashboard, so bots cannot be started or stopped from here." }
            var request = HTTPClientRequest(url: "\(webURL)/internal/v1/users/\(user.rawValue)/bots/\(bot)/\(action.rawValue)")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            do {
                let response = try await http.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 64 * 1024)
                let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
                return object?["message"] as? String ?? "The dashboard answered \(response.status.code)."
            } catch {
                return "The dashboard did not answer; try again in a moment."
            }
        }
    }

    func traderState(_ user: UserID) -> String? {
        supervisor.state.withLock { $0.slots[ProcessStatus.workerName(user)]?.status.reportedState }
    }
}
