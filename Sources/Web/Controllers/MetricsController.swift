import Common
import Foundation
import Hummingbird
import Metrics
import Prometheus
import Synchronization

/// `/metrics` in Prometheus's text format, through swift-prometheus: the HTTP latency histograms
/// that Hummingbird's `MetricsMiddleware` records through swift-metrics, and, read from
/// `central.sqlite` at each scrape, the workers (alive, by state, restarts, heartbeat age), orders,
/// fills, failed exchange calls by cause and the request weight used.
///
/// Values that only grow in the database (restarts, orders, fills, a worker's failed calls since it
/// started) are counters holding the database's value; one that fell (a restarted worker's count)
/// reads as the counter reset Prometheus expects. Scrapes run one at a time.
final class MetricsCollector: Sendable {
    let registry: PrometheusCollectorRegistry
    /// The labelled gauges of the last scrape, so a worker that went away stops being reported.
    private let gauges = Mutex<[String: Prometheus.Gauge]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Routes swift-metrics (Hummingbird's `MetricsMiddleware`) into `registry`, with names made
    /// valid for Prometheus (`http.server.request.duration` → `http_server_request_duration_seconds`).
    /// Once per process: the web's `main`.
    static func bootstrap(_ registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            func clean(_ text: String) -> String { String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }) }
            let base = clean(name)
            return (name == "http.server.request.duration" ? base + "_seconds" : base, labels.map { (clean($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
    }

    func scrape(database: CentralDatabase, now: Date = Date()) throws -> String {
        try gauges.withLock { gauges in try scrape(database: database, now: now, gauges: &gauges) }
    }

    private func scrape(database: CentralDatabase, now: Date, gauges: inout [String: Prometheus.Gauge]) throws -> String {
        let statuses = try database.processes.all()
        let totals = try database.trading.totals()
        let workers = statuses.filter { $0.userID != nil }
        var current: [String: Prometheus.Gauge] = [:]
        func gauge(_ name: String, _ labels: [(String, String)], help: String, _ value: Double) {
            let gauge = registry.makeGauge(name: name, labels: labels, help: help)
            gauge.set(value)
            current[name + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")] = gauge
        }
        func counter(_ name: String, _ labels: [(String, String)], help: String, _ value: Int) {
            let counter = registry.makeCounter(name: name, labels: labels, help: help)
            counter.reset()
            counter.increment(by: Int64(value))
        }

        let alive = workers.filter { status in
            status.pid != nil && status.lastHeartbeatAt.map { now.timeIntervalSince($0) < 10 } == true
        }
        gauge("trader_workers_alive", [], help: "Workers with a process and a heartbeat in the last 10 s.", Double(alive.count))
        for state in ["starting", "running", "backoff", "crash_loop", "stopping", "stopped"] {
            gauge("trader_workers", [("state", state)], help: "Workers by supervision state.", Double(workers.filter { $0.state.rawValue == state }.count))
        }
        for status in statuses {
            counter("trader_process_restarts_total", [("process", status.process)], help: "Restarts of each supervised process.", status.restarts)
        }
        for status in workers where status.pid != nil {
            if let heartbeat = status.lastHeartbeatAt {
                gauge(
                    "trader_worker_heartbeat_age_seconds", [("process", status.process)], help: "Seconds since each running worker's last heartbeat.",
                    max(0, now.timeIntervalSince(heartbeat)))
            }
            if let weight = status.weightUsed {
                gauge(
                    "trader_exchange_request_weight_used", [("process", status.process)],
                    help: "The exchange's request weight count for this host in the current minute, as each worker last saw it.", Double(weight))
            }
            for (cause, count) in status.exchangeErrors {
                counter(
                    "trader_exchange_errors_total", [("process", status.process), ("code", cause)],
                    help: "Failed exchange calls by cause: Binance's error code, http_<status>, or network.", count)
            }
        }
        counter("trader_orders_total", [], help: "Orders the bots have placed (every user).", totals.orders)
        gauge("trader_open_orders", [], help: "Orders still open or being resolved.", Double(totals.openOrders))
        counter("trader_fills_total", [], help: "Fills recorded (every user).", totals.fills)

        // A gauge of a process that is gone is no longer reported.
        for (key, gauge) in gauges where current[key] == nil { registry.unregisterGauge(gauge) }
        gauges = current
        return registry.emitToString()
    }
}

/// Registers `/metrics`.
/// `/metrics`, to whom ``MetricsAccess`` allows (403 otherwise, saying how it is configured).
struct MetricsController {
    let database: CentralDatabase
    let collector: MetricsCollector
    let access: MetricsAccess

    /// An active token of an enabled administrator, with the `admin` scope.
    func isAdminToken(_ text: String?, now: Date = Date()) -> Bool {
        guard let text, let token = try? database.apiTokens.token(hash: SecureToken.storedForm(text)), token.isActive(at: now), token.scopes.contains(.admin),
            let user = try? database.users.user(token.userID), user.isAdmin, !user.isDisabled
        else { return false }
        return true
    }

    func register(on router: Router<WebContext>) {
        router.get("/metrics") { request, context -> Response in
            guard access.allows(remoteAddress: context.remoteAddress, adminToken: isAdminToken(APITokenText.bearer(request.headers[.authorization]))) else {
                return Response(
                    status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: access.refusal + "\n")))
            }
            guard let text = try? collector.scrape(database: database) else {
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "central database unavailable\n")))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
    }
}
