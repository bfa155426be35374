import Common
import Foundation

/// The system status page: the supervisor, the web, the simulator, and the reader's own bot
/// (never other users' bots, nor how many there are).
enum StatusPage {
    /// A host not seen for longer than this is shown as silent (hosts beat every second or so;
    /// the default lease lasts 6 s).
    static let hostSilentAfter: Double = 5

    /// `lease`, `hosts`: on PostgreSQL, the reader's lease (which host runs their worker) and
    /// every host sharing the database, which take the place of the one supervisor's line.
    static func render(
        statuses: [ProcessStatus], info: [String: String], exchange: String, viewer: Layout.Viewer?, user: UserID?, lease: LeaseRecord? = nil,
        hosts: [HostRecord]? = nil, now: Date
    ) -> String {
        let rows = statuses.filter { $0.userID == nil || $0.userID == user }.map { status -> [String: Any] in
            [
                "name": status.userID == nil ? status.process : t("status.your_bot"), "state": status.state.rawValue,
                "pid": status.pid.map(String.init) ?? "—", "started": status.startedAt.map { DisplayTime.text($0, .gmt) } ?? "—",
                "restarts": String(status.restarts), "lastExit": status.lastExitStatus ?? "—",
            ]
        }
        let supervisor: String
        if info["state"] == "running", let pid = info["pid"], let started = info["started_at"] {
            supervisor = t("status.supervisor_running", ["pid": pid, "since": started])
        } else if let stopped = info["stopped_at"] {
            supervisor = t("status.supervisor_stopped", ["time": stopped])
        } else {
            supervisor = t("status.supervisor_unknown")
        }
        let address = info["exchange_url"] ?? t("status.address_unknown")
        // Where every figure of the dashboard is read from (the password never in it).
        let database: String
        if let stored = info["database"], stored.hasPrefix("postgres ") {
            database = t("status.database_postgres", ["location": String(stored.dropFirst("postgres ".count)), "host": info["host_id"] ?? "?"])
        } else {
            database = t("status.database_sqlite")
        }
        var context: [String: Any] = [
            "database": database,
            "supervisor": supervisor, "exchange": t(exchange == "sim" ? "status.exchange_sim" : "status.exchange_testnet", ["address": address]), "rows": rows,
        ]
        if let hosts {
            let lines = hosts.map { host -> [String: Any] in
                let line: String
                if host.seenAgo > hostSilentAfter {
                    line = t("status.host_silent", ["host": host.id, "seconds": String(Int(host.seenAgo.rounded()))])
                } else {
                    let since = DisplayTime.text(host.startedAt, .gmt)
                    let key = host.draining ? "status.host_draining" : "status.host_up"
                    line = t(key, ["host": host.id, "since": since, "users": String(host.users), "capacity": String(host.capacity)])
                }
                return ["line": line]
            }
            context["cluster"] = ["lines": lines, "empty": hosts.isEmpty]
        }
        // Several hosts: which one runs the reader's worker, by the lease the database holds.
        if let lease {
            if let host = lease.host, let left = lease.expiresIn, left > 0 {
                context["host"] = t("status.host_running", ["host": host, "epoch": String(lease.epoch)])
            } else {
                context["host"] = t("status.host_none")
            }
        }
        return Layout.page(
            title: t("status.title"), active: "/status", viewer: viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(now, .gmt)]),
            content: Views.render("status", context), live: ["bot"], freshnessAt: now
        )
    }

    static func unavailable(reason: String, viewer: Layout.Viewer?, now: Date) -> String {
        Layout.page(
            title: t("status.title"), active: "/status", viewer: viewer, freshness: t("fresh.attempted_at", ["time": DisplayTime.text(now, .gmt)]),
            content: AccountPages.message(heading: t("status.title"), unavailable: t("common.unavailable_because", ["reason": reason]))
        )
    }
}
