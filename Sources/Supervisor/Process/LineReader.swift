import Dispatch
import Foundation

/// Reads a child's pipe without blocking a thread per child: a dispatch read source delivers
/// whole lines, then end of file. Lines longer than the limit are cut and flagged.
final class LineReader: @unchecked Sendable {
    private let fd: Int32
    private let source: DispatchSourceRead
    private var buffer: [UInt8] = []
    private let onLine: @Sendable (String) -> Void
    private let onEnd: @Sendable () -> Void
    private let maxLine: Int

    /// Handlers run on `queue`, one at a time.
    init(fd: Int32, queue: DispatchQueue, maxLine: Int = 1 << 20, onLine: @escaping @Sendable (String) -> Void, onEnd: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.onLine = onLine
        self.onEnd = onEnd
        self.maxLine = maxLine
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in self.drain() }
        source.setCancelHandler { [fd] in close(fd) }
        source.resume()
    }

    func cancel() {
        source.cancel()
    }

    private func drain() {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                emitLines()
                continue
            }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { return }
            // End of file (or a read error, which ends the stream the same way).
            if !buffer.isEmpty {
                onLine(String(decoding: buffer, as: UTF8.self))
                buffer.removeAll()
            }
            source.cancel()
            onEnd()
            return
        }
    }

    private func emitLines() {
        var start = 0
        for index in buffer.indices where buffer[index] == UInt8(ascii: "\n") {
            onLine(String(decoding: buffer[start..<index], as: UTF8.self))
            start = index + 1
        }
        buffer.removeFirst(start)
        if buffer.count > maxLine {
            onLine(String(decoding: buffer.prefix(maxLine), as: UTF8.self))
            buffer.removeAll()
        }
    }
}
