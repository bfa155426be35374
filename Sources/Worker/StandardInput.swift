import Foundation

/// The supervisor's lines on stdin, read by one thread; `nil` marks end of file, which means the
/// supervisor is gone and the worker must exit.
/// One consumer reads it at a time (the start-up code, then the command service).
final class StandardInput: @unchecked Sendable {
    private var iterator: AsyncStream<String>.Iterator

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
        iterator = stream.makeAsyncIterator()
        let thread = Thread {
            while let line = readLine(strippingNewline: true) {
                continuation.yield(line)
            }
            continuation.finish()
        }
        thread.start()
    }

    /// The next line, or `nil` at end of file or after `timeout`.
    func nextLine(timeout: Duration? = nil) async -> String? {
        guard let timeout else { return await next() }
        return await withTaskGroup(of: String?.self) { group in
            group.addTask { await self.next() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    private func next() async -> String? {
        await iterator.next(isolation: nil)
    }
}
