import Common
import Foundation

/// `/`: the signed-in user's bot, as the supervisor and the stored key say. (The portfolio in
/// USDT joins it when the worker reports balances.)
enum HomePage {
    static func render(viewer: Layout.Viewer, key: StoredExchangeKey?, worker: ProcessStatus?, readError: String?, now: Date) -> String {
        let esc = Layout.escape
        var content = "<h1>Dashboard</h1>"
        if let readError {
            content += "<p class=\"unavailable\">Unavailable: \(esc(readError)).</p>"
        } else if key == nil {
            content += """
                <p class="unavailable" id="bot-state">Bot: not running — no API key. <a href="/settings#exchange-key">Add your exchange API key</a> to start it.</p>
                """
        } else if let worker {
            var line = "Bot process: \(esc(worker.state.rawValue))"
            if let pid = worker.pid { line += " (pid \(pid))" }
            if let beat = worker.lastHeartbeatAt { line += ", last heartbeat \(esc(Timestamp.string(beat)))" }
            if worker.restarts > 0 { line += ", \(worker.restarts) restarts" }
            if let message = worker.message { line += " — \(esc(message))" }
            content += "<p id=\"bot-state\" class=\"state-\(esc(worker.state.rawValue))\">\(line)</p>"
        } else {
            content += "<p id=\"bot-state\" class=\"unavailable\">Bot process: not reported by the supervisor yet.</p>"
        }
        if let key {
            content += "<p>Exchange key <code>\(esc(key.maskedKey))</code> — <a href=\"/settings#exchange-key\">manage</a></p>"
        }
        return Layout.page(title: "Dashboard", active: "/", viewer: viewer, freshness: "Read from central.sqlite at \(Timestamp.string(now))", content: content)
    }
}
