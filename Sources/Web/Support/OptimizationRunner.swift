import Common
import Foundation
import Synchronization

/// Runs users' optimisations in the background (on threads of their own at a lower priority,
/// so pages stay quick), one at a time per user and `limit` at once in all; their progress is
/// here while they run, their records and reports in the central database.
final class OptimizationRunner: Sendable {
    struct Running: Sendable {
        let user: UserID
        let control: OptimizationControl
    }

    let store: any OptimizationStore
    let limit: Int
    /// This web among those sharing a central database: its host and data directory.
    let name: String
    private let running = Mutex<[String: Running]>([:])

    init(store: any OptimizationStore, name: String, limit: Int = 2) {
        self.store = store
        self.name = name
        self.limit = limit
        // What this web ran when it last stopped will never finish (another host's web runs its own).
        _ = try? store.interruptRunning(runner: name, at: Date())
    }

    /// Takes a place for the user's optimisation; refused while the user has one running or
    /// `limit` are running.
    func reserve(_ id: String, user: UserID) throws(APIError) -> OptimizationControl {
        let control = OptimizationControl()
        let refusal: APIError? = running.withLock { all in
            if all.values.contains(where: { $0.user == user }) {
                return APIError(.conflict, "optimization_running", "You have an optimisation running: wait for it or cancel it first.")
            }
            if all.count >= limit {
                return APIError(.serviceUnavailable, "busy", "\(limit) optimisations are running on this server; try again in a few minutes.", headers: [.retryAfter: "60"])
            }
            all[id] = Running(user: user, control: control)
            return nil
        }
        if let refusal { throw refusal }
        return control
    }

    func release(_ id: String) { _ = running.withLock { $0.removeValue(forKey: id) } }

    /// Runs the study on a thread of its own and records how it ended.
    func start(_ record: OptimizationRecord, study: Study, candles: [StrategyCandle], control: OptimizationControl) throws {
        do {
            try store.create(record)
        } catch {
            release(record.id)
            throw error
        }
        control.plan(study.plannedBacktests(count: candles.count))
        let store = store
        let thread = Thread { [self] in
            let outcome: (OptimizationRecord.Status, String?, String?)
            do {
                let report = try study.run(candles, control: control)
                outcome = (.done, String(decoding: WireJSON.data(report), as: UTF8.self), nil)
            } catch {
                outcome = control.isCancelled ? (.cancelled, nil, "cancelled") : (.failed, nil, "\(error)")
            }
            try? store.finish(id: record.id, status: outcome.0, report: outcome.1, error: outcome.2, at: Date())
            release(record.id)
        }
        thread.start()
    }

    func progress(_ id: String) -> OptimizationControl.Progress? { running.withLock { $0[id]?.control.progress } }

    /// Cancels the user's running optimisation; false when it is not running (or not theirs).
    func cancel(_ id: String, user: UserID) -> Bool {
        running.withLock { all in
            guard let entry = all[id], entry.user == user else { return false }
            entry.control.cancel()
            return true
        }
    }
}
