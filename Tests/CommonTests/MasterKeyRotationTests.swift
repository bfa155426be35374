import Common
import Foundation
import Testing

/// `supervisor rotate-master-key`'s core: every token re-encrypted in one transaction, the old
/// key kept until the new one is in place, and a crash at any step losing nothing.
@Suite struct MasterKeyRotationTests {
    struct Interrupted: Error {}

    static let keys = [("key-aaaa-0001", "secret-aaaa-0001"), ("key-bbbb-0002", "secret-bbbb-0002"), ("key-cccc-0003", "secret-cccc-0003")]

    func setUp() throws -> (DataDirectory, CentralDatabase, [UserID], TemporaryDirectory) {
        let temp = try TemporaryDirectory()
        let directory = DataDirectory(root: temp.path + "/data")
        try directory.prepare()
        let database = try CentralDatabase.migrate(directory)
        let fernet = try MasterKeyVault.open(keyFile: directory.masterKeyFile, store: database.exchangeKeys).fernet
        let vault = ExchangeKeyVault(fernet: fernet, store: database.exchangeKeys)
        var users: [UserID] = []
        for (index, key) in Self.keys.enumerated() {
            let user = try database.users.createUser(username: "user\(index)", passwordHash: "$2b$12$x", at: Date())
            try vault.store(user: user, apiKey: key.0, apiSecret: key.1, canTrade: true, verifiedAt: nil)
            users.append(user)
        }
        return (directory, database, users, temp)
    }

    func expectReadable(_ directory: DataDirectory, _ database: CentralDatabase, _ users: [UserID]) throws {
        let fernet = try MasterKey.load(path: directory.masterKeyFile)
        let vault = ExchangeKeyVault(fernet: fernet, store: database.exchangeKeys)
        for (user, key) in zip(users, Self.keys) {
            let credentials = try #require(try vault.credentials(for: user))
            #expect(credentials.apiKey == key.0 && credentials.apiSecret == key.1)
        }
        #expect(!FileManager.default.fileExists(atPath: MasterKeyVault.newKeyPath(directory.masterKeyFile)))
        #expect(!FileManager.default.fileExists(atPath: MasterKeyVault.oldKeyPath(directory.masterKeyFile)))
    }

    @Test func rotationReencryptsEveryTokenWithANewKey() throws {
        let (directory, database, users, _temp) = try setUp()
        let oldKey = try String(contentsOfFile: directory.masterKeyFile, encoding: .utf8)
        let oldTokens = try database.exchangeKeys.allTokens()
        #expect(try MasterKeyVault.rotate(keyFile: directory.masterKeyFile, store: database.exchangeKeys) == 3)
        #expect(try String(contentsOfFile: directory.masterKeyFile, encoding: .utf8) != oldKey)
        let newTokens = try database.exchangeKeys.allTokens()
        #expect(Set(newTokens).isDisjoint(with: oldTokens))
        let old = try Fernet(key: oldKey)
        #expect(newTokens.allSatisfy { (try? old.decrypt($0)) == nil }, "the old key opens nothing any more")
        #expect(try FileManager.default.attributesOfItem(atPath: directory.masterKeyFile)[.posixPermissions] as? Int == 0o600)
        try expectReadable(directory, database, users)
        withExtendedLifetime(_temp) {}
    }

    @Test(arguments: [MasterKeyVault.Step.newKeyWritten, .tokensCommitted, .oldKeyCopied, .keyReplaced])
    func aCrashAtAnyStepLosesNothing(step: MasterKeyVault.Step) throws {
        let (directory, database, users, _temp) = try setUp()
        #expect(throws: (any Error).self) {
            try MasterKeyVault.rotate(keyFile: directory.masterKeyFile, store: database.exchangeKeys) { at in
                if at == step { throw Interrupted() }
            }
        }
        // The next start (or the next rotation) finishes or undoes it.
        _ = try MasterKeyVault.open(keyFile: directory.masterKeyFile, store: database.exchangeKeys)
        try expectReadable(directory, database, users)
        // And a rotation after the recovery works.
        try MasterKeyVault.rotate(keyFile: directory.masterKeyFile, store: database.exchangeKeys)
        try expectReadable(directory, database, users)
        withExtendedLifetime(_temp) {}
    }

    @Test func aWrongOrMissingKeyIsRefusedAndNoTokenIsTouched() throws {
        let (directory, database, _, _temp) = try setUp()
        let tokens = try database.exchangeKeys.allTokens()
        let original = try String(contentsOfFile: directory.masterKeyFile, encoding: .utf8)
        // A different key in the file.
        unlink(directory.masterKeyFile)
        try (Fernet.generateKey() + "\n").write(toFile: directory.masterKeyFile, atomically: true, encoding: .utf8)
        #expect {
            try MasterKeyVault.rotate(keyFile: directory.masterKeyFile, store: database.exchangeKeys)
        } throws: { "\($0)".contains("does not decrypt 6 of the 6") }
        #expect {
            try MasterKeyVault.open(keyFile: directory.masterKeyFile, store: database.exchangeKeys)
        } throws: { "\($0)".contains("not the key they were made with") }
        #expect(try database.exchangeKeys.allTokens() == tokens)
        // No key at all: not silently replaced by a new one.
        unlink(directory.masterKeyFile)
        #expect {
            try MasterKeyVault.open(keyFile: directory.masterKeyFile, store: database.exchangeKeys)
        } throws: { "\($0)".contains("is missing but 6 stored") }
        #expect(!FileManager.default.fileExists(atPath: directory.masterKeyFile))
        #expect(try database.exchangeKeys.allTokens() == tokens)
        // The right key back: everything opens.
        try original.write(toFile: directory.masterKeyFile, atomically: true, encoding: .utf8)
        #expect(try MasterKeyVault.open(keyFile: directory.masterKeyFile, store: database.exchangeKeys).undecryptable == 0)
        withExtendedLifetime(_temp) {}
    }
}
