import Common
import Foundation

/// The data of the live events the hub builds itself (`fill`, `order`, `signal`, `bot` and
/// `portfolio` carry the API's own JSON for that resource). Absent values are `null`, as in the
/// rest of the API, never left out.
enum LivePayload {
    /// `command`: the user's newest acknowledged command.
    struct Command: Encodable, Equatable {
        let commandID: Int64
        let command: String
        let acknowledgedAt: Date?
        let result: String?

        init(_ stored: StoredCommand) {
            commandID = stored.id
            command = stored.command
            acknowledgedAt = stored.acknowledgedAt
            result = stored.result
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(commandID, forKey: .commandID)
            try container.encode(command, forKey: .command)
            try container.encode(acknowledgedAt.map(Timestamp.string), forKey: .acknowledgedAt)
            try container.encode(result, forKey: .result)
        }

        enum Keys: String, CodingKey {
            case commandID = "command_id", command, acknowledgedAt = "acknowledged_at", result
        }
    }

    /// `heartbeat`: the worker's last heartbeat, whether it is alive, and the bot's state.
    struct Heartbeat: Encodable, Equatable {
        let lastHeartbeat: Date?
        let alive: Bool
        let state: String

        init(_ bot: BotView) {
            lastHeartbeat = bot.worker?.lastHeartbeatAt
            alive = bot.alive
            state = bot.state
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(lastHeartbeat.map(Timestamp.string), forKey: .lastHeartbeat)
            try container.encode(alive, forKey: .alive)
            try container.encode(state, forKey: .state)
        }

        enum Keys: String, CodingKey {
            case lastHeartbeat = "last_heartbeat", alive, state
        }
    }

    /// `reload`: the page may have missed events (its `Last-Event-ID` is older than what the hub
    /// keeps, or from before a restart) and must read everything again.
    struct Reload: Encodable, Equatable {
        let reason: String
    }

    /// The payload as the event's `data:` line: sorted keys, one line.
    static func text(_ payload: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
