import Common
import Foundation
import Logging
import ServiceLifecycle

/// Builds and runs one user's worker: reads its credentials from stdin, opens its database,
/// reports heartbeats and acts on the supervisor's commands until SIGTERM or end of stdin.
enum WorkerApp {
    struct StartupError: Error, CustomStringConvertible {
        let description: String
    }

    static func run(
        user: UserID, directory: DataDirectory, heartbeatInterval: Duration, leased: Bool = false, requestWeightLimit: Int = 6_000, logger: Logger
    ) async throws {
        let input = StandardInput()
        guard let first = await input.nextLine(timeout: .seconds(15)) else {
            throw StartupError(description: "no credentials on stdin")
        }
        let credentials: Credentials
        do {
            guard case .credentials(let key, let secret, let url) = try SupervisorMessage.parse(first) else {
                throw StartupError(description: "the first line on stdin must be the credentials")
            }
            credentials = Credentials(apiKey: key, apiSecret: secret, exchangeURL: url)
        } catch let error as ProtocolError {
            throw StartupError(description: "unreadable credentials: \(error)")
        }
        let reporter = Reporter()
        let bot: BotState
        var database: TraderDatabase?
        do {
            database = try openOrRebuild(directory, user: user, logger: logger, reporter: reporter)
            bot = try BotState(database: database!)
        } catch {
            database = nil
            // A database this worker must not touch (newer, damaged): the bot is in `error`, the
            // file is left as it is, and the worker stays up to say so rather than crash-looping.
            logger.error("worker.database_refused", metadata: ["error": "\(error)"])
            reporter.send(.event(level: "error", kind: "database", message: "\(error)"))
            bot = BotState(failure: "\(error)")
        }
        logger.info("worker.started", metadata: ["bot.state": "\(bot.current)", "exchange.url": "\(credentials.exchangeURL)"])
        // Until the supervisor's share arrives (its second line, within milliseconds): one weighty
        // call. A hundred workers started at once must not spend the host's minute before they
        // hear their share (`make bench`'s scale run hit the exchange's limit, then its ban, that way).
        // The address's limit is the host's (its configuration): the exchange's count of what the
        // address used is held against 80 % of it.
        let budget = WeightBudget(share: 20, hostLimit: requestWeightLimit)
        let permit = OrderPermit(leased: leased)
        let client = BinanceClient(
            baseURL: credentials.exchangeURL, credentials: .init(apiKey: credentials.apiKey, secret: credentials.apiSecret), budget: budget,
            permit: permit
        )
        // Without a key (a user with paper bots only) the worker reads the exchange's public data
        // and runs paper bots; it has no account to value and no first bot to trade.
        let keyless = credentials.apiKey.isEmpty
        let portfolio = PortfolioService(client: client, reporter: reporter, logger: logger)
        let trader = keyless ? nil : database.map {
            Trader(user: user, client: client, streamBaseURL: client.streamBaseURL, reporter: reporter, database: $0, bot: bot, portfolio: portfolio, logger: logger)
        }
        let host = database.map {
            BotHost(user: user.rawValue, live: keyless ? nil : client, market: client, store: $0, reporter: reporter, logger: logger)
        }
        typealias Entry = ServiceGroupConfiguration.ServiceConfiguration
        // Shut down in reverse order: the command reader first, so that the end of stdin during
        // a SIGTERM is the expected end of the service being stopped.
        var services: [Entry] = [.init(service: HeartbeatService(bot: bot, reporter: reporter, client: client, interval: heartbeatInterval))]
        if !keyless { services.append(.init(service: portfolio)) }
        if let host { services.append(.init(service: BotHostService(host: host))) }
        if let trader { services.append(.init(service: TradingService(trader: trader))) }
        // End of stdin (the supervisor is gone or stopping us) ends the worker cleanly.
        services.append(.init(
            service: CommandService(
                input: input, bot: bot, reporter: reporter, budget: budget, permit: permit, trader: trader, host: host, keyless: keyless, logger: logger),
            successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        withExtendedLifetime(credentials) {}
        logger.info("worker.stopped")
    }
}

/// Opens the worker's database. A damaged file (or one that is not SQLite) is moved aside
/// unchanged and a new one started: the supervisor's copy of the history fills it again. A
/// newer one is refused, untouched.
func openOrRebuild(_ directory: DataDirectory, user: UserID, logger: Logger, reporter: Reporter) throws -> TraderDatabase {
    do {
        return try TraderDatabase.open(directory, user: user)
    } catch let error as StorageError {
        switch error {
        case .damaged, .notADatabase:
            let path = directory.userDatabase(user)
            let aside = path + ".damaged-" + Timestamp.string(Date()).replacingOccurrences(of: ":", with: "")
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            logger.warning("worker.database_moved_aside", metadata: ["error": "\(error)", "moved_to": "\(aside)"])
            reporter.send(.event(level: "warning", kind: "database", message: "trader.sqlite was damaged (\(error)); moved aside to \(aside) and rebuilt"))
            return try TraderDatabase.open(directory, user: user)
        default:
            throw error
        }
    }
}

/// The decrypted exchange credentials: held in memory only, never printed.
struct Credentials: Sendable, CustomStringConvertible {
    let apiKey: String
    let apiSecret: String
    let exchangeURL: String
    var description: String { "Credentials(key: \(KeyMask.mask(apiKey)), secret: redacted)" }
}
