import Common
import Foundation
import Hummingbird

/// `/trading` and `/signals`. The forms of `/trading` post to ``BotFormsController``, the order
/// form to ``OrdersController``.
struct TradingPagesController {
    let database: CentralDatabase
    let control: ControlClient
    let catalog: ExchangeCatalog
    let exchange: String
    /// Nil: a page rendered for another controller (a refused manual order) asks the catalog afresh.
    var formats: SymbolFormatBook? = nil

    func register(on routes: WebRoutes) {
        routes.pages.get("/signals") { _, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            return await signalsPage(viewer: viewer, user: user.id)
        }
        routes.pages.get("/trading") { request, context -> Response in
            let (viewer, user) = (context.viewer, context.user)
            let notice = request.uri.queryParameters.get("done").flatMap { Self.notices.contains($0) ? t("notice.\($0)") : nil }
            guard var model = model(viewer: viewer, user: user.id, notice: notice) else { return unavailable(viewer) }
            model.formats = await book.formats(for: TradingPage.symbols(model))
            return Reply.html(TradingPage.render(model))
        }
    }

    /// The notices a redirect after a command asks for (`?done=`), as catalog keys.
    static let notices: Set<String> = ["start", "stop", "emergency_stop", "cancel_order", "settings", "place_order"]

    func signalsPage(viewer: Layout.Viewer, user: UserID) async -> Response {
        let now = Date()
        let signals: [SignalRecord]
        let settings: BotSettings
        do {
            signals = try database.trading.signals(for: user, bot: nil, symbol: nil, before: nil, limit: 100)
            settings = try database.bots.settings(for: user) ?? .defaults
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
            let stored = try database.bots.settings(for: user)
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
