import Common
import Foundation
import GRDB
import NIOHTTP1
import Testing

/// The exchange key: checked with the exchange by the supervisor, stored as Fernet tokens,
/// shown masked, replaced and deleted; the secret appears in no response and no log. And the
/// vault's interop with Python, and `supervisor rotate-master-key`.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ExchangeKeyTests {
    static let password = "correct horse battery"
    static let python = ProcessInfo.processInfo.environment["TRADER_TEST_PYTHON"]

    static func simAccount(_ supervisor: SupervisorProcess, _ body: [String: Any] = [:]) async throws -> (key: String, secret: String) {
        let data = try JSONSerialization.data(withJSONObject: body)
        let answer = try await HTTP.post("http://127.0.0.1:\(supervisor.simPort)/sim/v1/accounts", json: String(decoding: data, as: UTF8.self))
        let key = try #require(answer.json?["apiKey"] as? String)
        let secret = try #require(answer.json?["secretKey"] as? String)
        return (key, secret)
    }

    /// Every file under the data directory's logs, and the supervisor's own output.
    static func logs(_ supervisor: SupervisorProcess) -> [(String, String)] {
        var result = [("supervisor output", supervisor.output)]
        let root = supervisor.directory.logsDir
        for path in FileManager.default.subpaths(atPath: root) ?? [] {
            if let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) { result.append((path, text)) }
        }
        return result
    }

    @Test func aKeyIsCheckedStoredMaskedReplacedAndDeletedAndTheSecretLeaksNowhere() async throws {
        try await AccountTests.withSystem("keys") { supervisor, web in
            let alice = try await web.signUp("alice", Self.password)
            try await web.logIn("alice", Self.password)
            let database = try CentralDatabase.open(supervisor.directory)
            var secrets: [String] = []

            // Rejected by the exchange: 422 with the exchange's reason; nothing stored, no bot.
            let real = try await Self.simAccount(supervisor)
            secrets.append(real.secret)
            let wrongSecret = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": real.key, "api_secret": String(real.secret.reversed())])
            #expect(wrongSecret.status == 422 && wrongSecret.body.contains("Signature for this request is not valid"), "\(wrongSecret.body)")
            let unknownKey = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": String(repeating: "Z", count: 64), "api_secret": real.secret])
            #expect(unknownKey.status == 422 && unknownKey.body.contains("Invalid API-key"), "\(unknownKey.body)")
            let readOnly = try await Self.simAccount(supervisor, ["can_trade": false])
            secrets.append(readOnly.secret)
            let cannotTrade = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": readOnly.key, "api_secret": readOnly.secret])
            #expect(cannotTrade.status == 422 && cannotTrade.body.contains("may not trade"), "\(cannotTrade.body)")
            let malformed = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": "has space in it", "api_secret": "x"])
            #expect(malformed.status == 422)
            let missing = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": real.key])
            #expect(missing.status == 400 && missing.body.contains("api_secret"))
            #expect(try database.exchangeKeys.key(for: alice) == nil)
            #expect(try await web.get("/api/v1/exchange-key").status == 404)

            // Accepted: 200 with the masked key; stored as tokens bound to the user; the bot starts.
            let stored = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": " \(real.key)\n", "api_secret": real.secret])
            #expect(stored.status == 200, "\(stored.body)")
            let masked = "\(real.key.prefix(4))…\(real.key.suffix(4))"
            #expect(stored.json?["masked_key"] as? String == masked)
            #expect(stored.json?["can_trade"] as? Bool == true)
            let verifiedText = stored.json?["verified_at"] as? String
            let verified = try #require(verifiedText.flatMap { Timestamp.date($0) })
            #expect(abs(verified.timeIntervalSinceNow) < 30)
            let row = try #require(try database.exchangeKeys.key(for: alice))
            #expect(row.apiKeyToken.hasPrefix("gAAAAA") && row.apiSecretToken.hasPrefix("gAAAAA"))
            let started = await waitUntil(.seconds(10)) { supervisor.child("worker", user: alice) != nil }
            #expect(started, "the user's worker starts with the key")
            #expect(try await web.get("/api/v1/exchange-key").json?["masked_key"] as? String == masked)
            let settings = try await web.get("/settings")
            #expect(settings.body.contains(masked) && settings.body.contains("verified with the exchange"))
            let running = try await waitUntil(.seconds(10)) {
                try database.processes.status(process: ProcessStatus.workerName(alice))?.lastHeartbeatAt != nil
            }
            #expect(running)
            #expect(try await waitUntilAsync(.seconds(5)) { try await web.get("/").body.contains("Bot: <strong>") })

            // Replaced through the settings form (a simulator account in one click): the worker
            // restarts with the new key.
            let firstWorker = try #require(supervisor.child("worker", user: alice)).pid
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: settings.body))
            let replaced = try await web.send(.POST, "/settings/sim-account", form: ["csrf_token": csrf])
            #expect(replaced.status == 303 && replaced.headers.first(name: "Location") == "/settings?done=sim_account", "\(replaced.body)")
            let newMasked = try #require(try database.exchangeKeys.key(for: alice)).maskedKey
            #expect(newMasked != masked)
            let restarted = await waitUntil(.seconds(10)) { (supervisor.child("worker", user: alice)?.pid).map { $0 != firstWorker } ?? false }
            #expect(restarted)
            #expect(try await web.get("/settings?done=sim_account").body.contains(newMasked))

            // Deleted: 204, the tokens are erased and the worker stops.
            let deleted = try await web.send(.DELETE, "/api/v1/exchange-key")
            #expect(deleted.status == 204)
            #expect(try database.exchangeKeys.key(for: alice) == nil)
            let stopped = await waitUntil(.seconds(10)) { supervisor.child("worker", user: alice) == nil }
            #expect(stopped)
            #expect(try await web.get("/api/v1/exchange-key").status == 404)
            #expect(try await web.get("/").body.contains("no API key"))

            // The supervisor down: the web says so, with a 503, and keeps nothing half-done.
            // (Checked last: it stops the control socket.)
            let raw = try Data(contentsOf: URL(fileURLWithPath: supervisor.directory.centralDatabase))
            for secret in secrets {
                #expect(raw.range(of: Data(secret.utf8)) == nil, "a secret in central.sqlite in plain text")
                for body in web.bodies { #expect(!body.contains(secret), "a secret in a response") }
                for (name, text) in Self.logs(supervisor) { #expect(!text.contains(secret), "a secret in \(name)") }
            }
        }
    }

    @Test func withoutTheSupervisorTheKeyCallsSayItIsUnavailable() async throws {
        try await AccountTests.withSystem("nosupervisor") { supervisor, web in
            try await web.signUp("dave", Self.password)
            try await web.logIn("dave", Self.password)
            // The control socket gone (as when the supervisor is restarting): 503, not a 500.
            unlink(supervisor.directory.controlSocket)
            let answer = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": "abcdefghijkl", "api_secret": "mnopqrstuvwx"])
            #expect(answer.status == 503 && answer.body.contains("supervisor_unavailable"), "\(answer.body)")
        }
    }

    // MARK: - Python interop

    static func runPython(_ request: [String: Any]) throws -> [String: Any] {
        let data = try PythonScript.run("vault_interop.py", input: try JSONSerialization.data(withJSONObject: request))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw WebClient.Failure("python: not a JSON object") }
        return object
    }

    @Test(.enabled(if: python != nil, "run through `make test`, which installs cryptography and bcrypt"))
    func fernetTokensAndBcryptHashesInteroperateWithPython() async throws {
        try await AccountTests.withSystem("interop") { supervisor, web in
            // A key stored by the supervisor decrypts in Python with master.key.
            let alice = try await web.signUp("alice", Self.password)
            try await web.logIn("alice", Self.password)
            let account = try await Self.simAccount(supervisor)
            #expect(try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": account.key, "api_secret": account.secret]).status == 200)
            let masterKey = try String(contentsOfFile: supervisor.directory.masterKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let database = try CentralDatabase.open(supervisor.directory)
            let row = try #require(try database.exchangeKeys.key(for: alice))
            #expect(try Self.runPython(["op": "fernet_decrypt", "key": masterKey, "token": row.apiSecretToken])["plaintext"] as? String == account.secret)
            #expect(try Self.runPython(["op": "fernet_decrypt", "key": masterKey, "token": row.apiKeyToken])["plaintext"] as? String == account.key)

            // A token Python made decrypts here.
            let token = try #require(try Self.runPython(["op": "fernet_encrypt", "key": masterKey, "plaintext": "made in python ✓"])["token"] as? String)
            #expect(try Fernet(key: masterKey).decryptString(token) == "made in python ✓")

            // The password hash the web stored passes Python's bcrypt.checkpw.
            let hash = try #require(try database.users.passwordHash(alice))
            #expect(try Self.runPython(["op": "bcrypt_check", "password": Self.password, "hash": hash])["ok"] as? Bool == true)
            #expect(try Self.runPython(["op": "bcrypt_check", "password": Self.password + "x", "hash": hash])["ok"] as? Bool == false)

            // A hash Python made lets its user log in here.
            let pythonHash = try #require(try Self.runPython(["op": "bcrypt_hash", "password": "python made this one"])["hash"] as? String)
            #expect(pythonHash.hasPrefix("$2b$12$"))
            // The web writes sessions meanwhile: wait for its lock like every connection of ours.
            let pool = try DatabasePool(path: supervisor.directory.centralDatabase, configuration: DatabaseOpener.configuration())
            try await pool.write { db in
                try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [pythonHash, alice.rawValue])
            }
            #expect(try await WebClient(port: supervisor.webPort).logIn("alice", "python made this one").status == 200)
        }
    }

    // MARK: - rotate-master-key

    static func rotate(_ directory: DataDirectory, pauseAt: String? = nil) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/supervisor")
        process.arguments = ["rotate-master-key", "--data-dir", directory.root]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }
        if let pauseAt { env["TRADER_TEST_ROTATION_PAUSE_AT"] = pauseAt }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, output)
    }

    static func finish(_ run: (Process, Pipe)) -> (Int32, String) {
        let text = String(decoding: run.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.0.waitUntilExit()
        return (run.0.terminationStatus, text)
    }

    @Test func rotateMasterKeySurvivesAKillAtEveryStepAndTheBotsKeepTheirKeys() async throws {
        let temp = try TestDataDir("rotate")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let keys = [("rotate-key-alice-0000001", "rotate-secret-alice-1"), ("rotate-key-bob-000000002", "rotate-secret-bob-22")]
        let users = try keys.enumerated().map { try Fixtures.addUser(database, "user\($0.offset)", key: $0.element, directory: directory) }
        func expectIntact(_ label: String) throws {
            let vault = ExchangeKeyVault(fernet: try MasterKey.load(path: directory.masterKeyFile), store: database.exchangeKeys)
            for (user, key) in zip(users, keys) {
                let credentials = try vault.credentials(for: user)
                #expect(credentials?.apiKey == key.0 && credentials?.apiSecret == key.1, "\(label)")
            }
        }

        // Killed (-9) at every step: the next run finishes or undoes it; nothing is lost.
        for step in ["new_key_written", "tokens_committed", "old_key_copied", "key_replaced"] {
            let run = try Self.rotate(directory, pauseAt: step)
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = run.1.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            #expect(String(decoding: line, as: UTF8.self).contains("paused at \(step)"))
            kill(run.0.processIdentifier, SIGKILL)
            run.0.waitUntilExit()
            let (status, text) = Self.finish(try Self.rotate(directory))
            #expect(status == 0, "\(step): \(text)")
            try expectIntact(step)
        }

        // While a supervisor runs, rotation is refused, naming it; the supervisor decrypts
        // the rotated tokens and starts both workers.
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "rotate")
        try await supervisor.use { () async throws in
            let up = await waitUntil(.seconds(15)) { users.allSatisfy { supervisor.child("worker", user: $0) != nil } }
            #expect(up, "\(supervisor.output)")
            let (status, text) = Self.finish(try Self.rotate(directory))
            #expect(status == 1 && text.contains("another supervisor"), "\(text)")
            let beating = try await waitUntil(.seconds(10)) {
                let statuses = try database.processes.all()
                return users.allSatisfy { user in statuses.contains { $0.userID == user && $0.lastHeartbeatAt != nil } }
            }
            #expect(beating)
        }

        // A wrong master key: rotation and start are refused, the tokens untouched.
        let tokens = try database.exchangeKeys.allTokens()
        let right = try String(contentsOfFile: directory.masterKeyFile, encoding: .utf8)
        unlink(directory.masterKeyFile)
        try (Fernet.generateKey() + "\n").write(toFile: directory.masterKeyFile, atomically: true, encoding: .utf8)
        let (wrongStatus, wrongText) = Self.finish(try Self.rotate(directory))
        #expect(wrongStatus == 1 && wrongText.contains("not the key they were made with"), "\(wrongText)")
        let refused = try SupervisorProcess(dataDir: directory.root, name: "rotate-wrong")
        let refusedStatus = await refused.waitForExit(.seconds(10))
        #expect(refusedStatus == 1 && refused.output.contains("not the key they were made with"), "\(refused.output)")
        await refused.stop()
        // No key at all: the supervisor does not make a new one over the stored tokens.
        unlink(directory.masterKeyFile)
        let missing = try SupervisorProcess(dataDir: directory.root, name: "rotate-missing")
        let missingStatus = await missing.waitForExit(.seconds(10))
        #expect(missingStatus == 1 && missing.output.contains("is missing but 4 stored"), "\(missing.output)")
        await missing.stop()
        #expect(!FileManager.default.fileExists(atPath: directory.masterKeyFile))
        #expect(try database.exchangeKeys.allTokens() == tokens)
        try right.write(toFile: directory.masterKeyFile, atomically: true, encoding: .utf8)
        try expectIntact("restored")
    }
}
