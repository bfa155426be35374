import ArgumentParser
import Common
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

@main
struct ExchangeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-sim",
        abstract: "A Binance-Spot-compatible exchange on loopback."
    )

    @Option(help: "The port to listen on (127.0.0.1).")
    var port: Int = 9090
    @Option(help: "The seed of the price walks.")
    var seed: Int = 1
    @Option(help: "Where accounts, balances and orders are kept.")
    var dataDir: String = "var/exchange-sim"
    @Option(help: "Request weight allowed per client address and minute (Binance: 6000).")
    var weightLimit: Int = 6_000
    @Option(name: .customLong("klines-csv"), help: "A data.binance.vision kline file (SYMBOL-INTERVAL-….csv) whose closes the symbol replays, one per second.")
    var klinesCSV: [String] = []

    func run() async throws {
        let supervised = ParentWatch.supervisorPID != nil
        ParentWatch.install(expectedParent: ParentWatch.supervisorPID)
        if supervised { ParentWatch.exitOnStandardInputEnd() }
        JSONLogHandler.bootstrap(label: "exchange-sim", sink: .standardError, level: ProcessInfo.processInfo.environment["TRADER_LOG_LEVEL"] ?? "info")
        let logger = Logger(label: "exchange-sim")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let store = SimStore(directory: dataDir)
        let restored: SimStore.Snapshot?
        do {
            restored = try store.load()
        } catch {
            logger.critical("sim.state_unreadable", metadata: ["error": "\(error)"])
            StreamWriter.standardError.write("exchange-sim: \(error)\n")
            throw ExitCode(1)
        }
        let replays: [KlineReplay]
        do {
            replays = try klinesCSV.map(KlineReplay.load)
        } catch {
            StreamWriter.standardError.write("exchange-sim: \(error)\n")
            throw ExitCode(2)
        }
        let exchange = SimExchange(seed: UInt64(truncatingIfNeeded: seed), restored: restored, replays: replays)
        let app = SimApp.build(port: port, exchange: exchange, weightLimit: weightLimit, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: SnapshotService(exchange: exchange, store: store, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The simulator's HTTP application: Binance's REST API and the admin endpoints.
enum SimApp {
    static func build(port: Int, exchange: SimExchange, weightLimit: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: SimContext.self)
        let faults = Faults()
        SimAPI(exchange: exchange, weights: RequestWeights(limit: weightLimit), faults: faults).register(on: router)
        AdminAPI(exchange: exchange, faults: faults).register(on: router)
        let streams = StreamServer(exchange: exchange, faults: faults)
        return Application(
            router: router,
            server: .http1WebSocketUpgrade { request, _, _ in streams.shouldUpgrade(request) },
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "exchange-sim"),
            onServerRunning: { _ in ParentWatch.reportReady() }, logger: logger
        )
    }
}
