import Common
import Foundation
import GRDB
import Testing

/// `supervisor backup` while a bot trades, and `supervisor restore` with the supervisor stopped
/// (issue: operations): nothing recorded before the backup is lost, every copy passes the
/// integrity check, a running supervisor is never restored under, and the replaced files are
/// kept aside.
@Suite(.serialized, .timeLimit(.minutes(3))) struct BackupTests {
    /// Runs `supervisor <arguments>` to its end: its status and output.
    static func supervisor(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/supervisor")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func tradeIDs(_ path: String, user: UserID) throws -> Set<Int64> {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return Set(try queue.read { try Int64.fetchAll($0, sql: "SELECT trade_id FROM fills WHERE user_id = ?", arguments: [user.rawValue]) })
    }

    @Test func aBackupWhileTradingRestoresWithNothingLost() async throws {
        try await AccountTests.withSystem("backup") { supervisor, web in
            let (user, _) = try await TradingTests.user(supervisor, web)
            #expect(try await web.send(.PUT, "/api/v1/settings", json: TradingTests.settings(symbols: ["BTCUSDT", "ETHUSDT"])).status == 200)
            #expect(try await web.send(.POST, "/api/v1/bot/start").status == 202)
            let traded = try await waitUntilAsync(.seconds(60)) { try await TradingTests.items(web, "/api/v1/fills?limit=500").count >= 2 }
            try #require(traded)
            let directory = supervisor.directory

            // Online, while the bot trades and the supervisor writes.
            let recordedBefore = try Self.tradeIDs(directory.centralDatabase, user: user)
            let backup = try Self.supervisor(["backup", "--data-dir", directory.root])
            #expect(backup.status == 0, "\(backup.output)")
            let folder = try #require(backup.output.components(separatedBy: "backup made in ").last?.components(separatedBy: ":").first)
            let manifest = try Backups.verify(folder)
            #expect(manifest.files.map(\.path) == ["central.sqlite", "users/\(user.rawValue)/trader.sqlite"])
            let inBackup = try Self.tradeIDs(folder + "/central.sqlite", user: user)
            #expect(recordedBefore.isSubset(of: inBackup), "fills recorded before the backup: \(recordedBefore.sorted()), in it: \(inBackup.sorted())")
            let mode = (try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o700, "the backup holds encrypted keys and sessions: only the supervisor's user reads it")

            // Never under a running supervisor.
            let refused = try Self.supervisor(["restore", folder, "--data-dir", directory.root])
            #expect(refused.status != 0 && refused.output.contains("already running"), "\(refused.output)")

            // More trading, then stop and restore: the databases are the backup's again.
            _ = try await waitUntilAsync(.seconds(20)) { try Self.tradeIDs(directory.centralDatabase, user: user).count > inBackup.count }
            await supervisor.stop()
            let restored = try Self.supervisor(["restore", folder, "--data-dir", directory.root])
            #expect(restored.status == 0, "\(restored.output)")
            #expect(try Self.tradeIDs(directory.centralDatabase, user: user) == inBackup)
            try Backups.check(directory.centralDatabase)
            try Backups.check(directory.userDatabase(user))
            let aside = try FileManager.default.contentsOfDirectory(atPath: directory.root).filter { $0.hasPrefix("central.sqlite.before-restore-") }
            #expect(aside.contains { !$0.contains("-wal") && !$0.contains("-shm") }, "the replaced central.sqlite is kept: \(aside)")

            // A damaged backup is refused, naming the problem, and changes nothing.
            let broken = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/central.sqlite"))
            try broken.seek(toOffset: 4096)
            try broken.write(contentsOf: Data(repeating: 0x41, count: 64))
            try broken.close()
            let damaged = try Self.supervisor(["restore", folder, "--data-dir", directory.root])
            #expect(damaged.status != 0 && damaged.output.contains("does not match the manifest"), "\(damaged.output)")
            #expect(try Self.tradeIDs(directory.centralDatabase, user: user) == inBackup)
        }
    }
}
