import Common
import Foundation
import Hummingbird

/// What every page of a signed-in user says beside its freshness line when something is wrong:
/// the exchange unreachable (since when), the bot's process starting, restarting, crashing or
/// silent. Read once per page request, for the signed-in user only.
struct PageStatus: Sendable {
    var notes: [String] = []
    @TaskLocal static var current = PageStatus()

    static func load(_ database: CentralDatabase, user: UserID, now: Date) -> PageStatus {
        var status = PageStatus()
        guard (try? database.exchangeKeys.key(for: user)) != nil else { return status }
        let zone = database.timeZone(of: user)
        if let exchange = try? database.portfolios.exchangeStatus(for: user), !exchange.reachable {
            let since = DisplayTime.text(exchange.since ?? exchange.updatedAt, zone)
            status.notes.append(t("fresh.exchange_unreachable", ["since": since]))
        }
        if let worker = try? database.processes.status(process: ProcessStatus.workerName(user)) {
            switch worker.state {
            case .starting: status.notes.append(t("fresh.worker_starting"))
            case .backoff: status.notes.append(t("fresh.worker_restarting"))
            case .crashLoop: status.notes.append(t("fresh.worker_crashing"))
            case .running:
                if let beat = worker.lastHeartbeatAt, now.timeIntervalSince(beat) > BotView.heartbeatLimit {
                    status.notes.append(t("fresh.worker_silent", ["since": DisplayTime.text(beat, zone)]))
                }
            case .stopping, .stopped: status.notes.append(t("fresh.worker_not_running"))
            }
        } else {
            status.notes.append(t("fresh.worker_starting"))
        }
        return status
    }
}

/// Sets `PageStatus.current` for the pages (not the JSON API, which says it in its fields).
struct PageStatusMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let database: CentralDatabase

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get, let user = context.user, !path.hasPrefix("/api/"), !path.hasPrefix("/static/"), !path.hasPrefix("/javascript/") else {
            return try await next(request, context)
        }
        let status = PageStatus.load(database, user: user.id, now: Date())
        return try await PageStatus.$current.withValue(status) { try await next(request, context) }
    }
}
