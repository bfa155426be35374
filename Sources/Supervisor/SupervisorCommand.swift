import ArgumentParser
import Common
import Foundation

@main
struct SupervisorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervisor",
        abstract: "Runs Crypto Trader Pro: the dashboard, the exchange simulator and one trading worker per user.",
        subcommands: [Run.self],
        defaultSubcommand: Run.self
    )
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the supervisor (the default).")

    @Option(help: "The YAML configuration file (default: etc/trader.yaml when present).")
    var config: String?
    @Option(help: "The data directory (default: var).")
    var dataDir: String?
    @Option(help: "The dashboard's address (default: 127.0.0.1).")
    var webHost: String?
    @Option(help: "The dashboard's port (default: 8080).")
    var webPort: String?
    @Option(help: "sim (the embedded simulator) or testnet.")
    var exchange: String?
    @Option(help: "The simulator's port (default: 9090).")
    var simPort: String?

    func run() async throws {
        var flags: [String: String] = [:]
        flags["data_dir"] = dataDir
        flags["web.host"] = webHost
        flags["web.port"] = webPort
        flags["exchange"] = exchange
        flags["sim.port"] = simPort
        do {
            let resolved = try await ConfigLoader.load(file: config, flags: flags)
            try await SupervisorApp.run(config: resolved)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("supervisor: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as SupervisorApp.StartupError {
            FileHandle.standardError.write(Data("supervisor: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
