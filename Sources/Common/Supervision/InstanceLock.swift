import Foundation

/// Makes sure only one supervisor runs on a data directory: an exclusive `flock` on
/// `DIR/run/supervisor.lock`, which holds the owner's pid. The kernel releases it when the
/// process dies, however it dies.
public final class InstanceLock: Sendable {
    public struct HeldElsewhere: Error, CustomStringConvertible {
        public let path: String
        public let pid: String?
        public var description: String {
            "another supervisor\(pid.map { " (pid \($0))" } ?? "") is already running on this data directory (lock \(path)); stop it first"
        }
    }

    private let fd: Int32
    public let path: String

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot open \(path): \(String(cString: strerror(errno)))"])
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            let pid = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
            throw HeldElsewhere(path: path, pid: pid?.isEmpty == false ? pid : nil)
        }
        ftruncate(fd, 0)
        let text = Array("\(getpid())\n".utf8)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit {
        ftruncate(fd, 0)
        close(fd)
    }
}
