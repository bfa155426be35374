import Dispatch
import Foundation

/// Runs `body` on `threads` threads at once and waits for them all. With a `niceness`, each
/// runs on a thread of its own at that lower priority (Linux keeps a nice value per thread), so
/// a search in the web yields the cores to the pages; without, on the shared pool.
public struct Parallel: Sendable {
    public let threads: Int
    public let niceness: Int32?

    public init(threads: Int, niceness: Int32? = nil) {
        self.threads = max(1, threads)
        self.niceness = niceness
    }

    func run(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        let workers = max(1, min(threads, count))
        guard let niceness else {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in body() }
            return
        }
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let thread = Thread {
                #if os(Linux)
                    _ = setpriority(__priority_which_t(0), 0, niceness)  // PRIO_PROCESS, this thread
                #endif
                body()
                group.leave()
            }
            thread.start()
        }
        group.wait()
    }
}
