import Foundation

/// A folder under /tmp, reachable by other uids (mode 0755), removed when released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = "/tmp/ctp-unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
