/// Why a database or a folder of the data directory cannot be used. Each message names the file
/// and says what the operator should do.
public enum StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    case notADirectory(String)
    case cannotSetMode(String, String)
    case notADatabase(String)
    case damaged(String, String)
    case newerSchema(String, unknown: [String], known: [String])
    case olderSchema(String, missing: [String])
    case unavailable(String, String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            "\(path) exists but is not a directory"
        case .cannotSetMode(let path, let reason):
            "cannot set the mode of \(path): \(reason)"
        case .notADatabase(let path):
            "\(path) is not an SQLite database (damaged or foreign file); it was left untouched. Restore it from DIR/backups or move it aside."
        case .damaged(let path, let detail):
            "\(path) is damaged (\(detail)); it was left untouched. Restore it from DIR/backups or move it aside."
        case .newerSchema(let path, let unknown, let known):
            "\(path) was written by a newer version of Crypto Trader Pro (schema \(unknown.joined(separator: ", ")); this version knows up to \(known.last ?? "none")); it was left untouched. Upgrade this installation."
        case .olderSchema(let path, let missing):
            "\(path) is not migrated yet (missing \(missing.joined(separator: ", "))); start the supervisor, which migrates it"
        case .unavailable(let path, let reason):
            "\(path) cannot be opened: \(reason)"
        }
    }
}
