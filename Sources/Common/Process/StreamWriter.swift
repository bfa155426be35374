import Foundation

/// Writes to a standard stream without trapping when its reader is gone. `FileHandle.write(_:)`
/// traps on a closed pipe (an `EPIPE` once SIGPIPE is ignored, as NIO does), and a trapping
/// process then waits seconds for its backtrace: a worker whose supervisor had been killed logged
/// one more line, trapped, and outlived it (`killingTheSupervisorLeavesNoWorkerBehind`, 1 run in 3
/// on a busy machine). The line is dropped instead; the end of stdin or the death signal ends the
/// process.
public struct StreamWriter: Sendable {
    let handle: FileHandle

    public init(_ handle: FileHandle) {
        self.handle = handle
    }

    public static let standardError = StreamWriter(.standardError)
    public static let standardOutput = StreamWriter(.standardOutput)

    /// Writes the whole text; false when the stream is closed or failed.
    @discardableResult
    public func write(_ text: String) -> Bool {
        write(Data(text.utf8))
    }

    @discardableResult
    public func write(_ data: Data) -> Bool {
        do {
            try handle.write(contentsOf: data)
            return true
        } catch {
            return false
        }
    }
}
