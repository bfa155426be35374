import Foundation

/// The line protocol between the supervisor and a worker (CONTRACT §2): one JSON object per line.
/// The supervisor writes ``SupervisorMessage``s to the worker's stdin, credentials first; the
/// worker writes ``WorkerReport``s to its stdout. A report never carries a user id the supervisor
/// trusts: it tags every row with the user it started the worker for.
public enum SupervisorMessage: Sendable, Equatable {
    case credentials(apiKey: String, apiSecret: String, exchangeURL: String)
    case command(id: Int64, name: String, payload: String?)
    /// This worker's share of the host's request weight per minute (``WeightBudget``).
    case budget(weightPerMinute: Int)

    public func line() -> String {
        var fields: [String: Any]
        switch self {
        case .credentials(let apiKey, let apiSecret, let url):
            fields = ["type": "credentials", "api_key": apiKey, "api_secret": apiSecret, "exchange_url": url]
        case .command(let id, let name, let payload):
            fields = ["type": "command", "id": id, "command": name]
            if let payload { fields["payload"] = payload }
        case .budget(let weight):
            fields = ["type": "budget", "weight_per_minute": weight]
        }
        return JSONLine.encode(fields)
    }

    public static func parse(_ line: String) throws(ProtocolError) -> SupervisorMessage {
        let fields = try JSONLine.decode(line)
        switch fields["type"] as? String {
        case "credentials":
            guard let key = fields["api_key"] as? String, let secret = fields["api_secret"] as? String,
                let url = fields["exchange_url"] as? String
            else { throw ProtocolError(reason: "credentials need api_key, api_secret and exchange_url") }
            return .credentials(apiKey: key, apiSecret: secret, exchangeURL: url)
        case "command":
            guard let id = (fields["id"] as? NSNumber)?.int64Value, let name = fields["command"] as? String else {
                throw ProtocolError(reason: "a command needs id and command")
            }
            return .command(id: id, name: name, payload: fields["payload"] as? String)
        case "budget":
            guard let weight = (fields["weight_per_minute"] as? NSNumber)?.intValue, weight > 0 else {
                throw ProtocolError(reason: "a budget needs a positive weight_per_minute")
            }
            return .budget(weightPerMinute: weight)
        case let other:
            throw ProtocolError(reason: "unknown message type \(other ?? "none")")
        }
    }
}

/// What a worker reports on its stdout.
public enum WorkerReport: Sendable, Equatable {
    /// Alive, and what the bot is doing (`stopped`, `running`, `emergency_stopped`, `error`).
    case heartbeat(state: String)
    /// A command was carried out (or refused, with the reason in `result`).
    case acknowledged(commandID: Int64, result: String)
    /// Something the user should see: an error, a warning, a state change.
    case event(level: String, kind: String, message: String)

    public func line() -> String {
        switch self {
        case .heartbeat(let state):
            JSONLine.encode(["type": "heartbeat", "state": state])
        case .acknowledged(let id, let result):
            JSONLine.encode(["type": "ack", "command_id": id, "result": result])
        case .event(let level, let kind, let message):
            JSONLine.encode(["type": "event", "level": level, "kind": kind, "message": message])
        }
    }

    public static func parse(_ line: String) throws(ProtocolError) -> WorkerReport {
        let fields = try JSONLine.decode(line)
        switch fields["type"] as? String {
        case "heartbeat":
            return .heartbeat(state: try text(fields, "state", limit: 64))
        case "ack":
            guard let id = (fields["command_id"] as? NSNumber)?.int64Value else {
                throw ProtocolError(reason: "ack needs command_id")
            }
            return .acknowledged(commandID: id, result: try text(fields, "result", limit: 1_000))
        case "event":
            return .event(
                level: try text(fields, "level", limit: 16), kind: try text(fields, "kind", limit: 64),
                message: try text(fields, "message", limit: 2_000)
            )
        case let other:
            throw ProtocolError(reason: "unknown report type \(other ?? "none")")
        }
    }

    private static func text(_ fields: [String: Any], _ key: String, limit: Int) throws(ProtocolError) -> String {
        guard let value = fields[key] as? String else { throw ProtocolError(reason: "\(key) is missing or not a string") }
        guard value.count <= limit else { throw ProtocolError(reason: "\(key) is longer than \(limit) characters") }
        return value
    }
}

public struct ProtocolError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { reason }
}

/// One JSON object on one line.
public enum JSONLine {
    /// Longer lines are refused rather than buffered without bound.
    public static let maxLength = 1 << 20

    public static func encode(_ fields: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(_ line: String) throws(ProtocolError) -> [String: Any] {
        guard line.utf8.count <= maxLength else { throw ProtocolError(reason: "line longer than \(maxLength) bytes") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)), let fields = object as? [String: Any] else {
            throw ProtocolError(reason: "not a JSON object")
        }
        return fields
    }
}
