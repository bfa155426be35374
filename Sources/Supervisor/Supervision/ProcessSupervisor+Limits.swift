import CProcessControl
import Common
import Foundation
import Glibc

extension ProcessSupervisor {
    /// Kills a worker whose resident memory passed `worker.memory_limit_mb` (read every 2 s from
    /// `/proc`); it is started again like any exit, the reason in its exit status and in its
    /// user's events, so the dashboard shows why.
    func checkMemory(_ slot: inout ChildSlot, pid: pid_t, now: Date) {
        let limit = config.workerMemoryLimitMB
        guard limit > 0, now.timeIntervalSince(slot.memoryCheckedAt ?? .distantPast) >= 2 else { return }
        slot.memoryCheckedAt = now
        guard let bytes = Self.residentBytes(pid), bytes > limit * 1_048_576 else { return }
        let reason = "resident memory \(bytes / 1_048_576) MB over the limit of \(limit) MB"
        slot.killReason = reason
        logger.warning("worker.memory_limit", metadata: ["process": "\(slot.spec.name)", "pid": "\(pid)", "rss_mb": "\(bytes / 1_048_576)"])
        if let user = slot.spec.userID {
            let event = WorkerEvent(userID: user, time: now, level: "error", kind: "memory_limit", message: "The bot's process was restarted: \(reason).")
            try? database.workerEvents.record([event])
        }
        kill(pid, SIGKILL)
    }

    /// Records every child's resident memory for the operator's console, every 2 s (written when
    /// it moved by a MiB or more, so the status rows are not rewritten for nothing).
    func sampleMemory(_ slot: inout ChildSlot, pid: pid_t, now: Date) {
        guard now.timeIntervalSince(slot.memorySampledAt ?? .distantPast) >= 2 else { return }
        slot.memorySampledAt = now
        guard let bytes = Self.residentBytes(pid), abs(bytes - (slot.status.residentBytes ?? 0)) >= 1_048_576 else { return }
        slot.status.residentBytes = bytes
        slot.dirty = true
    }

    /// Resident set size of a process, from `/proc/<pid>/statm` (pages).
    static func residentBytes(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The open-files limit of a just-started worker of the supervisor's own uid (`prlimit` on its
    /// pid; a worker under a uid of its own gets it before it executes, see ``ChildProcess``).
    func limitOpenFiles(_ pid: pid_t) {
        if cpc_set_open_files_limit(pid, UInt(config.workerOpenFiles)) != 0 {
            logger.warning("worker.limit_failed", metadata: ["pid": "\(pid)", "errno": "\(errno)"])
        }
    }
}

extension ProcessSupervisor {
    /// The users whose notifications this host sends: with several hosts, those it holds a lease
    /// on (their workers run here); nil on one machine (everyone's).
    func localUsers() -> Set<UserID>? {
        guard let leases else { return nil }
        return leases.heldUsers
    }
}
