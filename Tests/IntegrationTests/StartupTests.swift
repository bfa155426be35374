import Common
import Foundation
import GRDB
import Testing

/// What the supervisor refuses before starting anything.
@Suite(.serialized, .timeLimit(.minutes(2))) struct StartupTests {
    static func digest(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func aCorruptCentralDatabaseIsRefusedAndLeftUntouched() async throws {
        let temp = try TestDataDir("corrupt")
        let directory = DataDirectory(root: temp.path + "/data")
        try directory.prepare()
        let garbage = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try garbage.write(to: URL(fileURLWithPath: directory.centralDatabase))
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "corrupt")
        try await supervisor.use { () async throws in
            let status = await supervisor.waitForExit(.seconds(10))
            #expect(status != nil && status != 0)
            #expect(supervisor.output.contains("central.sqlite is not an SQLite database"), "\(supervisor.output)")
            #expect(try Self.digest(directory.centralDatabase) == garbage)
            #expect(ProcessTable.mentioning(directory.root).isEmpty, "nothing was started")
        }
    }

    @Test func aNewerCentralDatabaseIsRefusedAndLeftUntouched() async throws {
        let temp = try TestDataDir("newer")
        let directory = DataDirectory(root: temp.path + "/data")
        do {
            let database = try Fixtures.prepare(directory)
            try await #require(database.pool).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v42')") }
            try #require(database.pool).close()
        }
        let before = try Self.digest(directory.centralDatabase)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "newer")
        try await supervisor.use { () async throws in
            let status = await supervisor.waitForExit(.seconds(10))
            #expect(status != nil && status != 0)
            #expect(supervisor.output.contains("newer version"), "\(supervisor.output)")
            #expect(supervisor.output.contains("v42"))
            #expect(try Self.digest(directory.centralDatabase) == before)
            #expect(!FileManager.default.fileExists(atPath: directory.centralDatabase + "-wal"))
            #expect(ProcessTable.mentioning(directory.root).isEmpty)
        }
    }

    @Test func aConfigurationErrorNamesTheFileAndKeyAndStartsNothing() async throws {
        let temp = try TestDataDir("config")
        let file = temp.path + "/trader.yaml"
        try "web:\n  port: eighty\n".write(toFile: file, atomically: true, encoding: .utf8)
        let dataDir = temp.path + "/data"
        let supervisor = try SupervisorProcess(dataDir: dataDir, name: "config", arguments: ["--config", file])
        let status = await supervisor.waitForExit(.seconds(10))
        #expect(status == 2)
        #expect(supervisor.output.contains(file) && supervisor.output.contains("web.port") && supervisor.output.contains("eighty"), "\(supervisor.output)")
        #expect(!FileManager.default.fileExists(atPath: dataDir), "nothing was created")
    }

    @Test func anEnvironmentOverrideErrorNamesTheVariable() async throws {
        let temp = try TestDataDir("envconfig")
        let supervisor = try SupervisorProcess(
            dataDir: temp.path + "/data", name: "envconfig", environment: ["TRADER_SUPERVISOR_HEARTBEAT_TIMEOUT_MS": "soon"]
        )
        let status = await supervisor.waitForExit(.seconds(10))
        #expect(status == 2)
        #expect(supervisor.output.contains("TRADER_SUPERVISOR_HEARTBEAT_TIMEOUT_MS"), "\(supervisor.output)")
    }
}
