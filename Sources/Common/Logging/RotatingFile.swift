import Foundation
import Synchronization

/// An append-only log file rotated by size: `name.log` becomes `name.log.1`, and so on up to
/// `keep` old files. Safe to share between threads.
public final class RotatingFile: Sendable {
    private struct State {
        var fd: Int32
        var size: Int
    }

    public let path: String
    private let maxBytes: Int
    private let keep: Int
    private let mode: mode_t
    private let state: Mutex<State>

    public init(path: String, maxBytes: Int, keep: Int, mode: mode_t = 0o640) throws {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        self.mode = mode
        let fd = try Self.openFile(path, mode: mode)
        var info = stat()
        fstat(fd, &info)
        state = Mutex(State(fd: fd, size: Int(info.st_size)))
    }

    deinit {
        _ = state.withLock { close($0.fd) }
    }

    /// Appends one line (a newline is added when missing).
    public func write(line: String) {
        var bytes = Array(line.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        state.withLock { state in
            if state.size > 0, state.size + bytes.count > maxBytes {
                rotate(&state)
            }
            let written = bytes.withUnsafeBytes { Foundation.write(state.fd, $0.baseAddress, $0.count) }
            if written > 0 { state.size += written }
        }
    }

    private func rotate(_ state: inout State) {
        close(state.fd)
        for index in stride(from: keep - 1, through: 1, by: -1) {
            rename("\(path).\(index)", "\(path).\(index + 1)")
        }
        unlink("\(path).\(keep + 1)")
        rename(path, "\(path).1")
        state.fd = (try? Self.openFile(path, mode: mode)) ?? -1
        state.size = 0
    }

    private static func openFile(_ path: String, mode: mode_t) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        fchmod(fd, mode)
        return fd
    }
}
