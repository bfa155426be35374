import Common
import Foundation

/// The system status page: the supervisor, the web, the simulator, and how many bots run.
enum StatusPage {
    static func render(statuses: [ProcessStatus], info: [String: String], exchange: String, viewer: Layout.Viewer?, now: Date) -> String {
        let esc = Layout.escape
        var rows = ""
        for status in statuses where status.userID == nil {
            rows += "<tr><td>\(esc(status.process))</td><td class=\"state-\(status.state.rawValue)\">\(esc(status.state.rawValue))</td>"
            rows += "<td>\(status.pid.map(String.init) ?? "—")</td><td>\(status.startedAt.map(Timestamp.string) ?? "—")</td>"
            rows += "<td>\(status.restarts)</td><td>\(esc(status.lastExitStatus ?? "—"))</td></tr>\n"
        }
        let workers = statuses.filter { $0.userID != nil }
        let counts = Dictionary(grouping: workers, by: \.state.rawValue).mapValues(\.count)
        let workerLine =
            workers.isEmpty
            ? "No bots: no user has stored an exchange API key yet."
            : counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let supervisorState = info["state"] ?? "unknown"
        let supervisorLine: String
        if supervisorState == "running", let pid = info["pid"], let started = info["started_at"] {
            supervisorLine = "running (pid \(pid)) since \(started)"
        } else if let stopped = info["stopped_at"] {
            supervisorLine = "stopped at \(stopped)"
        } else {
            supervisorLine = "no supervisor has recorded its state yet"
        }
        let content = """
            <h1>System status</h1>
            <p>Supervisor: \(esc(supervisorLine))</p>
            <p>Exchange: \(esc(exchange == "sim" ? "embedded simulator (\(info["exchange_url"] ?? "address unknown"))" : "Binance Spot testnet (\(info["exchange_url"] ?? "address unknown"))"))</p>
            <p>Bots: \(esc(workerLine))</p>
            <table><thead><tr><th>Process</th><th>State</th><th>PID</th><th>Started</th><th>Restarts</th><th>Last exit</th></tr></thead>
            <tbody>
            \(rows.isEmpty ? "<tr><td colspan=\"6\" class=\"unavailable\">No process status recorded yet.</td></tr>" : rows)
            </tbody></table>
            """
        return Layout.page(title: "System", active: "/status", viewer: viewer, freshness: "Read from central.sqlite at \(Timestamp.string(now))", content: content)
    }

    static func unavailable(reason: String, viewer: Layout.Viewer?, now: Date) -> String {
        Layout.page(
            title: "System", active: "/status", viewer: viewer, freshness: "Attempted at \(Timestamp.string(now))",
            content: "<h1>System status</h1><p class=\"unavailable\">Unavailable: \(Layout.escape(reason))</p>"
        )
    }
}
