import ArgumentParser
import Common
import Foundation
import Hummingbird
import Logging

@main
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "The dashboard and JSON API. Started by the supervisor; reads central.sqlite."
    )

    @Option(help: "The data directory.")
    var dataDir: String
    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"
    @Option(help: "The port to listen on.")
    var port: Int = 8080
    @Option(help: "The exchange mode the supervisor runs (sim or testnet).")
    var exchange: String = "sim"

    func run() async throws {
        let supervised = ParentWatch.supervisorPID != nil
        ParentWatch.install(expectedParent: ParentWatch.supervisorPID)
        if supervised { ParentWatch.exitOnStandardInputEnd() }
        JSONLogHandler.bootstrap(label: "web", sink: .standardError, level: ProcessInfo.processInfo.environment["TRADER_LOG_LEVEL"] ?? "info")
        let logger = Logger(label: "web")
        let database: CentralDatabase
        do {
            database = try CentralDatabase.open(DataDirectory(root: dataDir))
        } catch {
            logger.critical("web.database_unavailable", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("web: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let app = WebApp.build(database: database, host: host, port: port, exchange: exchange, logger: logger)
        try await app.runService()
    }
}
