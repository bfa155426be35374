import CProcessControl
import Common
import Foundation
import Logging

extension ProcessSupervisor {
    // MARK: - Reports

    /// A live grid's or DCA bot's value is stored at most this often (seconds).
    static let botEquityEvery: TimeInterval = 60

    /// One line a child wrote to its stdout. Rows are tagged with the user this supervisor
    /// started the worker for; whatever the line claims is ignored. A line of a process that
    /// has since been replaced (its last words, read after the restart) is still that user's
    /// row; only heartbeats and usage describe the slot's current process.
    func handleReport(from name: String, pid: pid_t, leaseEpoch: Int64? = nil, line: String, now: Date = Date()) {
        let report: WorkerReport
        do {
            report = try WorkerReport.parse(line)
        } catch {
            logger.warning("child.bad_report", metadata: ["process": "\(name)", "error": "\(error)"])
            return
        }
        var stateChange: (from: String?, to: String)?
        let user: UserID? = state.withLock { state in
            guard var slot = state.slots[name] else { return nil }
            guard slot.process?.pid == pid else { return slot.spec.userID }
            if case .heartbeat(let reported) = report {
                if slot.status.reportedState != reported { stateChange = (slot.status.reportedState, reported) }
                slot.status.lastHeartbeatAt = now
                slot.status.reportedState = reported
                if slot.status.state == .starting {
                    slot.status.state = .running
                    state.urgentFlush = true
                }
                slot.dirty = true
            }
            if case .usage(let weight, let errors) = report, slot.status.weightUsed != weight || slot.status.exchangeErrors != errors {
                slot.status.weightUsed = weight
                slot.status.exchangeErrors = errors
                slot.dirty = true
            }
            state.slots[name] = slot
            return slot.spec.userID
        }
        guard let user else { return }
        if let change = stateChange {
            notifier?.post(NoticeTrigger.traderState(from: change.from, to: change.to, bot: nil, now: now), for: user)
        }
        // A heartbeat or a usage count changes the slot only (written with its status).
        switch report {
        case .heartbeat, .usage: return
        default: break
        }
        deliver(report, for: user, leaseEpoch: leaseEpoch, at: now)
    }

    /// Writes a report's rows, or keeps them while the database does not answer (a user's
    /// reports wait behind that user's earlier ones: ``ReportBacklog``).
    func deliver(_ report: WorkerReport, for user: UserID, leaseEpoch: Int64?, at now: Date) {
        let entry = ReportBacklog.Entry(report: report, leaseEpoch: leaseEpoch, at: now)
        let queued = backlog.withLock { backlog -> Bool in
            guard backlog.hasWaiting(user) else { return false }
            backlog.append(entry, for: user)
            return true
        }
        if queued { return }
        switch attempt(entry, for: user) {
        case .done: break
        case .unavailable(let error):
            let (count, dropped) = backlog.withLock { backlog in
                backlog.append(entry, for: user)
                return (backlog.count, backlog.dropped)
            }
            logger.warning("report.deferred", metadata: ["user.id": "\(user)", "waiting": "\(count)", "dropped": "\(dropped)", "error": "\(error)"])
        }
    }

    enum Attempt {
        case done
        case unavailable(any Error)
    }

    /// One write of a report's rows; `unavailable` when the database did not answer (to try again).
    func attempt(_ entry: ReportBacklog.Entry, for user: UserID) -> Attempt {
        do {
            try write(entry.report, for: user, leaseEpoch: entry.leaseEpoch, at: entry.at)
            reportsWritten.store(true, ordering: .relaxed)
        } catch let refused as FenceRefused {
            didFence(refused, user: user)
        } catch where database.isUnavailable(error) {
            return .unavailable(error)
        } catch {
            logger.error("report.write_failed", metadata: ["user.id": "\(user)", "error": "\(error)"])
        }
        return .done
    }

    /// Writes what the database kept waiting, each user's reports in order, until it fails again.
    func writeBacklog() {
        let users = backlog.withLock { $0.users }
        for user in users {
            while let entry = backlog.withLock({ $0.first(of: user) }) {
                if case .unavailable = attempt(entry, for: user) { return }
                backlog.withLock { $0.removeFirst(of: user) }
            }
        }
        if backlog.withLock({ $0.isEmpty }) && !users.isEmpty {
            logger.info("report.backlog_written", metadata: ["users": "\(users.count)"])
        }
    }

    func write(_ report: WorkerReport, for user: UserID, leaseEpoch: Int64?, at now: Date) throws {
        // A row is the trader's bot's (the user's first, when it is a sma_cross or ml bot:
        // CONTRACT §9) unless it is an order or fill of the user's live grid or DCA bot (``RowOwner``).
        var bot: Int64?
        if report.carriesRows {
            let first = try database.bots.traderBotID(for: user)
            let claim = report.rowClaim
            let hosted = claim == nil ? [] : try database.bots.liveHostedBotIDs(for: user)
            bot = RowOwner.bot(claim: claim, user: user.rawValue, firstBot: first, liveHostedBots: hosted)
        }
        // With several hosts the writes are fenced: refused unless this host still holds
        // the user's lease at the epoch the worker was started under.
        try database.fenced(user: user, lease: fence(leaseEpoch)) { db in
            switch report.tagged(bot: bot) {
            case .heartbeat, .usage:
                break
            case .acknowledged(let id, let result):
                try db.commands.markAcknowledged(user: user, id: id, result: result, at: now)
            case .event(let level, let kind, let message):
                try db.workerEvents.record([WorkerEvent(userID: user, time: now, level: level, kind: kind, message: message)])
            case .portfolio(let valuation):
                try db.portfolios.save(valuation, for: user, at: now)
            case .exchange(let reachable, let since, let reason):
                try db.portfolios.saveExchangeStatus(reachable: reachable, since: since, reason: reason, for: user, at: now)
            case .equity(let time, let total):
                try db.portfolios.addEquity(time: time, totalUSDT: total, for: user, bot: bot)
            case .order(let order):
                try db.trading.saveOrder(order, for: user)
            case .fill(let fill):
                try db.trading.saveFill(fill, for: user)
            case .positions(let positions, let today):
                try db.trading.savePositions(positions, todayPnL: today, for: user, bot: bot, at: now)
            case .signal(let signal):
                try db.trading.saveSignal(signal, for: user)
            case .botStatus(let status):
                // Stored only for a bot of the user this worker was started for.
                if try !db.bots.saveStatus(status, for: user, at: now) {
                    logger.warning("report.not_users_bot", metadata: ["user.id": "\(user)", "bot.id": "\(status.botID)"])
                } else if status.mode == "live" {
                    // A live grid's or DCA bot's coins are its position (a paper bot's never are).
                    try db.trading.saveBotPosition(status.position, bot: status.botID, for: user, at: now)
                    if status.state == "running", let value = status.value {
                        try db.bots.addBotEquity(value, bot: status.botID, for: user, at: now, every: Self.botEquityEvery)
                    }
                }
            }
        }
        notifier?.observe(report.tagged(bot: bot), for: user)
    }

    // MARK: - Commands

    /// Several hosts: hands this host's workers the commands another host recorded for them (its
    /// web took the request), taking each row in the same write that marks it delivered.
    func deliverCommandsRecordedElsewhere(now: Date) {
        let running = state.withLock { state in
            Set(state.slots.values.compactMap { $0.process != nil && $0.wanted && $0.status.state == .running ? $0.spec.userID : nil })
        }
        guard !running.isEmpty else { return }
        let taken: [StoredCommand]
        do {
            taken = try database.commands.takeUndelivered(users: running, recordedBefore: now.addingTimeInterval(-1), at: now)
        } catch {
            logger.error("commands.read_failed", metadata: ["error": "\(error)"])
            return
        }
        state.withLock { state in
            for command in taken {
                let line = SupervisorMessage.command(id: command.id, name: command.command, payload: command.payload).line()
                if state.slots[ProcessStatus.workerName(command.userID)]?.process?.send(line: line) != true {
                    logger.error("command.not_delivered", metadata: ["user.id": "\(command.userID)", "command.id": "\(command.id)"])
                }
            }
        }
    }

    /// The user has a stored key or a paper bot to run: some host runs, or will run, a worker.
    func wantsWorker(_ user: UserID) throws -> Bool {
        try database.exchangeKeys.key(for: user) != nil || database.bots.usersWithWantedPaperBots().contains(user)
    }

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
        // Several hosts: a user who wants a worker runs, or is about to run, on some host, which
        // takes the command from its row (``deliverCommandsRecordedElsewhere(now:)``, or at the
        // worker's start).
        if case .noWorker = outcome, leases != nil, try wantsWorker(user) { return .queued(id) }
        return outcome
    }

}
