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
    }

    let config: TraderConfig
    let directory: DataDirectory
    let database: CentralDatabase
    let vault: ExchangeKeyVault
    let binDir: String
    let logger: Logger
    private let state = Mutex(State())
    private let heartbeatTimeout: TimeInterval
    private let stopTimeout: TimeInterval

    init(config: TraderConfig, directory: DataDirectory, database: CentralDatabase, vault: ExchangeKeyVault, binDir: String, logger: Logger) {
        self.config = config
        self.directory = directory
        self.database = database
        self.vault = vault
        self.binDir = binDir
        self.logger = logger
        heartbeatTimeout = Double(config.heartbeatTimeoutMs) / 1000
        stopTimeout = Double(config.stopTimeoutMs) / 1000
    }

    // MARK: - Starting

    /// Starts the web, the simulator (in sim mode) and one worker per stored key.
    func start(now: Date = Date()) throws {
        var services = [webSpec()]
        if config.exchange == .sim { services.append(try simSpec()) }
        state.withLock { state in
            for spec in services {
                var slot = ChildSlot(spec: spec, policy: RestartPolicy(settings: .init(config)))
                spawn(&slot, now: now)
                state.slots[spec.name] = slot
            }
        }
        syncWorkersWithKeys(now: now)
    }

    private var childEnvironment: [String: String] {
        [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "TRADER_SUPERVISOR_PID": String(getpid()),
            "TRADER_LOG_LEVEL": config.logLevel,
        ]
    }

    private func logFile(_ path: String) -> RotatingFile? {
        try? RotatingFile(path: path, maxBytes: config.logMaxBytes, keep: config.logKeep)
    }

    private func webSpec() -> ChildSpec {
        ChildSpec(
            name: "web", userID: nil, executable: binDir + "/web",
            arguments: ["--data-dir", directory.root, "--host", config.webHost, "--port", String(config.webPort), "--exchange", config.exchange.rawValue],
            environment: childEnvironment, log: logFile(directory.processLog("web"))!
        )
    }

    private func simSpec() throws -> ChildSpec {
        ChildSpec(
            name: "exchange-sim", userID: nil, executable: binDir + "/exchange-sim",
            arguments: ["--port", String(config.simPort), "--seed", String(config.simSeed), "--data-dir", directory.simDir],
            environment: childEnvironment, log: logFile(directory.processLog("exchange-sim"))!
        )
    }

    private func workerSpec(_ user: UserID) -> ChildSpec? {
        guard let log = logFile(directory.userLog(user)) else { return nil }
        return ChildSpec(
            name: ProcessStatus.workerName(user), userID: user, executable: binDir + "/worker",
            arguments: [String(user.rawValue), "--data-dir", directory.root, "--heartbeat-interval-ms", String(config.workerHeartbeatIntervalMs)],
            environment: childEnvironment, log: log
        )
    }

    /// Starts the slot's process. For a worker, its credentials are the first line on its stdin,
    /// followed by any command it has not received yet.
    private func spawn(_ slot: inout ChildSlot, now: Date) {
        var firstLines: [String] = []
        if let user = slot.spec.userID {
            do {
                guard let key = try vault.credentials(for: user) else {
                    slot.wanted = false
                    slot.status.state = .stopped
                    slot.status.message = "no API key"
                    slot.dirty = true
                    return
                }
                slot.keyRevision = key.revision
                firstLines.append(SupervisorMessage.credentials(apiKey: key.apiKey, apiSecret: key.apiSecret, exchangeURL: config.exchangeBaseURL).line())
                for command in try database.commands.undelivered(user: user) {
                    firstLines.append(SupervisorMessage.command(id: command.id, name: command.command, payload: command.payload).line())
                }
            } catch let error as Fernet.Error {
                refuse(&slot, message: "the stored API key cannot be decrypted with the master key (\(error)); store the key again", now: now)
                return
            } catch {
                refuse(&slot, message: "cannot read the stored API key: \(error)", now: now)
                return
            }
        }
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(executable: slot.spec.executable, arguments: slot.spec.arguments, environment: slot.spec.environment)
        } catch {
            logger.error("child.spawn_failed", metadata: ["process": "\(slot.spec.name)", "error": "\(error)"])
            let decision = slot.policy.didExit(at: now)
            slot.restartAt = decision.restartAt
            slot.status.state = decision.crashLoop ? .crashLoop : .backoff
            slot.status.crashLoop = decision.crashLoop
            slot.status.nextRestartAt = decision.restartAt
            slot.status.message = "\(error)"
            slot.dirty = true
            return
        }
        for line in firstLines where !process.send(line: line) {
            logger.warning("child.stdin_full", metadata: ["process": "\(slot.spec.name)"])
        }
        if slot.status.startedAt != nil || slot.status.lastExitAt != nil { slot.status.restarts += 1 }
        slot.process = process
        slot.policy.didStart(at: now)
        slot.restartAt = nil
        slot.stopRequestedAt = nil
        slot.killReason = nil
        slot.status.state = .starting
        slot.status.pid = process.pid
        slot.status.startedAt = now
        slot.status.lastHeartbeatAt = nil
        slot.status.nextRestartAt = nil
        slot.status.message = nil
        slot.dirty = true
        slot.readers = makeReaders(for: slot.spec, process: process)
        logger.info("child.started", metadata: ["process": "\(slot.spec.name)", "pid": "\(process.pid)", "restarts": "\(slot.status.restarts)"])
        if let user = slot.spec.userID {
            // Delivered now: the worker receives them right after its credentials.
            for line in firstLines.dropFirst() {
                if case .command(let id, _, _)? = try? SupervisorMessage.parse(line) {
                    try? database.commands.markDelivered(id: id, at: now)
                }
            }
            _ = user
        }
    }

    private func refuse(_ slot: inout ChildSlot, message: String, now: Date) {
        logger.error("worker.key_unusable", metadata: ["process": "\(slot.spec.name)"])
        slot.status.state = .stopped
        slot.status.message = message
        slot.restartAt = nil
        slot.dirty = true
    }

    private func makeReaders(for spec: ChildSpec, process: ChildProcess) -> [LineReader] {
        let queue = DispatchQueue(label: "child.\(spec.name)")
        let name = spec.name
        let pid = process.pid
        let log = spec.log
        let user = spec.userID
        let stderrReader = LineReader(fd: process.stderrFD, queue: queue) { line in
            log.write(line: LogLine.normalize(line, process: name, user: user))
        } onEnd: {}
        let stdoutReader = LineReader(fd: process.stdoutFD, queue: queue) { [weak self] line in
            self?.handleReport(from: name, pid: pid, line: line)
        } onEnd: {}
        return [stdoutReader, stderrReader]
    }

    // MARK: - Reports

    /// One line a child wrote to its stdout. Rows are tagged with the user this supervisor
    /// started the worker for; whatever the line claims is ignored.
    func handleReport(from name: String, pid: pid_t, line: String, now: Date = Date()) {
        let report: WorkerReport
        do {
            report = try WorkerReport.parse(line)
        } catch {
            logger.warning("child.bad_report", metadata: ["process": "\(name)", "error": "\(error)"])
            return
        }
        let user: UserID? = state.withLock { state in
            guard var slot = state.slots[name], slot.process?.pid == pid else { return nil }
            if case .heartbeat(let reported) = report {
                slot.status.lastHeartbeatAt = now
                slot.status.reportedState = reported
                if slot.status.state == .starting {
                    slot.status.state = .running
                    state.urgentFlush = true
                }
                slot.dirty = true
            }
            state.slots[name] = slot
            return slot.spec.userID
        }
        guard let user else { return }
        do {
            switch report {
            case .heartbeat:
                break
            case .acknowledged(let id, let result):
                try database.commands.markAcknowledged(user: user, id: id, result: result, at: now)
            case .event(let level, let kind, let message):
                try database.workerEvents.record([WorkerEvent(userID: user, time: now, level: level, kind: kind, message: message)])
            }
        } catch {
            logger.error("report.write_failed", metadata: ["user.id": "\(user)", "error": "\(error)"])
        }
    }

    // MARK: - Commands

    enum CommandOutcome: Equatable {
        case delivered(Int64)
        case queued(Int64)
        case noWorker(Int64)
    }

    /// Records a command for a user's bot and passes it to the worker's stdin.
    func send(command: String, payload: String?, to user: UserID, now: Date = Date()) throws -> CommandOutcome {
        let id = try database.commands.record(user: user, command: command, payload: payload, at: now)
        let line = SupervisorMessage.command(id: id, name: command, payload: payload).line()
        let outcome: CommandOutcome = state.withLock { state in
            guard let slot = state.slots[ProcessStatus.workerName(user)], slot.wanted else { return .noWorker(id) }
            guard let process = slot.process, process.send(line: line) else { return .queued(id) }
            return .delivered(id)
        }
        if case .delivered = outcome { try database.commands.markDelivered(id: id, at: now) }
        return outcome
    }

    // MARK: - The periodic pass

    /// Reaps exits, enforces heartbeats, restarts what is due, follows stored keys, and writes
    /// changed statuses. Called every ~100 ms.
    func tick(now: Date = Date()) {
        if now.timeIntervalSince(state.withLock { $0.lastKeySync }) * 1000 >= Double(config.keyPollMs) {
            syncWorkersWithKeys(now: now)
        }
        let (removed, urgent): ([ProcessStatus], Bool) = state.withLock { state in
            var removed: [ProcessStatus] = []
            var urgent = state.urgentFlush
            for name in Array(state.slots.keys) {
                guard var slot = state.slots[name] else { continue }
                let before = (slot.status.state, slot.status.pid)
                supervise(&slot, now: now, stopping: state.stopping)
                if before != (slot.status.state, slot.status.pid) { urgent = true }
                if !slot.wanted, slot.process == nil, slot.spec.isWorker, !state.stopping {
                    // Its key was removed: the worker is gone for good.
                    slot.status.message = "no API key"
                    removed.append(slot.status)
                    state.slots[name] = nil
                } else {
                    state.slots[name] = slot
                }
            }
            state.urgentFlush = false
            return (removed, urgent)
        }
        if !removed.isEmpty {
            try? database.processes.save(removed, at: now)
        }
        if urgent || now.timeIntervalSince(state.withLock { $0.lastFlush }) >= 0.5 {
            flush(now: now)
        }
    }

    private func supervise(_ slot: inout ChildSlot, now: Date, stopping: Bool) {
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
            if slot.policy.didRunHealthily(at: now) {
                slot.status.crashLoop = false
                slot.dirty = true
            }
        } else if slot.wanted, !stopping, let due = slot.restartAt, now >= due {
            spawn(&slot, now: now)
        }
    }

    private func didExit(_ slot: inout ChildSlot, description: String, now: Date, stopping: Bool) {
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
        slot.restartAt = decision.restartAt
        slot.status.state = decision.crashLoop ? .crashLoop : .backoff
        slot.status.crashLoop = decision.crashLoop
        slot.status.nextRestartAt = decision.restartAt
        slot.status.message = decision.crashLoop ? "crash loop: \(slot.policy.recentExits.count) exits in \(Int(slot.policy.settings.crashLoopWindow)) s; last \(exit)" : nil
        logger.warning(
            decision.crashLoop ? "child.crash_loop" : "child.exited",
            metadata: ["process": "\(slot.spec.name)", "exit": "\(exit)", "restart_in_s": "\(String(format: "%.2f", decision.restartAt.timeIntervalSince(now)))"]
        )
    }

    /// Starts a worker for every user with a stored key, restarts one whose key changed, and
    /// stops one whose key was removed.
    private func syncWorkersWithKeys(now: Date) {
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

    private func requestStop(_ slot: inout ChildSlot, now: Date) {
        guard let process = slot.process, slot.stopRequestedAt == nil else { return }
        slot.status.state = .stopping
        slot.dirty = true
        slot.stopRequestedAt = now
        process.signal(SIGTERM)
        process.closeStdin()
    }

    private func flush(now: Date) {
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
        do {
            try database.processes.save(statuses, at: now)
        } catch {
            logger.error("status.write_failed", metadata: ["error": "\(error)"])
            state.withLock { state in
                for status in statuses { state.slots[status.process]?.dirty = true }
            }
        }
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
        try? database.processes.markAllStopped(message: "supervisor stopped", at: Date())
    }

    /// Statuses as held in memory (the control socket's `/v1/status`).
    func statuses() -> [ProcessStatus] {
        state.withLock { $0.slots.values.map(\.status).sorted { $0.process < $1.process } }
    }
}
