import CProcessControl
import Common
import Foundation
import Logging

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
        }
    }

}
