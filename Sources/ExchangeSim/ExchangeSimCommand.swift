import ArgumentParser
import Common
import Foundation
import Hummingbird
import Logging

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

    func run() async throws {
        let supervised = ParentWatch.supervisorPID != nil
        ParentWatch.install(expectedParent: ParentWatch.supervisorPID)
        if supervised { ParentWatch.exitOnStandardInputEnd() }
        JSONLogHandler.bootstrap(label: "exchange-sim", sink: .standardError, level: ProcessInfo.processInfo.environment["TRADER_LOG_LEVEL"] ?? "info")
        let logger = Logger(label: "exchange-sim")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let app = SimApp.build(port: port, logger: logger)
        try await app.runService()
    }
}

/// The simulator's HTTP application. This first version answers the connectivity endpoints;
/// the exchange itself comes with the simulator issue.
enum SimApp {
    static func build(port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/v3/ping") { _, _ in json("{}") }
        router.get("/api/v3/time") { _, _ in json("{\"serverTime\":\(Int64(Date().timeIntervalSince1970 * 1000))}") }
        router.get("/sim/v1/health") { _, _ in json("{\"status\":\"ok\"}") }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "exchange-sim"),
            onServerRunning: { _ in ParentWatch.reportReady() }, logger: logger
        )
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
