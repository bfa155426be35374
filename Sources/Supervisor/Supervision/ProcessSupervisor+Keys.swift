import CProcessControl
import Common
import Foundation
import Logging
import Synchronization

extension ProcessSupervisor {
    func syncWorkersWithKeys(now: Date) {
        state.withLock { $0.lastKeySync = now }
        let revisions: [UserID: Int64]
        do {
            revisions = try database.exchangeKeys.keyRevisions()
        } catch {
            logger.error("keys.read_failed", metadata: ["error": "\(error)"])
            return
        }
        workerCount.store(revisions.count, ordering: .relaxed)
        state.withLock { state in
            guard !state.stopping else { return }
            for (user, revision) in revisions {
                let name = ProcessStatus.workerName(user)
                if var slot = state.slots[name] {
                    if slot.keyRevision != revision, slot.wanted {
                        if slot.process != nil {
                            slot.restartWithoutPenalty = true
                            slot.process?.signal(SIGTERM)
                            slot.process?.closeStdin()
                            slot.stopRequestedAt = now
                        } else {
                            slot.restartAt = now
                        }
                        slot.keyRevision = revision
                        state.slots[name] = slot
                    }
                } else if let spec = workerSpec(user) {
                    var slot = ChildSlot(spec: spec, policy: RestartPolicy(settings: .init(config)))
                    spawn(&slot, now: now)
                    state.slots[name] = slot
                }
            }
            for (name, var slot) in state.slots where slot.spec.isWorker && revisions[slot.spec.userID!] == nil && slot.wanted {
                slot.wanted = false
                requestStop(&slot, now: now)
                state.slots[name] = slot
            }
            announceBudget(&state, workers: revisions.count)
        }
    }


    /// Each worker's share of the host's request weight: 80 % of the limit split among the
    /// workers that should run, resent to all of them when their number changes.
    var budgetShare: Int {
        WeightBudget.share(hostLimit: config.requestWeightLimit, processes: max(workerCount.load(ordering: .relaxed), 1))
    }

    func announceBudget(_ state: inout State, workers: Int) {
        workerCount.store(workers, ordering: .relaxed)
        let share = WeightBudget.share(hostLimit: config.requestWeightLimit, processes: max(workers, 1))
        guard share != state.announcedShare else { return }
        state.announcedShare = share
        let line = SupervisorMessage.budget(weightPerMinute: share).line()
        for slot in state.slots.values where slot.spec.isWorker && slot.wanted {
            _ = slot.process?.send(line: line)
        }
        logger.info("budget.announced", metadata: ["weight_per_minute": "\(share)", "workers": "\(workers)"])
    }
}
