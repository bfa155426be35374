import Common
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Builds the web application; the tests call this too.
enum WebApp {
    struct Settings: Sendable {
        var host = "127.0.0.1"
        var port = 8080
        var exchange = "sim"
        /// Set the cookies' `Secure` attribute (the site is served over TLS).
        var secureCookies = false
        var sessions = Sessions.Settings()
        var botLimits = BotLimits()
        /// Who `/metrics` answers.
        var metricsAccess = MetricsAccess.loopback
        /// The exchange's request weight limit per minute (`supervisor.request_weight_limit`).
        var requestWeightLimit = 6_000
        /// Where the system's JavaScript libraries are (Debian's `libjs-*` packages), served
        /// under `/javascript/`: Chart.js for the charts.
        var javascriptRoot = "/usr/share/javascript"
    }

    /// `metrics`: the registry `/metrics` shows (bootstrapped into swift-metrics by the web's `main`);
    /// `watch`: when central.sqlite changed (by default its `data_version`, polled); `catalog`:
    /// the exchange's symbols (by default read from the exchange the supervisor uses).
    static func build(
        database: CentralDatabase, directory: DataDirectory, settings: Settings, metrics: PrometheusCollectorRegistry = .init(),
        watch: CentralChangeWatch? = nil, catalog: ExchangeCatalog? = nil, logger: Logger
    ) -> some ApplicationProtocol {
        _ = PasswordHasher.decoyHash  // computed once at start, not during someone's login
        let sessions = Sessions(store: database.sessions, settings: settings.sessions)
        let accounts = AccountService(database: database, sessions: sessions, throttle: LoginThrottle(store: database.loginAttempts), logger: logger)
        let control = ControlClient(socketPath: directory.controlSocket)
        // When the central database last changed: what the per-request reads are cached against.
        let watch = watch ?? CentralChangeWatch.of(database, directory: directory)

        let router = Router(context: WebContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: SessionMiddleware(sessions: sessions, database: database, watch: watch, secureCookies: settings.secureCookies))
        router.add(middleware: LanguageMiddleware())
        router.add(middleware: ExchangeModeMiddleware(mainnet: settings.exchange == "mainnet"))
        router.add(middleware: PageStatusMiddleware(database: database, watch: watch))
        router.add(middleware: APINotFoundMiddleware())
        HealthController(database: database).register(on: router)
        MetricsController(database: database, collector: MetricsCollector(registry: metrics), access: settings.metricsAccess).register(on: router)
        // Routes that need a user go through SignInMiddleware (and, for pages, FormCSRFMiddleware).
        let routes = WebRoutes(router, cache: ReadCache(watch: watch), audit: accounts.audit)
        let catalog = catalog ?? ExchangeCatalog(database: database)
        let formats = SymbolFormatBook(catalog: catalog)
        AccountAPIController(accounts: accounts, secureCookies: settings.secureCookies).register(on: routes)
        ExchangeKeyAPIController(database: database, control: control, exchange: settings.exchange).register(on: routes)
        PortfolioAPIController(database: database).register(on: routes)
        SettingsAPIController(database: database, control: control, catalog: catalog).register(on: routes)
        BotAPIController(database: database, control: control).register(on: routes)
        let bots = BotsAPIController(database: database, control: control, catalog: catalog, limits: settings.botLimits)
        bots.register(on: routes)
        InternalBotsController(bots: bots, tokenFile: directory.internalTokenFile, audit: accounts.audit).register(on: router)
        NotificationChannelsController(database: database, control: control, exchange: settings.exchange).register(on: routes)
        SessionsController(database: database, exchange: settings.exchange).register(on: routes)
        APITokensController(database: database, exchange: settings.exchange, audit: accounts.audit).register(on: routes)
        ActivityController(database: database).register(on: routes)
        AdminController(database: database, control: control, audit: accounts.audit, weightLimit: settings.requestWeightLimit).register(on: routes)
        let hooks = SignalHooksController(database: database, control: control, logger: logger)
        hooks.register(on: routes)
        BotPagesController(database: database, api: bots, catalog: catalog, formats: formats, hooks: hooks).register(on: routes)
        TradingListsAPIController(database: database).register(on: routes)
        TradingPagesController(database: database, control: control, catalog: catalog, exchange: settings.exchange, formats: formats).register(on: routes)
        BotFormsController(database: database, control: control, catalog: catalog, exchange: settings.exchange).register(on: routes)
        OrdersController(database: database, control: control, catalog: catalog, exchange: settings.exchange).register(on: routes)
        let backtests = BacktestController(catalog: catalog)
        backtests.register(on: routes)
        let optimizations = OptimizationsController(backtests: backtests, runner: OptimizationRunner(store: database.optimizations, name: ProcessInfo.processInfo.hostName + ":" + directory.root))
        optimizations.register(on: routes)
        optimizations.registerPages(on: routes)
        ReportsController(database: database).register(on: routes)
        MonitoringController(database: database, formats: formats).register(on: routes)
        AccountPagesController(accounts: accounts, secureCookies: settings.secureCookies).register(on: routes)
        SettingsPagesController(accounts: accounts, control: control, secureCookies: settings.secureCookies, exchange: settings.exchange)
            .register(on: routes)
        PagesController(database: database, exchange: settings.exchange, formats: formats).register(on: routes)
        let hub = EventHub(database: database)
        EventsController(hub: hub, sessions: sessions).register(on: router)
        StaticFilesController(javascriptRoot: settings.javascriptRoot).register(on: router)
        return Application(
            router: router, configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "crypto-trader-web"),
            services: [SessionSweeper(sessions: sessions, logger: logger), EventHubService(hub: hub, databasePath: directory.centralDatabase, watch: watch, logger: logger)],
            onServerRunning: { _ in ParentWatch.reportReady() }, logger: logger
        )
    }
}

/// Headers every response carries.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        return response
    }
}

/// Unknown `/api/…` paths and framework errors answer in the API's JSON error shape; unknown
/// pages get a page.
struct APINotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else {
            do {
                return try await next(request, context)
            } catch let error as HTTPError where error.status == .notFound {
                return Reply.html(ErrorPages.notFound(), status: .notFound)
            }
        }
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : error.status == .methodNotAllowed ? "method_not_allowed" : "invalid_request"
            throw APIError(error.status, code, error.status == .notFound ? "No such API endpoint." : (error.body ?? error.status.reasonPhrase))
        }
    }
}

/// Deletes expired sessions every ten minutes.
struct SessionSweeper: Service {
    let sessions: Sessions
    let logger: Logger

    func run() async throws {
        // Sleeping ten minutes must not hold up a graceful shutdown.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let removed = try? sessions.purgeExpired(), removed > 0 { logger.info("sessions.purged", metadata: ["count": "\(removed)"]) }
                try await Task.sleep(for: .seconds(600))
            }
        }
    }
}
