import ArgumentParser
import Common
import Foundation
import Logging

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "One user's trading bot. Started by the supervisor, which writes its credentials to its stdin.",
        subcommands: [Run.self, BacktestCommand.self, OptimizeCommand.self, BiasCheckCommand.self, MLEvalCommand.self, OrderIDCommand.self],
        defaultSubcommand: Run.self
    )
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the bot of one user (the default).")

    @Argument(help: "The user's id.")
    var userID: Int64
    @Option(help: "The data directory.")
    var dataDir: String
    @Option(help: "How often to report a heartbeat, in milliseconds (100...2000).")
    var heartbeatIntervalMs: Int = 1_000
    @Flag(help: "Run under the supervisor's lease on the user (several hosts): send no order until it gives a time.")
    var leased = false
    @Option(help: "The exchange's request weight per minute for this host's address (the supervisor's request_weight_limit).")
    var requestWeightLimit: Int = 6_000

    func validate() throws {
        guard (100...2_000).contains(heartbeatIntervalMs) else {
            throw ValidationError("--heartbeat-interval-ms must be within 100...2000")
        }
        guard userID > 0 else { throw ValidationError("the user id must be a positive integer") }
        guard (10...1_000_000).contains(requestWeightLimit) else {
            throw ValidationError("--request-weight-limit must be within 10...1000000")
        }
    }

    func run() async throws {
        ParentWatch.install(expectedParent: ParentWatch.supervisorPID)
        JSONLogHandler.bootstrap(label: "worker", sink: .standardError, level: ProcessInfo.processInfo.environment["TRADER_LOG_LEVEL"] ?? "info")
        var logger = Logger(label: "worker")
        logger[metadataKey: "user.id"] = "\(userID)"
        let user = UserID(rawValue: userID)
        do {
            try await WorkerApp.run(
                user: user, directory: DataDirectory(root: dataDir), heartbeatInterval: .milliseconds(heartbeatIntervalMs), leased: leased,
                requestWeightLimit: requestWeightLimit, logger: logger
            )
        } catch let error as WorkerApp.StartupError {
            logger.error("worker.startup_failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
