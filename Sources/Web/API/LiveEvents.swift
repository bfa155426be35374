import Common
import Foundation

/// The `heartbeat` event: the worker's last sign of life and the bot's state.
struct HeartbeatEvent: Encodable, Sendable, Equatable {
    @Nullable var lastHeartbeat: Date?
    let alive: Bool
    let state: String
}

/// The `command` event: a command the worker acknowledged, and what it made of it.
struct CommandEvent: Encodable, Sendable {
    let commandId: Int64
    let command: String
    @Nullable var acknowledgedAt: Date?
    @Nullable var result: String?
}
