import ArgumentParser
import CentralPostgres
import Common
import Foundation
import Logging

/// `supervisor drain`: hands this host's users to the other hosts sharing the database, each
/// worker stopped cleanly before its lease is handed back; the host stays up, holding none,
/// until its supervisor restarts.
struct Drain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hand this host's users to the other hosts (several hosts on PostgreSQL); waits until it holds none."
    )

    @OptionGroup var options: DataDirectoryOptions
    @Option(help: "Seconds to wait for the users to move.")
    var timeout: Int = 60

    func run() async throws {
        let (directory, config) = try await options.resolved()
        do {
            let database = try CentralDatabase.open(config.database, directory: directory, logger: Logger(label: "drain"))
            guard let leases = database.leases else {
                throw CentralCopy.Failure(description: "drain needs several hosts sharing a PostgreSQL database (database.url); this installation runs on one machine")
            }
            try leases.setDraining(host: config.hostID, true)
            print("draining host \(config.hostID)")
            let deadline = ContinuousClock.now + .seconds(max(timeout, 1))
            while true {
                let held = try leases.leases().filter { $0.host == config.hostID && ($0.expiresIn ?? 0) > 0 }.count
                if held == 0 {
                    print("host \(config.hostID) holds no user")
                    return
                }
                guard ContinuousClock.now < deadline else {
                    throw CentralCopy.Failure(description: "host \(config.hostID) still holds \(held) users after \(timeout) s (are other hosts running, with room for them?)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        } catch {
            StreamWriter.standardError.write("supervisor: drain: \(error)\n")
            throw ExitCode(1)
        }
    }
}
