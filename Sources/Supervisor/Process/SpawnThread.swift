import Foundation
import Synchronization

/// Runs every `posix_spawn` on one thread that lives as long as the supervisor.
///
/// A child's `PR_SET_PDEATHSIG` fires when the *thread* that spawned it exits, not the process;
/// the threads of Swift's concurrency pool come and go, so spawning from them would deliver
/// SIGTERM to healthy workers whenever an idle pool thread retired.
final class SpawnThread: Sendable {
    static let shared = SpawnThread()

    private struct Job: @unchecked Sendable {
        let work: () -> Void
    }

    private final class Queue: Sendable {
        let jobs = Mutex<[Job]>([])
        let available = DispatchSemaphore(value: 0)
    }

    private let queue = Queue()

    private init() {
        let thread = Thread { [queue] in
            while true {
                queue.available.wait()
                let job = queue.jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                job?.work()
            }
        }
        thread.name = "spawn"
        thread.start()
    }

    /// Runs `body` on the spawn thread and returns its result.
    func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, any Error>?
        queue.jobs.withLock {
            $0.append(
                Job {
                    result = Result { try body() }; done.signal()
                })
        }
        queue.available.signal()
        done.wait()
        return try result!.get()
    }
}
