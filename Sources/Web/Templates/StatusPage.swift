import Common
import Foundation

/// The system status page: the supervisor, the web, the simulator, and the reader's own bot
/// (never other users' bots, nor how many there are).
enum StatusPage {
    static func render(statuses: [ProcessStatus], info: [String: String], exchange: String, viewer: Layout.Viewer?, user: UserID?, now: Date) -> String {
        let esc = Layout.escape
        var rows = ""
        for status in statuses where status.userID == nil || status.userID == user {
            let name = status.userID == nil ? status.process : t("status.your_bot")
            rows += "<tr><td>\(esc(name))</td><td class=\"state-\(status.state.rawValue)\">\(esc(status.state.rawValue))</td>"
            rows += "<td class=\"num\">\(status.pid.map(String.init) ?? "—")</td><td>\(status.startedAt.map { esc(DisplayTime.text($0, .gmt)) } ?? "—")</td>"
            rows += "<td class=\"num\">\(status.restarts)</td><td>\(esc(status.lastExitStatus ?? "—"))</td></tr>\n"
        }
        let supervisorState = info["state"] ?? "unknown"
        let supervisorLine: String
        if supervisorState == "running", let pid = info["pid"], let started = info["started_at"] {
            supervisorLine = t("status.supervisor_running", ["pid": pid, "since": started])
        } else if let stopped = info["stopped_at"] {
            supervisorLine = t("status.supervisor_stopped", ["time": stopped])
        } else {
            supervisorLine = t("status.supervisor_unknown")
        }
        let address = info["exchange_url"] ?? t("status.address_unknown")
        let content = """
            <h1>\(esc(t("status.title")))</h1>
            <p>\(esc(t("status.supervisor"))) \(esc(supervisorLine))</p>
            <p>\(esc(t("status.exchange"))) \(esc(t(exchange == "sim" ? "status.exchange_sim" : "status.exchange_testnet", ["address": address])))</p>
            <div class="scroll"><table><thead><tr><th scope="col">\(esc(t("col.process")))</th><th scope="col">\(esc(t("col.state")))</th><th scope="col" class="num">PID</th>\
            <th scope="col">\(esc(t("col.started")))</th><th scope="col" class="num">\(esc(t("col.restarts")))</th><th scope="col">\(esc(t("col.last_exit")))</th></tr></thead>
            <tbody>
            \(rows.isEmpty ? "<tr><td colspan=\"6\" class=\"unavailable\">\(esc(t("status.none")))</td></tr>" : rows)
            </tbody></table></div>
            """
        return Layout.page(
            title: t("status.title"), active: "/status", viewer: viewer, freshness: t("fresh.read_at", ["time": DisplayTime.text(now, .gmt)]), content: content,
            live: ["bot", "heartbeat"], freshnessAt: now
        )
    }

    static func unavailable(reason: String, viewer: Layout.Viewer?, now: Date) -> String {
        Layout.page(
            title: t("status.title"), active: "/status", viewer: viewer, freshness: t("fresh.attempted_at", ["time": DisplayTime.text(now, .gmt)]),
            content: "<h1>\(Layout.escape(t("status.title")))</h1><p class=\"unavailable\">\(Layout.escape(t("common.unavailable_because", ["reason": reason])))</p>"
        )
    }
}
