import Common
import Foundation
import GRDB
import Synchronization
import Testing

@Suite struct StorageTests {
    @Test func theDataDirectoryHasTheContractModes() throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(root: temp.path + "/data")
        try dir.prepare()
        try dir.prepareUser(UserID(rawValue: 3))
        func mode(_ path: String) throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int }
        #expect(try mode(dir.root) == 0o755)
        #expect(try mode(dir.secretsDir) == 0o700)
        #expect(try mode(dir.backupsDir) == 0o700)
        #expect(try mode(dir.userDir(UserID(rawValue: 3))) == 0o700)
        let trader = try TraderDatabase.open(dir, user: UserID(rawValue: 3))
        try trader.setState("bot_state", "running")
        #expect(try mode(dir.userDatabase(UserID(rawValue: 3))) == 0o600)
        #expect(try trader.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try trader.pool.read { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") } == 1)
    }

    @Test func centralStoresWriteWhatTheyName() throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(root: temp.path)
        try dir.prepare()
        let db = try CentralDatabase.migrate(dir)
        let alice = try db.users.createUser(username: "alice", passwordHash: "$2b$12$x", at: Date())
        #expect(throws: UsernameTaken.self) { try db.users.createUser(username: "ALICE", passwordHash: "h", at: Date()) }
        let revision = try db.exchangeKeys.storeKey(
            StoredExchangeKey(userID: alice, apiKeyToken: "t1", apiSecretToken: "t2", maskedKey: "abcd…wxyz", canTrade: true, verifiedAt: Date()), at: Date()
        )
        #expect(try db.exchangeKeys.keyRevisions() == [alice: revision])
        let second = try db.exchangeKeys.storeKey(
            StoredExchangeKey(userID: alice, apiKeyToken: "t3", apiSecretToken: "t4", maskedKey: "abcd…wxyz", canTrade: true, verifiedAt: nil), at: Date()
        )
        #expect(second > revision)
        #expect(try db.exchangeKeys.key(for: alice)?.apiKeyToken == "t3")
        let command = try db.commands.record(user: alice, command: "start", payload: nil, at: Date())
        #expect(try db.commands.undelivered(user: alice).map(\.id) == [command])
        try db.commands.markAcknowledged(user: UserID(rawValue: alice.rawValue + 1), id: command, result: "forged", at: Date())
        #expect(try db.commands.command(id: command)?.result == nil)
        try db.commands.markDelivered(id: command, at: Date())
        try db.commands.markAcknowledged(user: alice, id: command, result: "ok", at: Date())
        #expect(try db.commands.command(id: command)?.result == "ok")
        #expect(try db.commands.undelivered(user: alice).isEmpty)
        #expect(try db.exchangeKeys.deleteKey(for: alice))
        #expect(try db.exchangeKeys.keyRevisions().isEmpty)
        #expect(db.isHealthy())
    }

    /// A new database file has its mode from the moment it exists, not from after its
    /// migrations: the migration below sees the file as it is while they run.
    @Test func aNewFileHasItsModeBeforeItsFirstMigration() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/new.sqlite"
        let seen = Mutex<mode_t?>(nil)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("probe") { _ in
            var info = stat()
            stat(path, &info)
            seen.withLock { $0 = info.st_mode & 0o777 }
        }
        _ = try DatabaseOpener.open(path: path, migrator: migrator, mode: .migrate(fileMode: 0o600))
        #expect(seen.withLock { $0 } == 0o600)
    }

    @Test func aForeignFileIsRefusedAndLeftUntouched() throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(root: temp.path)
        try dir.prepare()
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: dir.centralDatabase))
        #expect(throws: StorageError.notADatabase(dir.centralDatabase)) { try CentralDatabase.migrate(dir) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.centralDatabase)) == garbage)
    }

    @Test func aNewerSchemaIsRefusedAndLeftUntouched() throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(root: temp.path)
        try dir.prepare()
        do {
            let db = try CentralDatabase.migrate(dir)
            try #require(db.pool).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
            try #require(db.pool).close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.centralDatabase))
        do {
            _ = try CentralDatabase.migrate(dir)
            Issue.record("a newer database was accepted")
        } catch let error as StorageError {
            #expect(error.description.contains("newer version"))
            #expect(error.description.contains("v99"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.centralDatabase)) == before)
    }

    @Test func aDamagedPageIsRefused() throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(root: temp.path)
        try dir.prepare()
        do {
            let db = try CentralDatabase.migrate(dir)
            for index in 0..<200 {
                _ = try db.users.createUser(username: "user\(index)", passwordHash: String(repeating: "h", count: 200), at: Date())
            }
            try #require(db.pool).close()
        }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir.centralDatabase))
        let pageSize = 4096
        #expect(bytes.count > 6 * pageSize)
        for offset in (2 * pageSize)..<(5 * pageSize) { bytes[offset] = 0x5A }
        try bytes.write(to: URL(fileURLWithPath: dir.centralDatabase))
        #expect(throws: StorageError.self) { try CentralDatabase.migrate(dir) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.centralDatabase)) == bytes)
    }

    @Test func anUnmigratedFileIsNotOpenedByOtherProcesses() throws {
        let temp = try TemporaryDirectory()
        let dir = DataDirectory(root: temp.path)
        #expect(throws: StorageError.self) { try CentralDatabase.open(dir) }
    }

    @Test func logFilesRotateBySize() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/x.log"
        let file = try RotatingFile(path: path, maxBytes: 4096, keep: 2)
        for index in 0..<400 { file.write(line: "{\"n\":\(index),\"pad\":\"\(String(repeating: "p", count: 40))\"}") }
        let names = try FileManager.default.contentsOfDirectory(atPath: temp.path).sorted()
        #expect(names == ["x.log", "x.log.1", "x.log.2"])
        for name in names {
            let size = try FileManager.default.attributesOfItem(atPath: temp.path + "/" + name)[.size] as! Int
            #expect(size <= 4096)
        }
        let last = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last
        #expect(last?.contains("\"n\":399") == true)
    }

    @Test func aSecondLockOnTheSameDirectoryNamesTheHolder() throws {
        let temp = try TemporaryDirectory()
        let lock = try InstanceLock(path: temp.path + "/supervisor.lock")
        do {
            _ = try InstanceLock(path: temp.path + "/supervisor.lock")
            Issue.record("two locks")
        } catch let error as InstanceLock.HeldElsewhere {
            #expect(error.pid == String(getpid()))
            #expect(error.description.contains("already running"))
        }
        withExtendedLifetime(lock) {}
    }
}

/// Waiting for another process's write: short looks first, given up after the busy timeout.
@Suite struct BusyWaitTests {
    @Test func theWaitLooksOftenAtFirstAndEndsAtTheTimeout() {
        for tries in 0..<50 { #expect(DatabaseOpener.busyWait(tries)) }
        let last = 50 + Int((DatabaseOpener.busyTimeout - 0.005) * 1_000)
        #expect(DatabaseOpener.busyWait(last - 1))
        #expect(!DatabaseOpener.busyWait(last))
    }
}
