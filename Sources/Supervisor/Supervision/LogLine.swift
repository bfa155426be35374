import Common
import Foundation

/// Keeps every log file JSON lines: a child's line that is not JSON (a crash trace, a
/// library's print) is wrapped, with the process and user it came from.
enum LogLine {
    static func normalize(_ line: String, process: String, user: UserID?) -> String {
        if line.hasPrefix("{"), (try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any] {
            return line
        }
        var fields: [String: Any] = [
            "time": Timestamp.string(Date()), "level": "warning", "label": process, "source": "stderr", "message": line,
        ]
        if let user { fields["user.id"] = user.rawValue }
        return JSONLogHandler.encode(fields)
    }
}
