import Foundation
import Logging

/// Where JSON log lines go.
public enum LogSink: Sendable {
    /// Standard error: children write here and the supervisor files the lines under `DIR/logs`.
    case standardError
    case file(RotatingFile)
    case both(RotatingFile)

    func write(_ line: String) {
        switch self {
        case .standardError:
            StreamWriter.standardError.write(line + "\n")
        case .file(let file):
            file.write(line: line)
        case .both(let file):
            file.write(line: line)
            StreamWriter.standardError.write(line + "\n")
        }
    }
}

/// A swift-log handler that writes one JSON object per line:
/// `{"time","level","label","message",…metadata}`. Metadata keys are dotted
/// (`"user.id"`), messages constant; secrets are never passed to a logger.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink, level: Logger.Level = .info) {
        self.label = label
        self.sink = sink
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "time": Timestamp.string(Date()),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged { fields[key] = Self.json(value) }
        sink.write(Self.encode(fields))
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }

    /// One JSON object, keys sorted, on one line.
    public static func encode(_ fields: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]),
            let line = String(data: data, encoding: .utf8)
        else { return #"{"level":"error","message":"unencodable log line"}"# }
        return line
    }

    /// Sets up swift-log for a process. Call once, first thing.
    public static func bootstrap(label: String, sink: LogSink, level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { name in JSONLogHandler(label: name, sink: sink, level: parsed) }
    }
}
