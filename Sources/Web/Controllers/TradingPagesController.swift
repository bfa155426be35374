import Common
import Foundation
import Hummingbird

/// `/trading` and its forms.
struct TradingPagesController {
    let database: CentralDatabase
    let control: ControlClient
    let catalog: ExchangeCatalog
    let exchange: String
    /// Nil: a page rendered for another controller (a refused manual order) asks the catalog afresh.
    var formats: SymbolFormatBook? = nil

    func register(on router: Router<WebContext>) {
        router.get("/signals") { request, context -> Response in
            guard let viewer = PagesController.viewer(context), let user = context.user else { return PagesController.toLogin(request) }
            return await signalsPage(viewer: viewer, user: user.id)
        }
        router.get("/trading") { request, context -> Response in
            guard let viewer = PagesController.viewer(context), let user = context.user else { return PagesController.toLogin(request) }
            let notice = request.uri.queryParameters.get("done").flatMap { Self.notices.contains($0) ? t("notice.\($0)") : nil }
            guard var model = model(viewer: viewer, user: user.id, notice: notice) else { return unavailable(viewer) }
            model.formats = await book.formats(for: TradingPage.symbols(model))
            return Reply.html(TradingPage.render(model))
        }
        for (path, command) in [("/trading/start", "start"), ("/trading/stop", "stop"), ("/trading/emergency-stop", "emergency_stop")] {
            router.post(RouterPath(stringLiteral: path)) { request, context -> Response in
                let form = await FormBody.read(request)
                guard let viewer = PagesController.viewer(context), let user = context.user, let session = context.session else { return PagesController.toLogin(request) }
                guard PagesController.csrfMatches(form, session) else { return Reply.html(AccountPages.formExpired(viewer: viewer), status: .forbidden) }
                let payload = command == "stop" ? #"{"close_positions":\#(form["close_positions"] != nil)}"# : nil
                do throws(APIError) {
                    var json: [String: Any] = ["command": command]
                    if let payload { json["payload"] = payload }
                    let answer = try await control.send(.POST, "/v1/users/\(user.id.rawValue)/commands", json: json)
                    guard answer.status == 202 else { throw ControlClient.relay(answer) }
                    return Reply.redirect("/trading?done=\(command)")
                } catch {
                    return page(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
                }
            }
        }
        router.post("/trading/orders/:order_id/cancel") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let viewer = PagesController.viewer(context), let user = context.user, let session = context.session else { return PagesController.toLogin(request) }
            guard PagesController.csrfMatches(form, session) else { return Reply.html(AccountPages.formExpired(viewer: viewer), status: .forbidden) }
            guard let id = context.parameters.get("order_id", as: Int64.self), let order = try? database.trading.order(for: user.id, orderID: id) else {
                return Reply.html(ErrorPages.notFound(), status: .notFound)
            }
            do throws(APIError) {
                guard order.isOpen else { throw APIError(.conflict, "order_not_open", "This order is \(order.status); only open orders can be cancelled.") }
                let answer = try await control.send(.POST, "/v1/users/\(user.id.rawValue)/commands", json: ["command": "cancel_order", "payload": #"{"order_id":\#(id)}"#])
                guard answer.status == 202 else { throw ControlClient.relay(answer) }
                return Reply.redirect("/trading?done=cancel_order")
            } catch {
                return page(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
        router.post("/trading/settings") { request, context -> Response in
            let form = await FormBody.read(request)
            guard let viewer = PagesController.viewer(context), let user = context.user, let session = context.session else { return PagesController.toLogin(request) }
            guard PagesController.csrfMatches(form, session) else { return Reply.html(AccountPages.formExpired(viewer: viewer), status: .forbidden) }
            do throws(APIError) {
                let settings = try await TradingAPIController.check(try Self.settingsFields(form), catalog: catalog)
                try write { try database.trading.saveSettings(settings, for: user.id, at: Date()) }
                let payload = String(decoding: settings.encoded(), as: UTF8.self)
                _ = try? await control.send(.POST, "/v1/users/\(user.id.rawValue)/commands", json: ["command": "settings_changed", "payload": payload])
                return Reply.redirect(form["return_to"] == "/settings" ? "/settings?done=bot_settings#settings" : "/trading?done=settings")
            } catch {
                if form["return_to"] == "/settings" { return PagesController.settings(database, exchange: exchange, viewer: viewer, user: user.id, error: error.pageMessage, status: error.status) }
                return page(viewer: viewer, user: user.id, error: error.pageMessage, status: error.status)
            }
        }
    }

    /// The notices a redirect after a command asks for (`?done=`), as catalog keys.
    static let notices: Set<String> = ["start", "stop", "emergency_stop", "cancel_order", "settings", "place_order"]

    /// The form's fields as the settings JSON (numbers stay text until checked).
    static func settingsFields(_ form: FormBody) throws(APIError) -> [String: Any] {
        func number(_ name: String) throws(APIError) -> Double {
            guard let value = Double((form[name] ?? "").trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw APIError(.unprocessableContent, "invalid_settings", "\(name.replacingOccurrences(of: "_", with: " ")) must be a number")
            }
            return value
        }
        func whole(_ name: String) throws(APIError) -> Int {
            let value = try number(name)
            guard value == value.rounded(), abs(value) < 1e9 else {
                throw APIError(.unprocessableContent, "invalid_settings", "\(name.replacingOccurrences(of: "_", with: " ")) must be a whole number")
            }
            return Int(value)
        }
        let symbols = (form["symbols"] ?? "").uppercased().split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        // Execution: each field the form carries (an older form without them keeps the defaults).
        var execution: [String: Any] = [:]
        for name in ["exits", "entry", "entry_timeout_action"] where form[name] != nil { execution[name] = form[name] }
        if form["entry_offset_pct"] != nil { execution["entry_offset_pct"] = try number("entry_offset_pct") }
        if form["entry_timeout_seconds"] != nil { execution["entry_timeout_seconds"] = try whole("entry_timeout_seconds") }
        return [
            "execution": execution,
            "symbols": symbols, "interval": form["interval"] ?? "",
            "strategy": form["strategy"] == "ml"
                ? ["name": "ml", "params": [String: Double]()] : ["name": "sma_cross", "params": ["fast": try whole("fast"), "slow": try whole("slow")]],
            "risk": [
                "max_position_pct": try number("max_position_pct"), "max_position_usdt": (form["max_position_usdt"] ?? "").trimmingCharacters(in: .whitespaces),
                "max_open_positions": try whole("max_open_positions"), "stop_loss_pct": try number("stop_loss_pct"),
                "take_profit_pct": try number("take_profit_pct"), "trailing_stop_pct": try number("trailing_stop_pct"),
                "daily_loss_limit_usdt": (form["daily_loss_limit_usdt"] ?? "").trimmingCharacters(in: .whitespaces),
                "max_drawdown_pct": try number("max_drawdown_pct"), "cooldown_minutes": try whole("cooldown_minutes"),
            ] as [String: Any],
            "emergency_close_positions": form["emergency_close_positions"] != nil, "unknown_orders": form["unknown_orders"] ?? "",
            "timezone": (form["timezone"] ?? "").trimmingCharacters(in: .whitespaces),
        ]
    }

    func signalsPage(viewer: Layout.Viewer, user: UserID) async -> Response {
        let now = Date()
        let signals: [SignalRecord]
        let settings: BotSettings
        do {
            signals = try database.trading.signals(for: user, symbol: nil, before: nil, limit: 100)
            settings = try database.trading.settings(for: user) ?? .defaults
        } catch {
            return Reply.html(
                Layout.page(
                    title: t("signals.title"), active: "/signals", viewer: viewer, freshness: nil,
                    content: AccountPages.message(heading: t("signals.title"), unavailable: t("error.database_unavailable"))
                ),
                status: .serviceUnavailable
            )
        }
        // Candles from the exchange's public market data, for the chart of each configured symbol.
        var charts: [SignalsPage.SymbolChart] = []
        for symbol in settings.symbols.prefix(5) {
            do {
                let client = try catalog.publicClient()
                charts.append(.init(symbol: symbol, candles: try await client.klines(symbol: symbol, interval: settings.interval, limit: 60), error: nil))
            } catch let error as APIError {
                charts.append(.init(symbol: symbol, candles: [], error: error.pageMessage))
            } catch {
                charts.append(.init(symbol: symbol, candles: [], error: t("signals.exchange_silent", ["detail": "\(error)"])))
            }
        }
        let model = SignalsPage.Model(
            viewer: viewer, signals: signals, strategy: settings.strategy.name, interval: settings.interval, charts: charts,
            timeZone: settings.timeZone, now: now
        )
        return Reply.html(SignalsPage.render(model))
    }

    var book: SymbolFormatBook { formats ?? SymbolFormatBook(catalog: catalog) }

    /// `orderDraft`: the order form's fields as submitted, shown again with the error.
    func page(
        viewer: Layout.Viewer, user: UserID, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok, orderDraft: [String: String]? = nil
    ) -> Response {
        guard var model = model(viewer: viewer, user: user, notice: notice, error: error, orderDraft: orderDraft) else { return unavailable(viewer) }
        model.formats = book.cached(for: TradingPage.symbols(model))
        return Reply.html(TradingPage.render(model), status: status)
    }

    /// The page's figures from central.sqlite; nil when it cannot be read.
    func model(
        viewer: Layout.Viewer, user: UserID, notice: String? = nil, error: String? = nil, orderDraft: [String: String]? = nil
    ) -> TradingPage.Model? {
        let now = Date()
        do {
            let stored = try database.trading.settings(for: user)
            let settings = stored ?? .defaults
            let bot = try BotView.load(database, user: user, now: now)
            var model = TradingPage.Model(
                viewer: viewer, bot: bot, settings: settings, settingsAreDefault: stored == nil,
                orders: try database.trading.orders(for: user, symbol: nil, before: nil, limit: 50),
                fills: try database.trading.fills(for: user, symbol: nil, before: nil, limit: 50),
                events: try database.workerEvents.events(for: user, limit: 30),
                settingsCommand: try database.commands.latest(user: user, command: "settings_changed"), error: error, notice: notice,
                timeZone: settings.timeZone, now: now, orderDraft: orderDraft
            )
            if let symbol = settings.symbols.first {
                model.chart = PriceChart.Data(
                    symbol: symbol, fills: try database.trading.fills(for: user, symbol: symbol, before: nil, limit: 100).reversed(),
                    resting: try database.trading.orders(for: user, symbol: symbol, before: nil, limit: 200).filter(\.isOpen),
                    lastPrice: bot.positions.first { $0.symbol == symbol && $0.isOpen }?.currentPrice, now: now
                )
            }
            return model
        } catch {
            return nil
        }
    }

    func unavailable(_ viewer: Layout.Viewer) -> Response {
        let now = Date()
        let body = Layout.page(
            title: t("trading.title"), active: "/trading", viewer: viewer, freshness: t("fresh.attempted_at", ["time": DisplayTime.text(now, .gmt)]),
            content: AccountPages.message(heading: t("trading.title"), unavailable: t("error.database_unavailable"))
        )
        return Reply.html(body, status: .serviceUnavailable)
    }
}
