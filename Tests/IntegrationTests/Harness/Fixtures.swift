import Common
import Foundation
import GRDB

/// Users and stored keys, written through `Common` as the accounts issue will (CONTRACT §2:
/// the web writes users; the supervisor stores keys).
enum Fixtures {
    /// Creates (or upgrades) the central database as the supervisor does at its start.
    static func prepare(_ directory: DataDirectory) throws -> CentralDatabase {
        try directory.prepare()
        return try CentralDatabase.migrate(directory)
    }

    @discardableResult
    static func addUser(_ database: CentralDatabase, _ name: String, key: (String, String)?, directory: DataDirectory) throws -> UserID {
        let user = try database.users.createUser(username: name, passwordHash: "$2b$12$notarealhashnotarealhashnotarealhashnotarealhas", at: Date())
        if let key { try storeKey(database, user: user, key: key, directory: directory) }
        return user
    }

    static func storeKey(_ database: CentralDatabase, user: UserID, key: (String, String), directory: DataDirectory) throws {
        SecretsSeen.record(key.1)
        let vault = ExchangeKeyVault(fernet: try MasterKey.loadOrCreate(path: directory.masterKeyFile), store: database.exchangeKeys)
        try vault.store(user: user, apiKey: key.0, apiSecret: key.1, canTrade: true, verifiedAt: Date())
    }

    /// A signed-in session for a user, written as the web writes it at login; returns the
    /// cookie's value.
    static func session(_ database: CentralDatabase, user: UserID, remember: Bool = false) throws -> String {
        try Sessions(store: database.sessions).open(user: user, remember: remember, userAgent: "tests").id
    }

    /// A folder of executables with the real `web` and `exchange-sim` and a scripted `worker`.
    static func binDir(worker script: String, in dir: String) throws -> String {
        let bin = dir + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for name in ["supervisor", "web", "exchange-sim"] {
            try FileManager.default.createSymbolicLink(atPath: bin + "/" + name, withDestinationPath: TestPaths.binDir + "/" + name)
        }
        try ("#!/bin/sh\n" + script).write(toFile: bin + "/worker", atomically: true, encoding: .utf8)
        chmod(bin + "/worker", 0o755)
        return bin
    }
}
