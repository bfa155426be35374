import ArgumentParser
import CentralPostgres
import Common
import Foundation
import Hummingbird
import Prometheus
import Logging

@main
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "The dashboard and JSON API. Started by the supervisor; reads the central database (central.sqlite, or PostgreSQL)."
    )

    @Option(help: "The data directory.")
    var dataDir: String
    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"
    @Option(help: "The port to listen on.")
    var port: Int = 8080
    @Option(help: "The exchange mode the supervisor runs (sim or testnet).")
    var exchange: String = "sim"
    @Option(help: "Minutes of inactivity that end a session.")
    var sessionIdleMinutes: Int = 720
    @Option(help: "How many bots a user may have.")
    var botsPerUser: Int = 20
    @Option(help: "A file holding the central database's PostgreSQL URL (the supervisor writes it); absent: central.sqlite in the data directory.")
    var databaseURLFile: String?
    @Option(help: "Who /metrics answers: loopback, admin_token or loopback_or_admin_token.")
    var metricsAccess: String = MetricsAccess.loopback.rawValue
    @Option(help: "The exchange's request weight limit per minute the workers share (the operator's console shows each worker's use against it).")
    var requestWeightLimit: Int = 6_000
    @Flag(help: "Mark cookies Secure (the site is served over TLS).")
    var secureCookies = false

    func run() async throws {
        let supervised = ParentWatch.supervisorPID != nil
        ParentWatch.install(expectedParent: ParentWatch.supervisorPID)
        if supervised { ParentWatch.exitOnStandardInputEnd() }
        JSONLogHandler.bootstrap(label: "web", sink: .standardError, level: ProcessInfo.processInfo.environment["TRADER_LOG_LEVEL"] ?? "info")
        let logger = Logger(label: "web")
        let directory = DataDirectory(root: dataDir)
        do {
            try Views.load()
        } catch {
            logger.critical("web.templates_missing", metadata: ["error": "\(error)"])
            StreamWriter.standardError.write("web: \(error)\n")
            throw ExitCode(1)
        }
        let database: CentralDatabase
        do {
            database = try CentralDatabase.open(try Self.location(file: databaseURLFile), directory: directory, logger: logger)
        } catch {
            logger.critical("web.database_unavailable", metadata: ["error": "\(error)"])
            StreamWriter.standardError.write("web: \(error)\n")
            throw ExitCode(1)
        }
        var settings = WebApp.Settings(host: host, port: port, exchange: exchange, secureCookies: secureCookies)
        settings.sessions.idleTimeout = TimeInterval(max(1, sessionIdleMinutes)) * 60
        settings.botLimits = BotLimits(maxPerUser: max(1, botsPerUser))
        guard let access = MetricsAccess(rawValue: metricsAccess) else {
            StreamWriter.standardError.write("web: --metrics-access must be loopback, admin_token or loopback_or_admin_token, not \"\(metricsAccess)\"\n")
            throw ExitCode(2)
        }
        settings.metricsAccess = access
        settings.requestWeightLimit = max(1, requestWeightLimit)
        let metrics = PrometheusCollectorRegistry()
        MetricsCollector.bootstrap(metrics)
        let app = WebApp.build(database: database, directory: directory, settings: settings, metrics: metrics, logger: logger)
        try await app.runService()
    }

    /// The PostgreSQL location in `file`, or nil (central.sqlite) without one.
    static func location(file: String?) throws -> PostgresLocation? {
        guard let file else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw PostgresLocation.Invalid(reason: "cannot read \(file)")
        }
        return try PostgresLocation(url: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
