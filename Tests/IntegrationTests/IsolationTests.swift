import Common
import Foundation
import Testing

/// Isolation by the operating system (issue: operations). As root, each worker runs under a uid of
/// its own and the web under another: tried for real, as those uids, a worker cannot open another
/// user's database or `master.key`, and the web can open `central.sqlite` and the control socket
/// but neither `master.key` nor a user's folder. Without uids, file modes and a warning.
@Suite(.serialized, .timeLimit(.minutes(3))) struct IsolationTests {
    static let firstUID = 70_000

    /// The uid a running process has (the real one, from `/proc`).
    static func uid(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") })
        else { return nil }
        return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }
    }

    /// Runs `Tests/isolation/probe.py` as `uid`: for each (op, path) "ok" or the errno's name.
    static func probe(uid: Int, _ requests: [(String, String)]) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TestPaths.packageRoot + "/Tests/isolation/probe.py", String(uid), String(uid)]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let body = requests.map { ["op": $0.0, "path": $0.1] }
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: body))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let answers = try? JSONSerialization.jsonObject(with: data) as? [String] else {
            throw WebClient.Failure("probe: \(String(decoding: data, as: UTF8.self))")
        }
        return answers
    }

    static func owner(_ path: String) throws -> (uid: Int, gid: Int, mode: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.ownerAccountID] as! NSNumber).intValue, (attributes[.groupOwnerAccountID] as! NSNumber).intValue, attributes[.posixPermissions] as! Int)
    }

    /// A user with a simulator account and its key stored, through the web as a person would.
    static func trader(_ supervisor: SupervisorProcess, _ name: String) async throws -> UserID {
        let web = WebClient(port: supervisor.webPort)
        let user = try await web.signUp(name, AccountTests.password)
        try await web.logIn(name, AccountTests.password)
        let created = try await HTTP.post("http://127.0.0.1:\(supervisor.simPort)/sim/v1/accounts", json: #"{"balances":{"USDT":"1000"}}"#)
        let key = try #require(created.json?["apiKey"] as? String)
        let secret = try #require(created.json?["secretKey"] as? String)
        #expect(try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": key, "api_secret": secret]).status == 200)
        return user
    }

    @Test(.enabled(if: geteuid() == 0, "uids need root: `make test` runs as root in CI"))
    func eachWorkerAndTheWebRunUnderTheirOwnUidAndCannotReachOthersFiles() async throws {
        try await AccountTests.withSystem("isolation") { supervisor, _ in
            let directory = supervisor.directory
            let alice = try await Self.trader(supervisor, "alice")
            let bob = try await Self.trader(supervisor, "bob")
            let running = await waitUntil(.seconds(15)) {
                [alice, bob].allSatisfy { supervisor.child("worker", user: $0) != nil }
                    && [alice, bob].allSatisfy { FileManager.default.fileExists(atPath: directory.userDatabase($0)) }
            }
            #expect(running, "\(supervisor.output)")
            let aliceUID = Self.firstUID + 10 + Int(alice.rawValue)
            let bobUID = Self.firstUID + 10 + Int(bob.rawValue)
            let webUID = Self.firstUID

            // The processes, as the kernel sees them.
            #expect(Self.uid(of: supervisor.pid) == 0)
            #expect(supervisor.child("web").flatMap { Self.uid(of: $0.pid) } == webUID)
            #expect(supervisor.child("exchange-sim").flatMap { Self.uid(of: $0.pid) } == Self.firstUID + 1)
            #expect(supervisor.child("worker", user: alice).flatMap { Self.uid(of: $0.pid) } == aliceUID)
            #expect(supervisor.child("worker", user: bob).flatMap { Self.uid(of: $0.pid) } == bobUID)
            #expect(supervisor.output.contains("isolation.uids") && !supervisor.output.contains("isolation.off"))

            // The files: each user's folder its worker's, central.sqlite shared with the web's group only.
            let folder = try Self.owner(directory.userDir(alice))
            #expect(folder.uid == aliceUID && folder.gid == aliceUID && folder.mode == 0o700)
            #expect(try Self.owner(directory.userDatabase(alice)).uid == aliceUID)
            let central = try Self.owner(directory.centralDatabase)
            #expect(central.uid == 0 && central.gid == webUID && central.mode == 0o660)
            let key = try Self.owner(directory.masterKeyFile)
            #expect(key.uid == 0 && key.mode == 0o600)
            let socket = try Self.owner(directory.controlSocket)
            #expect(socket.gid == webUID && socket.mode == 0o660)

            // Tried for real, as alice's worker: her own database opens; bob's, master.key,
            // central.sqlite and the list of users do not.
            let asAlice = try Self.probe(uid: aliceUID, [
                ("sqlite", directory.userDatabase(alice)), ("sqlite", directory.userDatabase(bob)), ("read", directory.userDatabase(bob)),
                ("read", directory.masterKeyFile), ("sqlite", directory.centralDatabase), ("list", directory.usersDir),
                ("connect", directory.controlSocket),
            ])
            #expect(asAlice[0] == "ok", "alice's worker opens its own database: \(asAlice)")
            #expect(asAlice.dropFirst().allSatisfy { $0 != "ok" }, "\(asAlice)")
            #expect(asAlice[2] == "EACCES" && asAlice[3] == "EACCES", "\(asAlice)")
            let asBob = try Self.probe(uid: bobUID, [("read", directory.userDatabase(alice)), ("sqlite", directory.userDatabase(bob))])
            #expect(asBob == ["EACCES", "ok"], "\(asBob)")

            // As the web: central.sqlite and the control socket, nothing else.
            let asWeb = try Self.probe(uid: webUID, [
                ("sqlite", directory.centralDatabase), ("connect", directory.controlSocket),
                ("read", directory.masterKeyFile), ("list", directory.secretsDir), ("read", directory.userDatabase(alice)), ("list", directory.userDir(bob)),
            ])
            #expect(asWeb == ["ok", "ok", "EACCES", "EACCES", "EACCES", "EACCES"], "\(asWeb)")

            // And the product still works through those walls: the web reads what the workers report.
            let database = try CentralDatabase.open(directory)
            let balances = try await waitUntil(.seconds(10)) { try database.portfolios.portfolio(for: alice) != nil }
            #expect(balances)
        }
    }

    @Test func withoutUidsOnlyFileModesProtectAndTheSupervisorWarns() async throws {
        try await AccountTests.withSystem("isolation-off", environment: ["TRADER_ISOLATION_UIDS": "off"]) { supervisor, _ in
            let directory = supervisor.directory
            let alice = try await Self.trader(supervisor, "alice")
            let started = await waitUntil(.seconds(15)) { FileManager.default.fileExists(atPath: directory.userDatabase(alice)) }
            #expect(started)
            #expect(supervisor.output.contains("isolation.off") && supervisor.output.contains("uid isolation is off"), "\(supervisor.output)")
            let me = Int(geteuid())
            #expect(supervisor.child("web").flatMap { Self.uid(of: $0.pid) } == me)
            #expect(supervisor.child("worker", user: alice).flatMap { Self.uid(of: $0.pid) } == me)
            for (path, mode) in [
                (directory.centralDatabase, 0o600), (directory.controlSocket, 0o600), (directory.masterKeyFile, 0o600),
                (directory.userDir(alice), 0o700), (directory.userDatabase(alice), 0o600), (directory.secretsDir, 0o700),
                (directory.logsDir, 0o700), (directory.usersDir, 0o711),
            ] {
                #expect(try Self.owner(path).mode == mode, "\(path)")
            }
        }
    }
}
