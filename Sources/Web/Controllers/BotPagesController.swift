import Common
import Foundation
import Hummingbird

/// The bots' pages: `/bots/new` (the form, and its post), `/bots/{id}` (one bot, a grid's
/// levels drawn), and `/bots/{id}/delete`. Another user's bot id is the 404 page.
struct BotPagesController {
    let database: CentralDatabase
    let api: BotsAPIController
    let catalog: ExchangeCatalog
    let formats: SymbolFormatBook
    let hooks: SignalHooksController

    func register(on routes: WebRoutes) {
        routes.pages.get("/bots/new") { _, context -> Response in
            Reply.html(newPage(context.viewer, form: [:], error: nil))
        }
        routes.pages.post("/bots/new") { _, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            do throws(APIError) {
                let definition = try await BotsAPIController.check(try BotForm.fields(form.fields), catalog: catalog)
                let id = try await api.create(definition, user: user.id)
                return Reply.redirect("/bots/\(id)?done=bot_created")
            } catch {
                return Reply.html(newPage(viewer, form: form.fields, error: error.pageMessage), status: error.status)
            }
        }
        routes.pages.get("/bots/:bot_id") { request, context -> Response in
            let notice = request.uri.queryParameters.get("done").flatMap {
                ["bot_created", "bot_changed", "bot_started", "bot_stopped", "hook_changed", "hook_deleted"].contains($0) ? t("notice.\($0)") : nil
            }
            return await page(context, notice: notice, error: nil, origin: Self.origin(request))
        }
        // The bot's signal hook: made (or a new URL and secret, shown once on the page this
        // answers), its limits changed, deleted.
        routes.pages.post("/bots/:bot_id/hook") { request, context -> Response in
            guard let id = context.parameters.get("bot_id", as: Int64.self) else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            do throws(APIError) {
                let (_, secret) = try hooks.make(bot: id, user: context.user.id, limits: nil)
                return await page(context, notice: t("notice.hook_made"), error: nil, origin: Self.origin(request), secret: secret)
            } catch {
                if error.status == .notFound { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                return await page(context, notice: nil, error: error.pageMessage, status: error.status, origin: Self.origin(request))
            }
        }
        routes.pages.post("/bots/:bot_id/hook/limits") { request, context -> Response in
            guard let id = context.parameters.get("bot_id", as: Int64.self) else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            let form = context.form
            do throws(APIError) {
                let limits: SignalHookLimits
                do throws(SettingsError) {
                    limits = try SignalHookLimits.parse(maxLag: form["max_lag_seconds"], perMinute: form["per_minute"], addresses: form["allowed_addresses"])
                } catch {
                    throw APIError(.unprocessableContent, "invalid_field", "\(error.field): \(error.problem)")
                }
                guard try write({ try database.signalHooks.updateLimits(bot: id, for: context.user.id, limits) }) else { throw APIError.notFound() }
                return Reply.redirect("/bots/\(id)?done=hook_changed#bot-hook")
            } catch {
                if error.status == .notFound { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                return await page(context, notice: nil, error: error.pageMessage, status: error.status, origin: Self.origin(request))
            }
        }
        routes.pages.post("/bots/:bot_id/hook/delete") { request, context -> Response in
            guard let id = context.parameters.get("bot_id", as: Int64.self) else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            do throws(APIError) {
                _ = try write { try database.signalHooks.deleteHook(bot: id, for: context.user.id) }
                return Reply.redirect("/bots/\(id)?done=hook_deleted")
            } catch {
                return await page(context, notice: nil, error: error.pageMessage, status: error.status, origin: Self.origin(request))
            }
        }
        routes.pages.get("/bots/:bot_id/edit") { _, context -> Response in
            guard let id = context.parameters.get("bot_id", as: Int64.self), let bot = try? api.bot(id, user: context.user.id) else {
                return Reply.html(ErrorPages.notFound(), status: .notFound)
            }
            return Reply.html(editPage(context.viewer, id: id, form: BotForm.values(of: bot.record.definition), error: nil))
        }
        routes.pages.post("/bots/:bot_id/edit") { _, context -> Response in
            let (form, viewer, user) = (context.form, context.viewer, context.user)
            guard let id = context.parameters.get("bot_id", as: Int64.self), let bot = try? api.bot(id, user: user.id) else {
                return Reply.html(ErrorPages.notFound(), status: .notFound)
            }
            do throws(APIError) {
                var base = BotSettings.defaults
                if case .signals(let settings) = bot.record.definition.plan { base = settings }
                var fields = try BotForm.fields(form.fields, base: base)
                // The form shows paper USDT only: the bot's other paper assets stay.
                let others = bot.record.definition.paperBalances.filter { $0.key != "USDT" }
                if fields["mode"] as? String == "paper", !others.isEmpty {
                    var balances = fields["paper_balances"] as? [String: Any] ?? ["USDT": DecimalText.plain(bot.record.definition.paperBalances["USDT"] ?? 0)]
                    for (asset, amount) in others { balances[asset] = DecimalText.plain(amount) }
                    fields["paper_balances"] = balances
                }
                let definition = try await BotsAPIController.check(fields, catalog: catalog)
                try await api.update(bot, to: definition, user: user.id)
                return Reply.redirect("/bots/\(id)?done=bot_changed")
            } catch {
                return Reply.html(editPage(viewer, id: id, form: form.fields, error: error.pageMessage), status: error.status)
            }
        }
        routes.pages.post("/bots/:bot_id/copy-live") { _, context -> Response in
            guard let id = context.parameters.get("bot_id", as: Int64.self) else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            do throws(APIError) {
                let name = context.form["name"]?.trimmingCharacters(in: .whitespaces)
                let copy = try await api.copyLive(id, name: name?.isEmpty == false ? name : nil, user: context.user.id)
                return Reply.redirect("/bots/\(copy)?done=bot_created")
            } catch {
                if error.status == .notFound { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                return await page(context, notice: nil, error: error.pageMessage, status: error.status)
            }
        }
        // A grid or DCA bot's own start, stop, stop-and-sell and emergency stop.
        for action in ["start", "stop", "stop-sell", "emergency-stop"] {
            routes.pages.post(RouterPath(stringLiteral: "/bots/:bot_id/\(action)")) { _, context -> Response in
                guard let id = context.parameters.get("bot_id", as: Int64.self) else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                let user = context.user.id
                do throws(APIError) {
                    switch action {
                    case "start": _ = try await api.start(id, user: user)
                    case "emergency-stop": _ = try await api.emergencyStop(id, user: user)
                    default: _ = try await api.stop(id, sell: action == "stop-sell", user: user)
                    }
                    return Reply.redirect("/bots/\(id)?done=bot_\(action == "start" ? "started" : "stopped")")
                } catch {
                    if error.status == .notFound { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                    return await page(context, notice: nil, error: error.pageMessage, status: error.status)
                }
            }
        }
        routes.pages.post("/bots/:bot_id/delete") { _, context -> Response in
            guard let id = context.parameters.get("bot_id", as: Int64.self) else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
            do throws(APIError) {
                try await api.delete(id, user: context.user.id)
                return Reply.redirect("/?done=bot_deleted#bots")
            } catch {
                if error.status == .notFound { return Reply.html(ErrorPages.notFound(), status: .notFound) }
                return await page(context, notice: nil, error: error.pageMessage, status: error.status)
            }
        }
    }

    func newPage(_ viewer: Layout.Viewer, form: [String: String], error: String?) -> String {
        var c = BotForm.context(form, csrf: viewer.csrfToken)
        c["error"] = error
        return Layout.page(title: t("bots.new_title"), active: "/", viewer: viewer, freshness: nil, content: Views.render("bot_new", c))
    }

    func editPage(_ viewer: Layout.Viewer, id: Int64, form: [String: String], error: String?) -> String {
        var c = BotForm.context(form, csrf: viewer.csrfToken, action: "/bots/\(id)/edit")
        c["error"] = error
        return Layout.page(title: t("bots.edit_title", ["name": form["name"] ?? ""]), active: "/", viewer: viewer, freshness: nil, content: Views.render("bot_new", c))
    }

    /// Where the browser reached this web (`http://host:port`), for the hook's whole URL.
    static func origin(_ request: Request) -> String {
        guard let host = request.head.authority, host.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "/" }) else { return "" }
        return "http://\(host)"
    }

    func page(
        _ context: SignedInContext, notice: String?, error: String?, status: HTTPResponse.Status = .ok, origin: String = "", secret: String? = nil
    ) async -> Response {
        guard let id = context.parameters.get("bot_id", as: Int64.self) else { return Reply.html(ErrorPages.notFound(), status: .notFound) }
        let user = context.user.id
        let bot: BotsView.Bot
        do throws(APIError) {
            bot = try api.bot(id, user: user)
        } catch {
            return error.status == .notFound ? Reply.html(ErrorPages.notFound(), status: .notFound) : Reply.html(ErrorPages.unavailable(error.pageMessage, viewer: context.viewer), status: error.status)
        }
        var model = BotsPage.Model(viewer: context.viewer, bot: bot, zone: database.timeZone(of: user), notice: notice, error: error)
        do {
            model.positions = try database.trading.positions(for: user).filter { $0.botID == id && $0.isOpen }
            model.orders = try database.trading.orders(for: user, matching: TradeFilter(limit: 20, bot: id))
            model.fills = try database.trading.fills(for: user, matching: TradeFilter(limit: 20, bot: id))
        } catch {
            model.error = t("common.unavailable_because", ["reason": t("error.database_unavailable")])
        }
        if !bot.record.definition.signalActions.isEmpty {
            do {
                let hook = try database.signalHooks.hook(bot: id, for: user)
                let records = try hook == nil ? [] : database.signalHooks.records(bot: id, for: user, limit: SignalHooksController.shownRecords)
                model.hook = BotsPage.HookModel(
                    hook: hook, records: records, outcomes: try SignalOutcomes.load(records, database: database), origin: origin, secret: secret)
            } catch {
                model.error = t("common.unavailable_because", ["reason": t("error.database_unavailable")])
            }
        }
        model.formats = await formats.formats(
            for: Set(bot.record.definition.symbols + model.positions.map(\.symbol) + model.orders.map(\.symbol) + model.fills.map(\.symbol)))
        if case .grid(let grid) = bot.record.definition.plan {
            model.levels = await levels(grid)
            // A running trailing grid's levels are where its range moved to, as its worker said.
            if let running = bot.hosted?.levels, bot.hosted?.state == "running", !running.isEmpty, case .success(let found) = model.levels {
                model.levels = .success((running, found.last, found.format))
            }
        }
        return Reply.html(BotsPage.render(model), status: status)
    }

    /// A grid's level prices on the symbol's tick and its last price, from the exchange.
    func levels(_ grid: GridParameters) async -> Result<(prices: [Decimal], last: Decimal?, format: SymbolFormat), APIError> {
        do throws(APIError) {
            guard let filters = try await catalog.filters(grid.symbol) else {
                throw APIError(.unprocessableContent, "invalid_bot", "the exchange does not list \(grid.symbol)")
            }
            let last = try await catalog.lastPrice(grid.symbol)
            let format = await formats.formats(for: [grid.symbol])[grid.symbol] ?? .unknown
            return .success((GridPlan.levelPrices(grid, tickSize: filters.tickSize), last, format))
        } catch {
            return .failure(error)
        }
    }
}
