import CProcessControl
import Common
import Foundation
import Logging

extension ProcessSupervisor {
    // MARK: - Starting

    /// Starts the web, the simulator (in sim mode) and one worker per stored key; a host of a
    /// cluster may start neither (`web.start`, `sim.start`).
    func start(now: Date = Date()) throws {
        var services: [ChildSpec] = []
        if config.startWeb { services.append(try webSpec()) }
        if config.exchange == .sim, config.startSim { services.append(try simSpec()) }
        state.withLock { state in
            for spec in services {
                var slot = ChildSlot(spec: spec, policy: RestartPolicy(settings: .init(config)))
                spawn(&slot, now: now)
                state.slots[spec.name] = slot
            }
        }
        syncWorkersWithKeys(now: now)
    }

    var childEnvironment: [String: String] {
        [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "TRADER_SUPERVISOR_PID": String(getpid()),
            "TRADER_LOG_LEVEL": config.logLevel,
        ]
    }

    func logFile(_ path: String) -> RotatingFile? {
        try? RotatingFile(path: path, maxBytes: config.logMaxBytes, keep: config.logKeep)
    }

    /// The web's and the simulator's rows in `process_status`: `web`, or `web@h1` when several
    /// hosts share the central database (each host's own row, not the last writer's).
    func hostProcessName(_ program: String) -> String {
        leases == nil ? program : program + "@" + config.hostID
    }

    func webSpec() throws -> ChildSpec {
        ChildSpec(
            name: hostProcessName("web"), userID: nil, executable: binDir + "/web",
            arguments: ["--data-dir", directory.root, "--host", config.webHost, "--port", String(config.webPort), "--exchange", config.exchange.rawValue,
                "--session-idle-minutes", String(config.sessionIdleMinutes), "--bots-per-user", String(config.botsPerUser), "--metrics-access", config.metricsAccess.rawValue,
                "--request-weight-limit", String(config.requestWeightLimit)] + (config.secureCookies ? ["--secure-cookies"] : [])
                + (config.database == nil ? [] : ["--database-url-file", directory.databaseURLFile]),
            environment: childEnvironment, identity: try isolation.web(), log: logFile(directory.processLog("web"))!
        )
    }

    func simSpec() throws -> ChildSpec {
        ChildSpec(
            name: hostProcessName("exchange-sim"), userID: nil, executable: binDir + "/exchange-sim",
            arguments: ["--port", String(config.simPort), "--seed", String(config.simSeed), "--data-dir", directory.simDir],
            environment: childEnvironment, identity: try isolation.sim(), log: logFile(directory.processLog("exchange-sim"))!
        )
    }

    /// A worker's spec; its identity is looked up at each start (``spawn(_:now:)``).
    func workerSpec(_ user: UserID) -> ChildSpec? {
        guard let log = logFile(directory.userLog(user)) else { return nil }
        return ChildSpec(
            name: ProcessStatus.workerName(user), userID: user, executable: binDir + "/worker",
            arguments: [String(user.rawValue), "--data-dir", directory.root, "--heartbeat-interval-ms", String(config.workerHeartbeatIntervalMs),
                "--request-weight-limit", String(config.requestWeightLimit)]
                + (leases == nil ? [] : ["--leased"]),
            environment: childEnvironment, identity: nil, log: log
        )
    }

    /// Starts the slot's process. For a worker, its credentials are the first line on its stdin,
    /// followed by any command it has not received yet.
    func spawn(_ slot: inout ChildSlot, now: Date) {
        var firstLines: [String] = []
        var deliveredCommands: [Int64] = []
        var identity = slot.spec.identity
        if let user = slot.spec.userID {
            do {
                identity = try isolation.worker(user)
                try isolation.prepareUser(directory, user: user, identity: identity)
            } catch {
                refuse(&slot, message: "cannot prepare the worker's uid and folder: \(error)", now: now)
                return
            }
            do {
                let key = try vault.credentials(for: user)
                let bots = try database.bots.bots(for: user)
                let hosted = bots.filter { $0.wanted && $0.isHosted && ($0.definition.mode == .paper || key != nil) }
                guard key != nil || !hosted.isEmpty else {
                    slot.wanted = false
                    slot.status.state = .stopped
                    slot.status.message = "no API key"
                    slot.dirty = true
                    return
                }
                // Without a key the worker runs paper bots only: its credentials are empty.
                slot.keyRevision = key?.revision ?? 0
                firstLines.append(SupervisorMessage.credentials(apiKey: key?.apiKey ?? "", apiSecret: key?.apiSecret ?? "", exchangeURL: config.exchangeBaseURL).line())
                firstLines.append(SupervisorMessage.budget(weightPerMinute: budgetShare).line())
                if let leases {
                    // Under the lease it holds now; the next renewal says until when orders may go.
                    slot.leaseEpoch = leases.epoch(of: user)
                    if let until = leases.ordersUntilMs { firstLines.append(SupervisorMessage.lease(untilMs: until).line()) }
                }
                for bot in hosted {
                    firstLines.append(SupervisorMessage.bot(id: bot.id, definition: String(decoding: bot.definition.encoded(), as: UTF8.self)).line())
                }
                let settings = try database.bots.settings(for: user) ?? .defaults
                firstLines.append(SupervisorMessage.settings(json: String(decoding: settings.encoded(), as: UTF8.self)).line())
                // What the first bot was doing when its last worker (here or on another host)
                // last reported: kept by a worker whose own database says nothing yet.
                if let reported = try database.processes.status(process: slot.spec.name)?.reportedState {
                    firstLines.append(SupervisorMessage.traderState(reported).line())
                }
                for command in try database.commands.undelivered(user: user) {
                    firstLines.append(SupervisorMessage.command(id: command.id, name: command.command, payload: command.payload).line())
                    deliveredCommands.append(command.id)
                }
                // Then the bot's history as central.sqlite has it: the worker fills in what its own
                // database lacks (a lost or damaged file), so that file is never the only copy.
                // The newest fills that fit in the stdin pipe, sent oldest first.
                var budget = ChildProcess.stdinCapacity - firstLines.reduce(0) { $0 + $1.utf8.count + 1 } - 64 * 1024
                // Orders whose outcome is open first (they must be looked up), then the fills.
                // Only the first bot's: a grid's or DCA bot's rows are its own record's to rebuild.
                let first = try database.bots.traderBotID(for: user)
                func firstBots(_ bot: Int64?) -> Bool { bot == nil || bot == first }
                for order in try database.trading.orders(for: user, symbol: nil, before: nil, limit: 2_000) where order.isOpen && firstBots(order.botID) {
                    let line = SupervisorMessage.historyOrder(order).line()
                    budget -= line.utf8.count + 1
                    firstLines.append(line)
                }
                var history: [String] = []
                for fill in try database.trading.fills(for: user, symbol: nil, before: nil, limit: 10_000) where firstBots(fill.botID) {
                    let line = SupervisorMessage.historyFill(fill).line()
                    budget -= line.utf8.count + 1
                    guard budget > 0 else { break }
                    history.append(line)
                }
                firstLines += history.reversed()
                firstLines.append(SupervisorMessage.historyEnd.line())
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
            process = try ChildProcess.spawn(
                executable: slot.spec.executable, arguments: slot.spec.arguments, environment: slot.spec.environment, identity: identity,
                openFiles: slot.spec.isWorker ? config.workerOpenFiles : 0)
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
        if slot.spec.isWorker, identity == nil { limitOpenFiles(process.pid) }
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
        slot.readers = makeReaders(for: slot.spec, process: process, leaseEpoch: slot.leaseEpoch)
        logger.info("child.started", metadata: [
            "process": "\(slot.spec.name)", "pid": "\(process.pid)", "restarts": "\(slot.status.restarts)", "uid": "\(identity.map { String($0.uid) } ?? String(geteuid()))",
        ])
        // Delivered now: the worker receives them right after its credentials.
        for id in deliveredCommands {
            try? database.commands.markDelivered(id: id, at: now)
        }
    }

    func refuse(_ slot: inout ChildSlot, message: String, now: Date) {
        logger.error("worker.not_started", metadata: ["process": "\(slot.spec.name)", "reason": "\(message)"])
        slot.status.state = .stopped
        slot.status.message = message
        slot.restartAt = nil
        slot.dirty = true
    }

    func makeReaders(for spec: ChildSpec, process: ChildProcess, leaseEpoch: Int64?) -> [LineReader] {
        let queue = DispatchQueue(label: "child.\(spec.name)")
        let name = spec.name
        let pid = process.pid
        let log = spec.log
        let user = spec.userID
        let stderrReader = LineReader(fd: process.stderrFD, queue: queue) { line in
            log.write(line: LogLine.normalize(line, process: name, user: user))
        } onEnd: {
        }
        let stdoutReader = LineReader(fd: process.stdoutFD, queue: queue) { [weak self] line in
            self?.handleReport(from: name, pid: pid, leaseEpoch: leaseEpoch, line: line)
        } onEnd: {
        }
        return [stdoutReader, stderrReader]
    }

}
