import Common
import Foundation
import Synchronization

/// Writes reports to stdout, one whole line at a time.
final class Reporter: Sendable {
    private let lock = Mutex(())

    func send(_ report: WorkerReport) {
        let data = Data((report.line() + "\n").utf8)
        lock.withLock { _ in FileHandle.standardOutput.write(data) }
    }
}
