import Common
import Foundation
import Hummingbird

/// A user's bots through the JSON API (CONTRACT §9): `GET`/`POST /api/v1/bots`,
/// `GET`/`PUT`/`DELETE /api/v1/bots/{bot_id}`, and `/api/v1/bots/{bot_id}/start|stop|emergency-stop`.
/// Another user's bot id answers 404, as one that does not exist.
///
/// The worker runs the user's first bot (``BotsView``): its start, stop and emergency stop are
/// the commands of `/api/v1/bot/…`, and a change of its settings reaches a running worker at
/// once. A bot the worker does not run answers those with 409 and the reason.
struct BotsAPIController {
    let database: CentralDatabase
    let control: ControlClient
    let catalog: ExchangeCatalog
    let limits: BotLimits

    func register(on routes: WebRoutes) {
        routes.api.get("bots") { _, context -> Response in
            let view = try read { try BotsView.load(database, user: context.user.id, now: Date()) }
            return Reply.json(.ok, BotListResponse(items: view.bots.map(BotItemResponse.init), maxPerUser: limits.maxPerUser))
        }
        routes.api.post("bots") { request, context -> Response in
            let user = context.user.id
            let definition = try await Self.definition(from: request, user: user, catalog: catalog)
            let id = try await create(definition, user: user)
            return Reply.json(.created, try item(id, user: user))
        }
        routes.api.get("bots/:bot_id") { _, context -> Response in
            Reply.json(.ok, try item(try botID(context), user: context.user.id))
        }
        routes.api.put("bots/:bot_id") { request, context -> Response in
            let user = context.user.id
            let id = try botID(context)
            let current = try bot(id, user: user)
            let definition = try await Self.definition(from: request, user: user, catalog: catalog)
            try await update(current, to: definition, user: user)
            return Reply.json(.ok, try item(id, user: user))
        }
        routes.api.delete("bots/:bot_id") { _, context -> Response in
            let user = context.user.id
            let id = try botID(context)
            try await delete(id, user: user)
            return Response(status: .noContent)
        }
        routes.api.post("bots/:bot_id/copy-live") { request, context -> Response in
            let user = context.user.id
            let id = try botID(context)
            let body = try await JSONBody.read(request, user: user, optional: true)
            let name = body.fields["name"] == nil ? nil : try body.string("name")
            let copy = try await copyLive(id, name: name, user: user)
            return Reply.json(.created, try item(copy, user: user))
        }
        routes.api.post("bots/:bot_id/start") { _, context -> Response in
            Reply.json(.accepted, try await start(try botID(context), user: context.user.id))
        }
        routes.api.post("bots/:bot_id/stop") { request, context -> Response in
            let body = try await JSONBody.read(request, user: context.user.id, optional: true)
            return Reply.json(.accepted, try await stop(try botID(context), sell: try body.bool("close_positions", default: false), user: context.user.id))
        }
        routes.api.post("bots/:bot_id/emergency-stop") { _, context -> Response in
            Reply.json(.accepted, try await emergencyStop(try botID(context), user: context.user.id))
        }
    }

    /// Starts a bot: a grid or DCA bot is marked wanted and handed to the worker (a paper one
    /// brings up a worker of its own when the user has no key); the first bot is the worker's.
    func start(_ id: Int64, user: UserID) async throws(APIError) -> CommandAccepted {
        let bot = try bot(id, user: user)
        try database.requireNotHalted()
        try database.requirePolicies(allow: bot.record.definition, user: user)
        guard bot.isHosted else {
            try runnable(id, user: user)
            return try await control.command(CommandRequest(.start), user: user)
        }
        if bot.record.definition.mode == .live, try read({ try database.exchangeKeys.key(for: user) }) == nil {
            throw APIError(.conflict, "no_key", "A live bot needs an exchange API key; store one at /settings, or run this bot on paper.")
        }
        _ = try write { try database.bots.setWanted(id, true, for: user, at: Date()) }
        let payload = BotCommandPayload(botID: id, definition: String(decoding: bot.record.definition.encoded(), as: UTF8.self))
        do {
            return try await control.command(CommandRequest(.botStart, payload: payload), user: user)
        } catch {
            // Not handed over: the bot stays stopped rather than start at some later moment.
            _ = try? database.bots.setWanted(id, false, for: user, at: Date())
            throw error
        }
    }

    /// Stops a bot: a grid or DCA bot's orders are cancelled and, with `sell`, its coins sold.
    func stop(_ id: Int64, sell: Bool, user: UserID) async throws(APIError) -> CommandAccepted {
        let bot = try bot(id, user: user)
        guard bot.isHosted else {
            try runnable(id, user: user)
            return try await control.command(CommandRequest(.stop, payload: StopPayload(closePositions: sell)), user: user)
        }
        return try await stopHosted(id, sell: sell, user: user)
    }

    /// One bot's emergency stop: a grid or DCA bot stops with its orders cancelled and nothing
    /// sold; the first bot's is the worker's (which stops every bot, as the user's).
    func emergencyStop(_ id: Int64, user: UserID) async throws(APIError) -> CommandAccepted {
        let bot = try bot(id, user: user)
        guard bot.isHosted else {
            try runnable(id, user: user)
            return try await control.command(CommandRequest(.emergencyStop), user: user)
        }
        return try await stopHosted(id, sell: false, user: user)
    }

    private func stopHosted(_ id: Int64, sell: Bool, user: UserID) async throws(APIError) -> CommandAccepted {
        _ = try write { try database.bots.setWanted(id, false, for: user, at: Date()) }
        return try await control.command(CommandRequest(.botStop, payload: BotCommandPayload(botID: id, sell: sell)), user: user)
    }

    /// Stores a checked definition as the user's new bot; returns its id.
    func create(_ definition: BotDefinition, user: UserID) async throws(APIError) -> Int64 {
        try database.requirePolicies(allowNew: definition, user: user)
        let record = try Self.storing { try database.bots.createBot(definition, for: user, limits: limits, at: Date()) }
        try await handOver(user: user, changed: record.id)
        return record.id
    }

    /// Replaces a bot's definition (`current`: the bot as read before); a running bot may not
    /// become one the worker does not run.
    func update(_ current: BotsView.Bot, to definition: BotDefinition, user: UserID) async throws(APIError) {
        let id = current.record.id
        if current.isHosted, current.record.wanted || !Self.stoppedStates.contains(current.state) {
            throw APIError(.conflict, "bot_running", "Stop this bot before changing it (it is \(current.state)).")
        }
        if current.running != nil, !Self.stoppedStates.contains(current.state), !definition.runsInWorker {
            throw APIError(.conflict, "bot_running", "Stop this bot before making it a \(definition.mode == .paper ? "paper" : definition.strategyName) bot.")
        }
        try database.requirePolicies(allow: definition, user: user)
        guard try Self.storing({ try database.bots.updateBot(id, definition, for: user, at: Date()) }) != nil else {
            throw APIError.notFound("No such bot.")
        }
        try await handOver(user: user, changed: id)
    }

    /// A paper bot copied as a new live bot with the same strategy, parameters and allocation
    /// (named `name`, else "<its name> (live)"); returns the copy's id.
    func copyLive(_ id: Int64, name: String?, user: UserID) async throws(APIError) -> Int64 {
        let source = try bot(id, user: user).record.definition
        guard source.mode == .paper else { throw APIError(.conflict, "not_paper", "Only a paper bot is copied as a live bot; this one is live.") }
        let suffix = " (live)"
        let copy = source.copiedAsLive(
            name: name ?? String(source.name.prefix(BotDefinition.nameLength.upperBound - suffix.count)) + suffix)
        do {
            try copy.validate()
        } catch {
            throw APIError(.unprocessableContent, "invalid_bot", error.description)
        }
        return try await create(copy, user: user)
    }

    /// Deletes a bot that is not running.
    func delete(_ id: Int64, user: UserID) async throws(APIError) {
        let current = try bot(id, user: user)
        if (current.running != nil || current.isHosted), current.record.wanted || !Self.stoppedStates.contains(current.state) {
            throw APIError(.conflict, "bot_running", "Stop this bot before deleting it (it is \(current.state)).")
        }
        _ = try write { try database.bots.deleteBot(id, for: user) }
        // The next bot may now be the first, which the worker runs.
        try await handOver(user: user, changed: nil)
    }

    /// States in which a bot's worker holds nothing in flight for it.
    static let stoppedStates: Set<String> = ["no_key", "stopped", "emergency_stopped", "error", "not_running"]

    func botID(_ context: SignedInContext) throws(APIError) -> Int64 {
        guard let id = context.parameters.get("bot_id", as: Int64.self) else { throw APIError.notFound("No such bot.") }
        return id
    }

    func bot(_ id: Int64, user: UserID) throws(APIError) -> BotsView.Bot {
        let view = try read { try BotsView.load(database, user: user, now: Date()) }
        guard let bot = view.bots.first(where: { $0.record.id == id }) else { throw APIError.notFound("No such bot.") }
        return bot
    }

    func item(_ id: Int64, user: UserID) throws(APIError) -> BotItemResponse {
        BotItemResponse(try bot(id, user: user))
    }

    /// Refuses, with the reason, a command to a bot the worker does not run.
    func runnable(_ id: Int64, user: UserID) throws(APIError) {
        let bot = try bot(id, user: user)
        guard bot.running != nil else { throw APIError(.conflict, "bot_not_running", "This bot does not run: \(bot.stateReason ?? "not running").") }
    }

    /// After a change of the user's bots: when the first bot is one the worker runs, its
    /// settings reach a running worker at once (a stopped one is given them at its start).
    func handOver(user: UserID, changed: Int64?) async throws(APIError) {
        let bots = try read { try database.bots.bots(for: user) }
        guard let first = bots.first, changed == nil || changed == first.id, case .signals(let settings) = first.definition.plan,
            first.definition.runsInWorker
        else { return }
        let payload = String(decoding: settings.encoded(), as: UTF8.self)
        _ = try? await control.command(CommandRequest(.settingsChanged, json: payload), user: user)
    }

    /// The body as a definition, checked; every symbol must be one the exchange lists.
    static func definition(from request: Request, user: UserID, catalog: ExchangeCatalog) async throws(APIError) -> BotDefinition {
        var fields = try await JSONBody.read(request, user: user).fields
        fields["user_id"] = nil
        return try await check(fields, catalog: catalog)
    }

    /// A definition from its JSON fields (the API's body, or the form's), checked, with every
    /// symbol one the exchange lists.
    static func check(_ fields: [String: Any], catalog: ExchangeCatalog) async throws(APIError) -> BotDefinition {
        let definition: BotDefinition
        do {
            definition = try BotDefinition(fields: fields)
        } catch {
            throw APIError(.unprocessableContent, "invalid_bot", error.description)
        }
        let listed = try await catalog.symbols()
        if let missing = definition.symbols.first(where: { !listed.contains($0) }) {
            throw APIError(.unprocessableContent, "invalid_bot", "symbols: the exchange does not list \(missing)")
        }
        return definition
    }

    /// A write of the bots; the store's refusals (the limit, a name taken) are the caller's 409.
    static func storing<T>(_ body: () throws -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch let refusal as SettingsError {
            throw APIError(.conflict, refusal.field == "bots" ? "bot_limit_reached" : "name_taken", refusal.description)
        } catch {
            throw APIError(.serviceUnavailable, "database_unavailable", "The central database cannot be written.")
        }
    }
}
