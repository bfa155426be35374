import Common
import Foundation
import Synchronization

/// Where the worker's reports go: the supervisor (``Reporter``), or a list in unit tests.
protocol ReportSink: Sendable {
    func send(_ report: WorkerReport)
}

/// Writes reports to stdout, one whole line at a time. A write that fails means the supervisor
/// is gone (its end of the pipe closed): the worker exits at once, as it does at the end of stdin
/// (``StreamWriter`` explains why not `FileHandle.write(_:)`).
final class Reporter: ReportSink {
    private let lock = Mutex(())

    func send(_ report: WorkerReport) {
        let data = Data((report.line() + "\n").utf8)
        lock.withLock { _ in
            if !StreamWriter.standardOutput.write(data) { _exit(0) }
        }
    }
}
