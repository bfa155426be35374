import Common
import Foundation
import Hummingbird

/// `/healthz` (200 when the central database answers) and `/metrics` (Prometheus text).
struct HealthController {
    let database: CentralDatabase

    func register(on router: Router<WebContext>) {
        router.get("/healthz") { _, _ -> Response in
            let healthy = database.isHealthy()
            return Response(
                status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: healthy ? "ok\n" : "central database unavailable\n"))
            )
        }
        router.get("/metrics") { _, _ -> Response in
            guard let statuses = try? database.processes.all() else {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "central database unavailable\n")))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: Self.prometheus(statuses, now: Date())))
            )
        }
    }

    static func prometheus(_ statuses: [ProcessStatus], now: Date) -> String {
        let workers = statuses.filter { $0.userID != nil }
        var lines = [
            "# HELP trader_workers Workers by supervision state.",
            "# TYPE trader_workers gauge",
        ]
        for state in ["starting", "running", "backoff", "crash_loop", "stopping", "stopped"] {
            lines.append("trader_workers{state=\"\(state)\"} \(workers.filter { $0.state.rawValue == state }.count)")
        }
        lines += [
            "# HELP trader_process_restarts_total Restarts of each supervised process.",
            "# TYPE trader_process_restarts_total counter",
        ]
        for status in statuses { lines.append("trader_process_restarts_total{process=\"\(status.process)\"} \(status.restarts)") }
        lines += [
            "# HELP trader_worker_heartbeat_age_seconds Seconds since each running worker's last heartbeat.",
            "# TYPE trader_worker_heartbeat_age_seconds gauge",
        ]
        for status in workers where status.pid != nil {
            if let last = status.lastHeartbeatAt {
                lines.append("trader_worker_heartbeat_age_seconds{process=\"\(status.process)\"} \(String(format: "%.3f", now.timeIntervalSince(last)))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
