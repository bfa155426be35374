import CProcessControl
import Common
import Foundation
import Logging
import Synchronization

/// Keeps the children alive: starts them, reads their reports, restarts them after an exit with
/// capped backoff (``RestartPolicy``), kills a worker whose heartbeat is too old, and keeps one
/// worker per user with a stored exchange key.
///
/// Report handlers run on one dispatch queue per child and `tick()` on the service's task; both
/// take the state lock for short, in-memory updates and do database writes after releasing it.
final class ProcessSupervisor: Sendable {
    struct State {
        var slots: [String: ChildSlot] = [:]
        var stopping = false
        var lastKeySync = Date.distantPast
        var lastFlush = Date.distantPast
        /// A state changed (started, running, exited): write at the next tick, not in 0.5 s.
        var urgentFlush = false
        /// The request-weight share each worker was last told.
        var announcedShare = 0
    }

    let config: TraderConfig
    let directory: DataDirectory
    let database: CentralDatabase
    let vault: ExchangeKeyVault
    let binDir: String
    let isolation: Isolation
    let logger: Logger
    let state = Mutex(State())
    /// How many workers should run; read while the state lock is held, so kept apart.
    let workerCount = Atomic<Int>(1)
    let heartbeatTimeout: TimeInterval
    let stopTimeout: TimeInterval
    /// Several hosts (PostgreSQL): this host's leases on its users; nil on one machine.
    let leases: LeaseKeeper?
    /// Writes the database refused because this host's lease was no longer current.
    let fencingRefusals = Atomic<Int>(0)
    /// Reports kept while the central database does not answer.
    let backlog = Mutex(ReportBacklog())
    /// Status writes and key reads failing every pass (the central database down) are logged
    /// now and then, not at every pass.
    let statusWriteFailures = Mutex(FailureLogGate())
    let keyReadFailures = Mutex(FailureLogGate())
    /// Report rows were written since the webs were last told (``CentralDatabase/announceChanges()``).
    let reportsWritten = Atomic<Bool>(false)
    /// Tells users what their bots did (set once at start, before any child runs).
    let notifierSlot = Mutex<Notifier?>(nil)
    var notifier: Notifier? { notifierSlot.withLock { $0 } }

    init(config: TraderConfig, directory: DataDirectory, database: CentralDatabase, vault: ExchangeKeyVault, binDir: String, isolation: Isolation, logger: Logger) {
        self.config = config
        self.directory = directory
        self.database = database
        self.vault = vault
        self.binDir = binDir
        self.isolation = isolation
        self.logger = logger
        heartbeatTimeout = Double(config.heartbeatTimeoutMs) / 1000
        stopTimeout = Double(config.stopTimeoutMs) / 1000
        leases = database.leases.map {
            LeaseKeeper(store: $0, host: config.hostID, capacity: config.hostCapacity, ttl: Double(config.leaseMs) / 1000, logger: logger)
        }
    }

    /// The host and epoch a worker's writes are fenced by; nil on one machine.
    func fence(_ epoch: Int64?) -> (host: String, epoch: Int64)? {
        guard leases != nil else { return nil }
        return (config.hostID, epoch ?? -1)
    }

    /// Counts and logs a write the database refused because this host no longer holds the lease.
    func didFence(_ error: FenceRefused, user: UserID) {
        let count = fencingRefusals.wrappingAdd(1, ordering: .relaxed).newValue
        logger.warning("report.fenced", metadata: ["user.id": "\(user)", "host": "\(config.hostID)", "refused": "\(count)", "reason": "\(error)"])
    }

    // MARK: - The periodic pass

    /// Reaps exits, enforces heartbeats, restarts what is due, follows stored keys, and writes
    /// changed statuses. Called every ~100 ms.
    func tick(now: Date = Date()) {
        if now.timeIntervalSince(state.withLock { $0.lastKeySync }) * 1000 >= Double(config.keyPollMs) {
            syncWorkersWithKeys(now: now)
        }
        let (removed, urgent): ([(ProcessStatus, Int64?)], Bool) = state.withLock { state in
            var removed: [(ProcessStatus, Int64?)] = []
            var urgent = state.urgentFlush
            var starts = startLimit - startingNow(state)
            // In user order: the ones waiting longest to start go first.
            for name in state.slots.keys.sorted(by: Self.startOrder) {
                guard var slot = state.slots[name] else { continue }
                let before = (slot.status.state, slot.status.pid)
                supervise(&slot, now: now, stopping: state.stopping, starts: &starts)
                if before != (slot.status.state, slot.status.pid) { urgent = true }
                if !slot.wanted, slot.process == nil, slot.spec.isWorker, !state.stopping {
                    // Its key was removed (or its user runs on another host): gone for good here.
                    slot.status.message = slot.stopReason ?? "no API key"
                    removed.append((slot.status, slot.leaseEpoch))
                    state.slots[name] = nil
                } else {
                    state.slots[name] = slot
                }
            }
            state.urgentFlush = false
            return (removed, urgent)
        }
        if !removed.isEmpty {
            saveStatuses(removed.map(\.0), epochs: removed.map(\.1), at: now)
        }
        if urgent || now.timeIntervalSince(state.withLock { $0.lastFlush }) >= 0.5 {
            flush(now: now)
            if !backlog.withLock({ $0.isEmpty }) { writeBacklog() }
        }
        // One word to the webs per pass that wrote something they show (not per heartbeat).
        if reportsWritten.exchange(false, ordering: .relaxed) || urgent || !removed.isEmpty {
            database.announceChanges()
        }
    }

    /// Workers started at once, at most: a new worker reads its user's history from the
    /// central database and the exchange before its first heartbeat, and hundreds started at
    /// once (a host's start, a host taking a dead one's users) would starve the supervisor's own
    /// pass on a small machine. Four per core.
    var startLimit: Int { max(4, 4 * ProcessInfo.processInfo.activeProcessorCount) }

    /// Workers running that have not sent their first heartbeat yet.
    func startingNow(_ state: State) -> Int {
        state.slots.values.filter { $0.spec.isWorker && $0.process != nil && $0.status.lastHeartbeatAt == nil }.count
    }

    /// Web and simulator first, then workers by user id.
    static func startOrder(_ a: String, _ b: String) -> Bool {
        let (aWorker, bWorker) = (a.hasPrefix("worker"), b.hasPrefix("worker"))
        if aWorker != bWorker { return bWorker }
        return a.count != b.count ? a.count < b.count : a < b
    }

    /// `starts`: workers that may still be started in this pass.
    func supervise(_ slot: inout ChildSlot, now: Date, stopping: Bool, starts: inout Int) {
        if let process = slot.process {
            var code: Int32 = 0
            var signal: Int32 = 0
            let result = cpc_reap(process.pid, &code, &signal)
            if result == process.pid || (result < 0 && errno == ECHILD) {
                didExit(&slot, description: ChildProcess.describeExit(code: code, signal: signal), now: now, stopping: stopping)
                return
            }
            if let requested = slot.stopRequestedAt {
                if now.timeIntervalSince(requested) > stopTimeout { process.signal(SIGKILL) }
                return
            }
            if slot.spec.isWorker, slot.killReason == nil, let since = slot.status.lastHeartbeatAt ?? slot.status.startedAt,
                now.timeIntervalSince(since) > heartbeatTimeout
            {
                slot.killReason = String(format: "no heartbeat for %.1f s", now.timeIntervalSince(since))
                logger.warning("worker.heartbeat_missed", metadata: ["process": "\(slot.spec.name)", "pid": "\(process.pid)"])
                process.signal(SIGKILL)
                process.signal(SIGCONT)
            }
            sampleMemory(&slot, pid: process.pid, now: now)
            if slot.spec.isWorker, slot.killReason == nil { checkMemory(&slot, pid: process.pid, now: now) }
            if slot.policy.didRunHealthily(at: now) {
                slot.status.crashLoop = false
                slot.dirty = true
            }
        } else if slot.wanted, !stopping, let due = slot.restartAt, now >= due {
            if slot.spec.isWorker {
                guard starts > 0 else { return }
                starts -= 1
            }
            spawn(&slot, now: now)
        }
    }

    func didExit(_ slot: inout ChildSlot, description: String, now: Date, stopping: Bool) {
        slot.process?.closeStdin()
        slot.process = nil
        let exit = slot.killReason.map { "\(description), killed: \($0)" } ?? description
        slot.status.pid = nil
        slot.status.lastExitStatus = exit
        slot.status.lastExitAt = now
        slot.dirty = true
        if !slot.wanted || stopping {
            slot.status.state = .stopped
            slot.status.nextRestartAt = nil
            logger.info("child.stopped", metadata: ["process": "\(slot.spec.name)", "exit": "\(exit)"])
            return
        }
        if slot.restartWithoutPenalty {
            slot.restartWithoutPenalty = false
            slot.restartAt = now
            slot.status.state = .backoff
            return
        }
        let decision = slot.policy.didExit(at: now)
        if decision.crashLoop, !slot.status.crashLoop, let user = slot.spec.userID {
            notifier?.post([NoticeTrigger.crashLoop(exits: slot.policy.recentExits.count, now: now)], for: user)
        }
        slot.restartAt = decision.restartAt
        slot.status.state = decision.crashLoop ? .crashLoop : .backoff
        slot.status.crashLoop = decision.crashLoop
        slot.status.nextRestartAt = decision.restartAt
        slot.status.message =
            decision.crashLoop ? "crash loop: \(slot.policy.recentExits.count) exits in \(Int(slot.policy.settings.crashLoopWindow)) s; last \(exit)" : nil
        logger.warning(
            decision.crashLoop ? "child.crash_loop" : "child.exited",
            metadata: [
                "process": "\(slot.spec.name)", "exit": "\(exit)", "restart_in_s": "\(String(format: "%.2f", decision.restartAt.timeIntervalSince(now)))",
            ]
        )
    }

    /// Starts a worker for every user with a stored key, restarts one whose key changed, and
    /// stops one whose key was removed.
    func requestStop(_ slot: inout ChildSlot, now: Date) {
        guard let process = slot.process, slot.stopRequestedAt == nil else { return }
        slot.status.state = .stopping
        slot.dirty = true
        slot.stopRequestedAt = now
        process.signal(SIGTERM)
        process.closeStdin()
    }

    func flush(now: Date) {
        let statuses: [ProcessStatus] = state.withLock { state in
            state.lastFlush = now
            var dirty: [ProcessStatus] = []
            for (name, var slot) in state.slots where slot.dirty {
                dirty.append(slot.status)
                slot.dirty = false
                state.slots[name] = slot
            }
            return dirty
        }
        let failed = saveStatuses(statuses, at: now)
        if !failed.isEmpty {
            state.withLock { state in
                for status in failed { state.slots[status.process]?.dirty = true }
            }
        }
    }

    /// Writes statuses; returns those not written (to try again). With several hosts each
    /// worker's is written fenced by its lease: a host that lost the user writes nothing over the
    /// new owner's row.
    /// `epochs`: the lease epoch of each (nil: read from its slot).
    @discardableResult
    func saveStatuses(_ statuses: [ProcessStatus], epochs known: [Int64?]? = nil, at now: Date) -> [ProcessStatus] {
        guard leases != nil else {
            do {
                try database.processes.save(statuses, at: now)
                logRecovered("status.write_recovered", gate: statusWriteFailures, now: now)
                return []
            } catch {
                logRepeated("status.write_failed", error, gate: statusWriteFailures, now: now)
                return statuses
            }
        }
        var failed: [ProcessStatus] = []
        let epochs = known ?? state.withLock { state in statuses.map { state.slots[$0.process]?.leaseEpoch } }
        let shared = statuses.indices.filter { statuses[$0].userID == nil }
        do {
            try database.processes.save(shared.map { statuses[$0] }, at: now)
            logRecovered("status.write_recovered", gate: statusWriteFailures, now: now)
        } catch {
            logRepeated("status.write_failed", error, gate: statusWriteFailures, now: now)
            failed += shared.map { statuses[$0] }
        }
        // Every worker's status in one transaction: one commit per pass, not one per worker (a
        // heartbeat a second each: hundreds of commits a second on a host with hundreds).
        let workers = statuses.indices.filter { statuses[$0].userID != nil }
        guard !workers.isEmpty else { return failed }
        var epochByUser: [UserID: Int64] = [:]
        for index in workers { epochByUser[statuses[index].userID!] = epochs[index] ?? -1 }
        do {
            let refused = try database.fencedEach(host: config.hostID, epochs: epochByUser) { db, current in
                try db.processes.save(workers.map { statuses[$0] }.filter { current.contains($0.userID!) }, at: now)
            }
            logRecovered("status.write_recovered", gate: statusWriteFailures, now: now)
            for user in refused.sorted() {
                didFence(FenceRefused(description: "host \(config.hostID) no longer holds the lease of user \(user) at epoch \(epochByUser[user]!)"), user: user)
            }
        } catch {
            logRepeated("status.write_failed", error, gate: statusWriteFailures, now: now)
            failed += workers.map { statuses[$0] }
        }
        return failed
    }

    /// Logs a failure that repeats at every pass: its first occurrence, then one every 30 s
    /// with how many were left out (``FailureLogGate``).
    func logRepeated(_ event: Logger.Message, _ error: any Error, gate: borrowing Mutex<FailureLogGate>, now: Date) {
        guard case .log(let leftOut) = gate.withLock({ $0.failed(at: now) }) else { return }
        var metadata: Logger.Metadata = ["error": "\(error)"]
        if leftOut > 0 { metadata["left_out"] = "\(leftOut)" }
        logger.error(event, metadata: metadata)
    }

    /// Logs the end of such failures, once.
    func logRecovered(_ event: Logger.Message, gate: borrowing Mutex<FailureLogGate>, now: Date) {
        guard let recovery = gate.withLock({ $0.succeeded() }) else { return }
        logger.notice(event, metadata: ["failures": "\(recovery.failures)", "after_s": "\(String(format: "%.1f", now.timeIntervalSince(recovery.since)))"])
    }

    // MARK: - Stopping

    /// Stops every child: SIGTERM and end of stdin, then SIGKILL for any still there after the
    /// stop timeout. Returns when all have been reaped.
    func stopAll() async {
        let now = Date()
        state.withLock { state in
            state.stopping = true
            for (name, var slot) in state.slots {
                slot.wanted = false
                requestStop(&slot, now: now)
                state.slots[name] = slot
            }
        }
        let deadline = now.addingTimeInterval(stopTimeout + 1.5)
        while Date() < deadline {
            tick()
            if state.withLock({ $0.slots.values.allSatisfy { $0.process == nil } }) { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        state.withLock { state in
            for slot in state.slots.values { slot.process?.signal(SIGKILL) }
        }
        tick()
        flush(now: Date())
        writeBacklog()
        if let leases {
            // Its own rows are written (flush); other hosts' are theirs. Then its users are free.
            leases.releaseAll()
        } else {
            try? database.processes.markAllStopped(message: "supervisor stopped", at: Date())
        }
    }

    /// Statuses as held in memory (the control socket's `/v1/status`).
    func statuses() -> [ProcessStatus] {
        state.withLock { $0.slots.values.map(\.status).sorted { $0.process < $1.process } }
    }
}
