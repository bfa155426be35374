import ArgumentParser
import CentralPostgres
import Common
import Foundation
import Logging

/// `supervisor audit verify`: checks the audit log's chain and names the first row that was
/// changed, removed or inserted out of order (exit status 1), or says how many rows hold.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Check the audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify the audit log's hash chain; exit status 1 names the first broken row.")

        @OptionGroup var options: DataDirectoryOptions

        func run() async throws {
            let (directory, config) = try await options.resolved()
            let result: (checked: Int, broken: AuditChain.Break?)
            do {
                let database = try CentralDatabase.open(config.database, directory: directory, logger: Logger(label: "audit"))
                result = try database.audit.verify()
            } catch {
                StreamWriter.standardError.write("supervisor: audit verify: \(error)\n")
                throw ExitCode(2)
            }
            if let broken = result.broken {
                print("audit log BROKEN: \(broken) (checked \(result.checked) rows)")
                throw ExitCode(1)
            }
            print("audit log intact: \(result.checked) rows")
        }
    }
}

/// `supervisor admin grant|revoke USERNAME`: gives an account the administrator's role or takes
/// it away (recorded in the audit log as the operator's).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Give or take the administrator's role.", subcommands: [Grant.self, Revoke.self])

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an account an administrator.")
        @OptionGroup var options: DataDirectoryOptions
        @Argument(help: "The account's username.") var username: String

        func run() async throws { try await AdminCommand.set(true, username: username, options: options) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take the administrator's role from an account.")
        @OptionGroup var options: DataDirectoryOptions
        @Argument(help: "The account's username.") var username: String

        func run() async throws { try await AdminCommand.set(false, username: username, options: options) }
    }

    static func set(_ admin: Bool, username: String, options: DataDirectoryOptions) async throws {
        let (directory, config) = try await options.resolved()
        do {
            let database = try CentralDatabase.open(config.database, directory: directory, logger: Logger(label: "admin"))
            guard let user = try database.users.credentials(username: username)?.user else {
                throw SupervisorApp.StartupError(description: "no account is named \"\(username)\"")
            }
            guard user.isAdmin != admin else {
                print("\(user.username) \(admin ? "is an administrator already" : "is not an administrator")")
                return
            }
            try database.users.setAdmin(admin, for: user.id)
            try database.audit.append(
                AuditRecord(
                    at: Date(), userID: user.id, actor: "operator (command line)", address: nil,
                    action: admin ? AuditAction.adminGranted : AuditAction.adminRevoked, detail: user.username))
            print("\(user.username) \(admin ? "is now an administrator" : "is no longer an administrator")")
        } catch {
            StreamWriter.standardError.write("supervisor: admin: \(error)\n")
            throw ExitCode(1)
        }
    }
}
