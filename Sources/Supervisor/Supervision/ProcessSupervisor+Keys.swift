import CProcessControl
import Common
import Foundation
import Logging
import Synchronization

extension ProcessSupervisor {
    /// Starts a worker for every enabled user with a stored key or a paper bot to run, restarts
    /// one whose key changed, and stops one that has neither any more (or was disabled).
    func syncWorkersWithKeys(now: Date) {
        state.withLock { $0.lastKeySync = now }
        var revisions: [UserID: Int64]
        do {
            revisions = try database.exchangeKeys.keyRevisions()
            // A user with paper bots to run and no key gets a worker too (revision 0: storing a
            // key later restarts it with the key).
            for user in try database.bots.usersWithWantedPaperBots() where revisions[user] == nil { revisions[user] = 0 }
            // A disabled account runs nothing: its worker stops at this pass (within keyPollMs).
            for user in try database.users.allUsers() where user.isDisabled { revisions[user.id] = nil }
            logRecovered("keys.read_recovered", gate: keyReadFailures, now: now)
        } catch {
            logRepeated("keys.read_failed", error, gate: keyReadFailures, now: now)
            return
        }
        let lease = leases.map { keeper in
            let (running, starting) = state.withLock { state in
                (Set(state.slots.values.compactMap { $0.process != nil ? $0.spec.userID : nil }), state.slots.values.filter(\.isFirstStart).count)
            }
            return keeper.pass(wanted: Set(revisions.keys), running: running, starting: starting, startLimit: startLimit)
        }
        // Users who want a worker that another host runs (or this one is handing over).
        var elsewhere: Set<UserID> = []
        if let lease {
            elsewhere = Set(revisions.keys).subtracting(lease.allowed)
            revisions = revisions.filter { lease.allowed.contains($0.key) }
        }
        workerCount.store(revisions.count, ordering: .relaxed)
        state.withLock { state in
            guard !state.stopping else { return }
            if let lease { applyLease(lease, to: &state) }
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
                    // Started in turn (``startLimit`` at once); the pass starts the others as those beat.
                    var slot = ChildSlot(spec: spec, policy: RestartPolicy(settings: .init(config)))
                    slot.restartAt = now
                    if startingNow(state) < startLimit {
                        spawn(&slot, now: now)
                    } else {
                        slot.status.message = "waiting its turn to start: \(startLimit) workers are starting"
                    }
                    state.slots[name] = slot
                }
            }
            for (name, var slot) in state.slots where slot.spec.isWorker && revisions[slot.spec.userID!] == nil && slot.wanted {
                slot.wanted = false
                if elsewhere.contains(slot.spec.userID!) { slot.stopReason = "handed to another host" }
                requestStop(&slot, now: now)
                state.slots[name] = slot
            }
            announceBudget(&state, workers: revisions.count)
        }
        if leases != nil { deliverCommandsRecordedElsewhere(now: now) }
    }


    /// A lost lease's worker is killed at once (another host may run it already); every held
    /// user's worker hears until when it may send orders.
    func applyLease(_ lease: LeaseKeeper.Outcome, to state: inout State) {
        for user in lease.lost {
            let name = ProcessStatus.workerName(user)
            guard var slot = state.slots[name] else { continue }
            slot.wanted = false
            slot.killReason = "this host lost its lease on the user"
            slot.stopReason = "this host lost its lease on the user"
            slot.process?.signal(SIGKILL)
            slot.process?.signal(SIGCONT)
            state.slots[name] = slot
        }
        guard let until = lease.ordersUntilMs else { return }
        let line = SupervisorMessage.lease(untilMs: until).line()
        for user in lease.allowed {
            _ = state.slots[ProcessStatus.workerName(user)]?.process?.send(line: line)
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

// MARK: - Storing a key the exchange accepts

extension ProcessSupervisor {
    enum KeyOutcome: Sendable {
        case stored(maskedKey: String, canTrade: Bool, verifiedAt: Date, warning: String? = nil)
        /// The exchange refused the key, in its words.
        case rejected(String)
        case exchangeUnavailable(String)
        /// The exchange asks this address to wait (429 or 418): the caller may try again then.
        case rateLimited(String, retryAfter: Int)
    }

    /// Checks a key with the exchange (`/api/v3/account`: reachable, `canTrade`), and stores it
    /// as Fernet tokens when the exchange accepts it; the user's worker starts (or restarts with
    /// the new key) at once.
    func verifyAndStore(user: UserID, apiKey: String, apiSecret: String) async -> KeyOutcome {
        let client = BinanceClient(
            baseURL: config.exchangeBaseURL, credentials: .init(apiKey: apiKey, secret: apiSecret), timeout: .seconds(10)
        )
        let account: AccountSnapshot
        do {
            try await client.synchronizeTime()
            account = try await client.account()
        } catch {
            switch error {
            case .rejected(let code, let message):
                logger.info("key.rejected", metadata: ["user_id": "\(user.rawValue)", "code": "\(code)"])
                return .rejected("the exchange refused this key: \(message) (code \(code))")
            case .rateLimited(let seconds), .banned(let seconds):
                logger.warning("key.check_rate_limited", metadata: ["user_id": "\(user.rawValue)", "retry_after": "\(seconds)"])
                return .rateLimited("the exchange asks this server to wait \(seconds) s before the key can be checked", retryAfter: seconds)
            default:
                logger.warning("key.check_failed", metadata: ["user_id": "\(user.rawValue)", "error": "\(error)"])
                return .exchangeUnavailable("the exchange could not be asked about this key: \(error)")
            }
        }
        guard account.canTrade else {
            return .rejected("the exchange says this key may not trade (canTrade is false); enable spot trading for it")
        }
        // The key's permissions: Binance itself only (the testnet has no /sapi).
        var warning: String?
        switch config.exchange {
        case .mainnet:
            do {
                switch try await client.apiRestrictions().verdict {
                case .refuse(let reason):
                    logger.notice("key.refused_withdrawals", metadata: ["user_id": "\(user.rawValue)"])
                    return .rejected(reason)
                case .store(let said): warning = said
                }
            } catch {
                logger.warning("key.restrictions_unknown", metadata: ["user_id": "\(user.rawValue)", "error": "\(error)"])
                return .exchangeUnavailable("the exchange could not say whether this key may withdraw (/sapi/v1/account/apiRestrictions): \(error)")
            }
        case .testnet:
            warning = "Binance's testnet has no /sapi/v1/account/apiRestrictions: whether this key may withdraw or is bound to IP addresses was not checked"
        case .sim: break
        }
        let now = Date()
        do {
            try vault.store(user: user, apiKey: apiKey, apiSecret: apiSecret, canTrade: true, verifiedAt: now, at: now)
        } catch {
            logger.error("key.store_failed", metadata: ["user_id": "\(user.rawValue)", "error": "\(error)"])
            return .exchangeUnavailable("the key could not be stored: \(error)")
        }
        logger.info("key.stored", metadata: ["user_id": "\(user.rawValue)", "key": "\(KeyMask.mask(apiKey))"])
        syncWorkersWithKeys(now: now)
        return .stored(maskedKey: KeyMask.mask(apiKey), canTrade: true, verifiedAt: now, warning: warning)
    }

    /// Erases a user's tokens and stops their worker; `false` when there were none.
    func deleteKey(user: UserID) throws -> Bool {
        let deleted = try database.exchangeKeys.deleteKey(for: user)
        if deleted {
            logger.info("key.deleted", metadata: ["user_id": "\(user.rawValue)"])
            syncWorkersWithKeys(now: Date())
        }
        return deleted
    }

    /// Sim mode: opens a simulator account with its starting balances and stores its key.
    func createSimAccount(user: UserID) async -> KeyOutcome {
        guard config.exchange == .sim else { return .rejected("simulator accounts exist only in sim mode") }
        let data: Data
        do {
            data = try await SimAdmin.post(url: config.exchangeBaseURL + "/sim/v1/accounts", json: "{}")
        } catch {
            return .exchangeUnavailable("the simulator did not answer: \(error)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let key = object["apiKey"] as? String,
            let secret = object["secretKey"] as? String
        else {
            return .exchangeUnavailable("the simulator's answer had no key")
        }
        return await verifyAndStore(user: user, apiKey: key, apiSecret: secret)
    }

    /// The kill switch: sends `emergency_stop` to every running worker (each cancels its open
    /// orders and stops every bot of its user) and lets the next pass stop the workers no bot
    /// wants any more; returns how many workers were told.
    func emergencyStopAll(now: Date = Date()) -> Int {
        let users = state.withLock { state in state.slots.values.compactMap { $0.spec.isWorker && $0.process != nil ? $0.spec.userID : nil } }
        var told = 0
        for user in users {
            do {
                if case .delivered = try send(command: ControlCommand.emergencyStop.rawValue, payload: nil, to: user, now: now) { told += 1 }
            } catch {
                logger.error("kill_switch.command_failed", metadata: ["user_id": "\(user.rawValue)", "error": "\(error)"])
            }
        }
        logger.warning("kill_switch.on", metadata: ["workers": "\(told)"])
        syncWorkersWithKeys(now: now)
        return told
    }
}
