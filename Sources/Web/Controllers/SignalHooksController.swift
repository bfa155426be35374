import Common
import Foundation
import Hummingbird
import Logging

/// Signals in (CONTRACT §9): `POST /hooks/{hook_id}`, outside `/api/v1` and without a session
/// (a charting tool sends it; the body carries the hook's secret), and the owner's
/// `/api/v1/bots/{bot_id}/hook` to make, regenerate, limit, read and delete a bot's hook.
///
/// Every answer to a signal is a 4xx with its reason, or 202; a body sent to an unknown hook is
/// checked against a secret nobody has, so it is answered as a wrong secret is (404). Every
/// signal a known hook receives is recorded with its outcome (while the hook is under its rate,
/// for what is refused before its secret is known), and an accepted one goes to the user's
/// worker as a `signal` command, whose result is the outcome the bot's page shows.
struct SignalHooksController {
    let database: CentralDatabase
    let control: ControlClient
    let logger: Logger
    /// What a body sent to an unknown hook is checked against: the digest of a secret nobody has.
    static let nobodysDigest = SecureToken.storedForm(SecureToken.random())
    /// How many of a bot's signals its page and `GET …/hook` show.
    static let shownRecords = 50

    func register(on routes: WebRoutes) {
        routes.router.post("hooks/:hook_id") { request, context -> Response in
            let answer = await receive(request, hookID: context.parameters.get("hook_id") ?? "", address: context.remoteAddress, now: Date())
            return Reply.json(answer.status, answer.body)
        }
        routes.api.get("bots/:bot_id/hook") { _, context -> Response in
            let user = context.user.id
            let bot = try botID(context)
            let hook = try read { try database.signalHooks.hook(bot: bot, for: user) }
            guard let hook else { throw APIError.notFound("This bot has no signal hook; POST /api/v1/bots/\(bot)/hook makes one.") }
            return Reply.json(.ok, try response(hook, secret: nil))
        }
        routes.api.post("bots/:bot_id/hook") { request, context -> Response in
            let user = context.user.id
            let bot = try botID(context)
            let body = try await JSONBody.read(request, user: user, optional: true)
            let (hook, secret) = try make(bot: bot, user: user, limits: try limits(body, current: nil))
            return Reply.json(.created, try response(hook, secret: secret))
        }
        routes.api.put("bots/:bot_id/hook") { request, context -> Response in
            let user = context.user.id
            let bot = try botID(context)
            let current = try read { try database.signalHooks.hook(bot: bot, for: user) }
            guard let current else { throw APIError.notFound("This bot has no signal hook; POST /api/v1/bots/\(bot)/hook makes one.") }
            let body = try await JSONBody.read(request, user: user)
            let limits = try limits(body, current: current.limits) ?? current.limits
            _ = try write { try database.signalHooks.updateLimits(bot: bot, for: user, limits) }
            let updated = try read { try database.signalHooks.hook(bot: bot, for: user) } ?? current
            return Reply.json(.ok, try response(updated, secret: nil))
        }
        routes.api.delete("bots/:bot_id/hook") { _, context -> Response in
            let user = context.user.id
            let bot = try botID(context)
            guard try write({ try database.signalHooks.deleteHook(bot: bot, for: user) }) else { throw APIError.notFound("This bot has no signal hook.") }
            return Response(status: .noContent)
        }
    }

    // MARK: - The owner's side

    func botID(_ context: SignedInContext) throws(APIError) -> Int64 {
        guard let id = context.parameters.get("bot_id", as: Int64.self) else { throw APIError.notFound("No such bot.") }
        return id
    }

    /// Makes the bot's hook, or a new URL and secret for it (keeping its limits unless given).
    func make(bot: Int64, user: UserID, limits given: SignalHookLimits?) throws(APIError) -> (SignalHook, String) {
        guard let record = try read({ try database.bots.bot(bot, for: user) }) else { throw APIError.notFound("No such bot.") }
        guard !record.definition.signalActions.isEmpty else {
            throw APIError(
                .conflict, "takes_no_signals",
                "A \(record.definition.strategyName) bot takes no signals; a DCA bot does (start_deal: a deal at once; start \"signal\": deals on signals only).")
        }
        let current = try read { try database.signalHooks.hook(bot: bot, for: user) }
        let limits = given ?? current?.limits ?? SignalHookLimits()
        let made = SignalHook.make(user: user, bot: bot, limits: limits, at: Date())
        try write { try database.signalHooks.saveHook(made.hook) }
        logger.info("hook.made", metadata: ["user.id": "\(user.rawValue)", "bot.id": "\(bot)", "regenerated": "\(current != nil)"])
        return made
    }

    /// The limits a JSON body gives (`max_lag_seconds`, `per_minute`, `allowed_addresses`), over
    /// `current`; nil for an empty body.
    func limits(_ body: JSONBody, current: SignalHookLimits?) throws(APIError) -> SignalHookLimits? {
        guard !body.fields.isEmpty else { return current }
        let known: Set<String> = ["max_lag_seconds", "per_minute", "allowed_addresses"]
        if let unknown = body.fields.keys.first(where: { !known.contains($0) }) {
            throw APIError(.unprocessableContent, "invalid_field", "\(unknown.prefix(40)) is not a hook setting: max_lag_seconds, per_minute, allowed_addresses")
        }
        let base = current ?? SignalHookLimits()
        func number(_ key: String, _ fallback: Int) throws(APIError) -> String {
            guard let value = body.fields[key] else { return String(fallback) }
            // A number or its text; anything else (true, 60.5, a list) fails as not a whole number.
            return value is String || value is NSNumber ? "\(value)" : "?"
        }
        var addresses = base.allowedAddresses.joined(separator: " ")
        if let value = body.fields["allowed_addresses"] {
            guard let list = value as? [Any], list.allSatisfy({ $0 is String }) else {
                throw APIError(.unprocessableContent, "invalid_field", "allowed_addresses must be a list of IP addresses (empty: any)")
            }
            addresses = list.compactMap { $0 as? String }.joined(separator: " ")
        }
        do {
            return try SignalHookLimits.parse(
                maxLag: try number("max_lag_seconds", base.maxLagSeconds), perMinute: try number("per_minute", base.perMinute), addresses: addresses)
        } catch let error as SettingsError {
            throw APIError(.unprocessableContent, "invalid_field", "\(error.field): \(error.problem)")
        } catch {
            throw APIError(.unprocessableContent, "invalid_field", "\(error)")
        }
    }

    func response(_ hook: SignalHook, secret: String?) throws(APIError) -> SignalHookResponse {
        let records = try read { try database.signalHooks.records(bot: hook.botID, for: hook.userID, limit: Self.shownRecords) }
        let outcomes = try read { try SignalOutcomes.load(records, database: database) }
        return SignalHookResponse(hook: hook, secret: secret, records: records.map { SignalRecordResponse($0, outcome: outcomes[$0.id]) })
    }

    // MARK: - A signal

    struct Answer {
        let status: HTTPResponse.Status
        let body: SignalAnswer
    }

    /// Everything a signal goes through; never throws, never a 5xx but for the database or the
    /// supervisor being unavailable (503: the sender may try again).
    func receive(_ request: Request, hookID: String, address: String, now: Date) async -> Answer {
        func refused(_ refusal: SignalRefusal) -> Answer {
            Answer(status: HTTPResponse.Status(code: refusal.status), body: SignalAnswer(status: "refused", error: refusal.kind.rawValue, message: refusal.description))
        }
        let unavailable = Answer(
            status: .serviceUnavailable,
            body: SignalAnswer(status: "refused", error: "unavailable", message: "the server cannot take signals right now; try again"))
        let store = database.signalHooks
        let hook: SignalHook?
        do {
            hook = hookID.count <= 64 ? try store.hook(id: hookID) : nil
        } catch {
            logger.error("hook.read_failed", metadata: ["error": "\(error)"])
            return unavailable
        }
        var body: [UInt8] = []
        var refusal: SignalRefusal?
        do {
            var buffer = try await request.body.collect(upTo: SignalHookPolicy.maxBodyBytes)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            refusal = SignalRefusal(.tooLarge, "the body is larger than \(SignalHookPolicy.maxBodyBytes) bytes")
        }
        var databaseFailed = false
        var recent = 0
        if refusal == nil {
            switch SignalHookCheck.check(
                body: body, secretDigest: hook?.secretDigest ?? Self.nobodysDigest, policy: hook?.policy ?? SignalHookPolicy(), now: now,
                admit: {
                    guard let hook else { return nil }
                    do {
                        recent = try store.count(hook: hook.id, since: now.addingTimeInterval(-60))
                    } catch {
                        databaseFailed = true
                        return SignalRefusal(.rateLimited, "unavailable")
                    }
                    return hook.admission(address: address, recent: recent)
                },
                seen: { id in
                    guard let hook else { return false }
                    do { return try store.seen(hook: hook.id, signalID: id) } catch {
                        databaseFailed = true
                        return false
                    }
                })
            {
            case .failure(let refused): refusal = refused
            case .success(let signal):
                guard !databaseFailed, let hook else { return unavailable }
                return await accept(signal, hook: hook, address: address, now: now)
            }
        }
        guard !databaseFailed else { return unavailable }
        guard let refusal else { return unavailable }
        if let hook {
            // Before the secret is known to be right (a body too large, not JSON, a wrong secret)
            // a record is written only while the hook is under its rate: no stranger fills the
            // owner's records.
            let beforeSecret = refusal.kind == .tooLarge || refusal.kind == .notFound || (refusal.kind == .malformed && refusal.description == SignalHookCheck.notJSON)
            let countBefore = beforeSecret ? ((try? store.count(hook: hook.id, since: now.addingTimeInterval(-60))) ?? hook.perMinute) : 0
            if !beforeSecret || countBefore < hook.perMinute {
                let reason = refusal.kind == .notFound ? "wrong_secret: the body's secret is missing or wrong" : "\(refusal.kind.rawValue): \(refusal.description)"
                let record = SignalHookRecord(
                    hookID: hook.id, userID: hook.userID, botID: hook.botID, receivedAt: now, address: address, accepted: false, reason: reason,
                    action: Self.actionName(body), signalID: nil)
                do { _ = try store.record(record) } catch { logger.error("hook.record_failed", metadata: ["error": "\(error)"]) }
            }
        }
        // Every signal is recorded with its reason: the log says it only when asked for debug.
        logger.debug("hook.refused", metadata: ["reason": "\(refusal.kind.rawValue)", "known": "\(hook != nil)"])
        return refused(refusal)
    }

    /// The body's `action`, for the record of a refused signal (at most 20 characters).
    static func actionName(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let action = object["action"] as? String else { return nil }
        return String(action.prefix(20))
    }

    /// A signal whose body passed: the bot must take its action; then it is recorded (an `id`
    /// seen at once by another request is a replay) and handed to the worker.
    func accept(_ signal: SignalHookRequest, hook: SignalHook, address: String, now: Date) async -> Answer {
        let store = database.signalHooks
        func refuse(_ refusal: SignalRefusal) -> Answer {
            let record = SignalHookRecord(
                hookID: hook.id, userID: hook.userID, botID: hook.botID, receivedAt: now, address: address, accepted: false,
                reason: "\(refusal.kind.rawValue): \(refusal.description)", action: signal.action.name, signalID: nil)
            do { _ = try store.record(record) } catch { logger.error("hook.record_failed", metadata: ["error": "\(error)"]) }
            return Answer(
                status: HTTPResponse.Status(code: refusal.status),
                body: SignalAnswer(status: "refused", error: refusal.kind.rawValue, message: refusal.description))
        }
        let bot: BotRecord?
        do { bot = try database.bots.bot(hook.botID, for: hook.userID) } catch {
            return Answer(status: .serviceUnavailable, body: SignalAnswer(status: "refused", error: "unavailable", message: "the server cannot take signals right now; try again"))
        }
        guard let bot else { return refuse(SignalRefusal(.notFound, "no such hook, or a wrong secret")) }
        if let refusal = bot.definition.refusal(of: signal.action) { return refuse(refusal) }
        guard bot.wanted else { return refuse(SignalRefusal(.botStopped, "the bot is stopped; start it to act on signals")) }
        let recordID: Int64
        do {
            recordID = try store.record(SignalHookRecord(
                hookID: hook.id, userID: hook.userID, botID: hook.botID, receivedAt: now, address: address, accepted: true, action: signal.action.name,
                signalID: signal.id))
        } catch is SignalReplayed {
            return refuse(SignalRefusal(.replayed, "a signal with id \"\(signal.id ?? "")\" was received before"))
        } catch {
            logger.error("hook.record_failed", metadata: ["error": "\(error)"])
            return Answer(status: .serviceUnavailable, body: SignalAnswer(status: "refused", error: "unavailable", message: "the server cannot take signals right now; try again"))
        }
        let payload = SignalCommandPayload(botID: hook.botID, recordID: recordID, action: signal.action, receivedAt: now, maxLagSeconds: hook.maxLagSeconds)
        do {
            let sent = try await control.command(CommandRequest(.signal, payload: payload), user: hook.userID)
            try? store.settle(record: recordID, accepted: true, reason: nil, commandID: sent.commandID)
            logger.debug("hook.accepted", metadata: ["bot.id": "\(hook.botID)", "action": "\(signal.action.name)", "command.id": "\(sent.commandID)"])
            return Answer(status: .accepted, body: SignalAnswer(status: "accepted", signalId: recordID, commandId: sent.commandID, delivered: sent.delivered))
        } catch {
            // Not handed over: refused, so the sender knows; its id may be sent again.
            try? store.settle(record: recordID, accepted: false, reason: "unavailable: the supervisor did not take it (\(error.message))", commandID: nil)
            logger.warning("hook.not_delivered", metadata: ["bot.id": "\(hook.botID)", "error": "\(error)"])
            return Answer(
                status: error.status.code >= 500 ? .serviceUnavailable : .conflict,
                body: SignalAnswer(status: "refused", error: error.status.code >= 500 ? "unavailable" : error.code, message: error.message))
        }
    }
}

/// The outcome of each accepted signal: its command's result as the worker acknowledged it.
enum SignalOutcomes {
    static func load(_ records: [SignalHookRecord], database: CentralDatabase) throws -> [Int64: String] {
        var outcomes: [Int64: String] = [:]
        for record in records {
            guard let id = record.commandID else { continue }
            let command = try database.commands.command(id: id)
            outcomes[record.id] = command?.result ?? (command?.deliveredAt == nil ? "waiting for the bot's worker" : "being carried out")
        }
        return outcomes
    }
}
