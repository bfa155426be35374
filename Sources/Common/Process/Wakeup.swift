import Foundation
import Synchronization

/// Wakes a loop that waits for work or for its next round, whichever comes first: ``signal()``
/// ends the current (or the next) ``wait(upTo:)`` at once. No polling: a loop that sleeps its
/// second costs nothing until then.
public final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Ends the wait under way, or the next one if none is.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after `timeout`, or as soon as ``signal()`` is called (or was, since the last
    /// wait), or the task is cancelled (a service shutting down does not wait out its round).
    public func wait(upTo timeout: Duration) async {
        let timer = Task { [self] in
            do {
                try await Task.sleep(for: timeout)
                signal()
            } catch {}  // cancelled: the wait ended otherwise
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
        timer.cancel()
    }
}
