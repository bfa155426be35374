import Common
import Foundation
import Hummingbird

/// What every page of a signed-in user says beside its freshness line when something is wrong:
/// the exchange unreachable (since when), the bot's process starting, restarting, crashing or
/// silent. Computed per page request, for the signed-in user only, from ``Inputs`` that are
/// read once per change of central.sqlite (the clock still counts: a heartbeat grows old
/// without any write).
struct PageStatus: Sendable {
    var notes: [String] = []
    @TaskLocal static var current = PageStatus()

    /// The rows the line is made of, as read from central.sqlite.
    struct Inputs: Sendable, Equatable {
        var hasKey: Bool
        var timeZone: TimeZone
        var exchange: StoredExchangeStatus?
        var worker: ProcessStatus?

        static func read(_ database: CentralDatabase, user: UserID) -> Inputs {
            guard (try? database.exchangeKeys.key(for: user)) != nil else { return Inputs(hasKey: false, timeZone: .gmt) }
            return Inputs(
                hasKey: true, timeZone: database.timeZone(of: user), exchange: try? database.portfolios.exchangeStatus(for: user),
                worker: try? database.processes.status(process: ProcessStatus.workerName(user))
            )
        }
    }

    static func load(_ database: CentralDatabase, user: UserID, now: Date) -> PageStatus {
        make(Inputs.read(database, user: user), now: now)
    }

    /// The notes, in the current language, at `now`.
    static func make(_ inputs: Inputs, now: Date) -> PageStatus {
        var status = PageStatus()
        guard inputs.hasKey else { return status }
        let zone = inputs.timeZone
        if let exchange = inputs.exchange, !exchange.reachable {
            let since = DisplayTime.text(exchange.since ?? exchange.updatedAt, zone)
            status.notes.append(t("fresh.exchange_unreachable", ["since": since]))
        }
        if let worker = inputs.worker {
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
    let watch: CentralChangeWatch
    let inputs = GenerationCache<UserID, PageStatus.Inputs>(capacity: 10_000)

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get, let user = context.user, !path.hasPrefix("/api/"), !path.hasPrefix("/static/"), !path.hasPrefix("/javascript/") else {
            return try await next(request, context)
        }
        let read = inputs.value(user.id, at: watch.generation()) { PageStatus.Inputs.read(database, user: user.id) }
        let status = PageStatus.make(read, now: Date())
        return try await PageStatus.$current.withValue(status) { try await next(request, context) }
    }
}
