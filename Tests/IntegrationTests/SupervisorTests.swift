import Common
import Foundation
import GRDB
import Testing

/// The real supervisor, web, simulator and workers, on random ports in temporary data
/// directories (issue: foundation).
@Suite(.serialized, .timeLimit(.minutes(2))) struct SupervisorTests {
    static let keyA = ("test-key-alice-0123456789abcdef", "test-secret-alice-5f2b9c1e7d3a")
    static let keyB = ("test-key-bob-0123456789abcdef", "test-secret-bob-8e4d2a6c0b1f")

    @Test func theProcessTreeAppearsAndStopsCleanlyOnSIGTERM() async throws {
        let temp = try TestDataDir("tree")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let bob = try Fixtures.addUser(database, "bob", key: Self.keyB, directory: directory)
        let carol = try Fixtures.addUser(database, "carol", key: nil, directory: directory)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "tree")
        try await supervisor.use { () async throws in

            let complete = await waitUntil(.seconds(15)) {
                supervisor.child("web") != nil && supervisor.child("exchange-sim") != nil
                    && supervisor.child("worker", user: alice) != nil && supervisor.child("worker", user: bob) != nil
            }
            #expect(complete, "children: \(supervisor.children().map(\.arguments))\n\(supervisor.output)")
            #expect(supervisor.child("worker", user: carol) == nil)
            #expect(supervisor.children().count == 4)

            // Heartbeats reach central.sqlite, tagged with each worker's user.
            let heartbeats = try await waitUntil(.seconds(10)) {
                let statuses = try database.processes.all()
                return [alice, bob].allSatisfy { user in statuses.contains { $0.userID == user && $0.lastHeartbeatAt != nil && $0.state == .running } }
            }
            #expect(heartbeats)
            let web = try await HTTP.get("http://127.0.0.1:\(supervisor.webPort)/healthz")
            #expect(web.status == 200)
            // The status page shows the system's processes and the reader's own bot, never others'.
            let session = try Fixtures.session(database, user: carol)
            let page = try await HTTP.execute(.init(url: "http://127.0.0.1:\(supervisor.webPort)/status", method: .GET, headers: [("Cookie", "ctp_session=\(session)")]))
            #expect(page.body.contains("<td>web</td>") && page.body.contains("<td>exchange-sim</td>"), "\(page.status) \(page.body)")
            #expect(!page.body.contains("worker-") && !page.body.contains("your bot"), "carol has no bot and sees no one else's")
            let aliceSession = try Fixtures.session(database, user: alice)
            let alicePage = try await HTTP.execute(.init(url: "http://127.0.0.1:\(supervisor.webPort)/status", method: .GET, headers: [("Cookie", "ctp_session=\(aliceSession)")]))
            #expect(alicePage.body.components(separatedBy: "<td>your bot</td>").count == 2, "alice sees her bot, once")
            let metrics = try await HTTP.get("http://127.0.0.1:\(supervisor.webPort)/metrics")
            #expect(metrics.body.contains("trader_workers{state=\"running\"} 2"), "\(metrics.body)")
            let sim = try await HTTP.get("http://127.0.0.1:\(supervisor.simPort)/api/v3/ping")
            #expect(sim.status == 200)

            // The data directory as CONTRACT §3 states it.
            func mode(_ path: String) throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int }
            #expect(try mode(directory.userDir(alice)) == 0o700)
            #expect(try mode(directory.userDatabase(alice)) == 0o600)
            #expect(try mode(directory.masterKeyFile) == 0o600)
            // The web's group may connect when the web has a uid of its own (root; IsolationTests).
            #expect(try mode(directory.controlSocket) == (geteuid() == 0 ? 0o660 : 0o600))
            #expect(FileManager.default.fileExists(atPath: directory.userLog(alice)))

            // SIGTERM: every child stops, the supervisor exits 0 within 10 s.
            let children = supervisor.children().map(\.pid)
            let started = ContinuousClock.now
            supervisor.signal(SIGTERM)
            let status = await supervisor.waitForExit(.seconds(12))
            #expect(status == 0, "\(supervisor.output)")
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(children.allSatisfy { !ProcessTable.isAlive($0) })
            #expect(try database.processes.all().allSatisfy { $0.state == .stopped && $0.pid == nil })
            // Stopped gracefully, not killed.
            #expect(
                try database.processes.all().allSatisfy { $0.lastExitStatus == "exit 0" },
                "\(String(describing: try? database.processes.all().map { "\($0.process): \($0.lastExitStatus ?? "nil")" }))")

            // Every log line is JSON, and no secret is in any log.
            let logs = try FileManager.default.subpathsOfDirectory(atPath: directory.logsDir).filter { $0.hasSuffix(".log") }
            #expect(logs.contains("supervisor.log") && logs.contains("web.log") && logs.contains("users/\(alice).log"))
            for log in logs {
                let text = try String(contentsOfFile: directory.logsDir + "/" + log, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(log): \(line)")
                }
                #expect(!text.contains(Self.keyA.1) && !text.contains(Self.keyB.1) && !text.contains(Self.keyA.0))
            }
        }
    }

    @Test func aKilledWorkerComesBackWithANewPidAndFreshHeartbeats() async throws {
        let temp = try TestDataDir("kill9")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "kill9")
        try await supervisor.use { () async throws in

            let running = try await waitUntil(.seconds(15)) { try database.processes.status(process: "worker/\(alice)")?.lastHeartbeatAt != nil }
            try #require(running, "\(supervisor.output)")
            let first = try #require(supervisor.child("worker", user: alice))
            let killedAt = Date()
            kill(first.pid, SIGKILL)
            let back = try await waitUntil(.seconds(5)) {
                guard let status = try database.processes.status(process: "worker/\(alice)"), let pid = status.pid, pid != first.pid,
                    let beat = status.lastHeartbeatAt
                else { return false }
                return beat > killedAt
            }
            #expect(back, "\(supervisor.output)")
            let status = try #require(try database.processes.status(process: "worker/\(alice)"))
            #expect(status.restarts == 1)
            #expect(status.lastExitStatus?.contains("signal 9") == true)
            #expect(supervisor.child("worker", user: alice)?.pid == status.pid)
        }
    }

    @Test func aStoppedWorkerIsReplacedAfterTheHeartbeatLimit() async throws {
        let temp = try TestDataDir("sigstop")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "sigstop")
        try await supervisor.use { () async throws in

            let running = try await waitUntil(.seconds(15)) { try database.processes.status(process: "worker/\(alice)")?.lastHeartbeatAt != nil }
            try #require(running)
            let frozen = try #require(supervisor.child("worker", user: alice))
            kill(frozen.pid, SIGSTOP)
            let stoppedAt = ContinuousClock.now
            // Not before the limit (3 s in these tests)...
            try await Task.sleep(for: .seconds(2))
            #expect(ProcessTable.isAlive(frozen.pid))
            #expect(supervisor.child("worker", user: alice)?.pid == frozen.pid)
            // ...and soon after it.
            let replaced = await waitUntil(.seconds(6)) {
                guard let current = supervisor.child("worker", user: alice) else { return false }
                return current.pid != frozen.pid && !ProcessTable.isAlive(frozen.pid)
            }
            #expect(replaced, "\(supervisor.output)")
            #expect(ContinuousClock.now - stoppedAt < .seconds(3 + 5))
            let recorded = try await waitUntil(.seconds(2)) {
                try database.processes.status(process: "worker/\(alice)")?.lastExitStatus?.contains("no heartbeat") == true
            }
            #expect(recorded, "\(String(describing: try? database.processes.status(process: "worker/\(alice)")))")
        }
    }

    @Test func aCrashLoopingWorkerBacksOffAndIsReported() async throws {
        let temp = try TestDataDir("crashloop")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let bin = try Fixtures.binDir(worker: "echo 'failing on purpose' >&2\nexit 3\n", in: temp.path)
        let supervisor = try SupervisorProcess(
            dataDir: directory.root, name: "crashloop",
            environment: [
                "TRADER_SUPERVISOR_RESTART_BACKOFF_INITIAL_MS": "100", "TRADER_SUPERVISOR_RESTART_BACKOFF_MAX_MS": "1500",
                "TRADER_SUPERVISOR_CRASH_LOOP_RESTARTS": "4", "TRADER_SUPERVISOR_CRASH_LOOP_WINDOW_MS": "30000",
            ],
            binDir: bin
        )
        try await supervisor.use { () async throws in

            let looping = try await waitUntil(.seconds(10)) { try database.processes.status(process: "worker/\(alice)")?.state == .crashLoop }
            #expect(looping, "\(supervisor.output)")
            let reported = try #require(try database.processes.status(process: "worker/\(alice)"))
            #expect(reported.crashLoop)
            #expect(reported.message?.contains("crash loop") == true)
            #expect(reported.lastExitStatus == "exit 3")
            #expect(reported.nextRestartAt != nil)
            // In a crash loop it is retried only at the capped delay (1.5 s here), not at full speed.
            let before = reported.restarts
            try await Task.sleep(for: .seconds(4))
            let after = try #require(try database.processes.status(process: "worker/\(alice)")).restarts
            #expect(after - before >= 1 && after - before <= 3, "restarts went from \(before) to \(after)")
            // The worker's stderr went to its user's log, as JSON.
            let log = try String(contentsOfFile: directory.userLog(alice), encoding: .utf8)
            #expect(log.contains("failing on purpose"))
        }
    }

    @Test func killingTheSupervisorLeavesNoWorkerBehind() async throws {
        let temp = try TestDataDir("orphans")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "orphans")
        try await supervisor.use { () async throws in
            let complete = await waitUntil(.seconds(15)) {
                supervisor.child("worker", user: alice) != nil && supervisor.child("web") != nil && supervisor.child("exchange-sim") != nil
            }
            try #require(complete)
            let children = supervisor.children()
            supervisor.signal(SIGKILL)
            // The death signal, or end of stdin and at most 2 s of graceful shutdown.
            let gone = await waitUntil(.seconds(8)) { children.allSatisfy { !ProcessTable.isAlive($0.pid) } }
            #expect(gone, "still alive: \(children.filter { ProcessTable.isAlive($0.pid) }.map { "\($0.program) \($0.pid)" })")
        }
    }

    @Test func aSecondSupervisorOnTheSameDirectoryRefusesToStart() async throws {
        let temp = try TestDataDir("twice")
        let directory = DataDirectory(root: temp.path + "/data")
        _ = try Fixtures.prepare(directory)
        let first = try SupervisorProcess(dataDir: directory.root, name: "twice-1")
        try await first.use { () async throws in
            let up = await waitUntil(.seconds(15)) { first.child("web") != nil }
            try #require(up)
            let second = try SupervisorProcess(dataDir: directory.root, name: "twice-2")
            let status = await second.waitForExit(.seconds(10))
            #expect(status != nil && status != 0)
            #expect(second.output.contains("already running"), "\(second.output)")
            #expect(second.output.contains("pid \(first.pid)"), "\(second.output)")
            #expect(first.process.isRunning)
            #expect(first.child("web") != nil)
        }
    }

    @Test func keysAddedAndRemovedWhileRunningStartAndStopWorkersWithinTwoSeconds() async throws {
        let temp = try TestDataDir("keys")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: nil, directory: directory)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "keys")
        try await supervisor.use { () async throws in
            let webUp = await waitUntil(.seconds(15)) { supervisor.child("web") != nil }
            try #require(webUp)
            #expect(supervisor.child("worker") == nil)

            try Fixtures.storeKey(database, user: alice, key: Self.keyA, directory: directory)
            let added = ContinuousClock.now
            let started = await waitUntil(.seconds(4)) { supervisor.child("worker", user: alice) != nil }
            #expect(started)
            #expect(ContinuousClock.now - added < .seconds(2) + .milliseconds(800), "margin for a shared machine")
            let worker = try #require(supervisor.child("worker", user: alice))

            // The control socket deletes the key; the worker stops.
            let deleted = try await HTTP.control(directory.controlSocket, .DELETE, "/v1/users/\(alice)/exchange-key")
            #expect(deleted.status == 204)
            let removed = ContinuousClock.now
            let stopped = await waitUntil(.seconds(4)) { !ProcessTable.isAlive(worker.pid) && supervisor.child("worker") == nil }
            #expect(stopped)
            #expect(ContinuousClock.now - removed < .seconds(2) + .milliseconds(800))
            let status = try await waitUntil(.seconds(2)) { try database.processes.status(process: "worker/\(alice)")?.state == .stopped }
            #expect(status)
            #expect(try database.processes.status(process: "worker/\(alice)")?.message == "no API key")
        }
    }

    @Test func commandsReachTheWorkerAndAnEmergencyStopHoldsAcrossRestarts() async throws {
        let temp = try TestDataDir("commands")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let bob = try Fixtures.addUser(database, "bob", key: nil, directory: directory)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "commands")
        try await supervisor.use { () async throws in
            let ready = try await waitUntil(.seconds(15)) { try database.processes.status(process: "worker/\(alice)")?.reportedState == "stopped" }
            try #require(ready)

            let start = try await HTTP.control(directory.controlSocket, .POST, "/v1/users/\(alice)/commands", json: #"{"command":"start"}"#)
            #expect(start.status == 202, "\(start.body)")
            let startID = try #require(start.json?["command_id"] as? Int)
            let ran = try await waitUntil(.seconds(2)) {
                try database.commands.command(id: Int64(startID))?.result == "ok"
                    && database.processes.status(process: "worker/\(alice)")?.reportedState == "running"
            }
            #expect(ran, "acted on within a second (2 s with margin)")

            let stop = try await HTTP.control(directory.controlSocket, .POST, "/v1/users/\(alice)/commands", json: #"{"command":"emergency_stop"}"#)
            #expect(stop.status == 202)
            let halted = try await waitUntil(.seconds(2)) { try database.processes.status(process: "worker/\(alice)")?.reportedState == "emergency_stopped" }
            try #require(halted)
            let worker = try #require(supervisor.child("worker", user: alice))
            kill(worker.pid, SIGKILL)
            let restarted = try await waitUntil(.seconds(6)) {
                guard let status = try database.processes.status(process: "worker/\(alice)") else { return false }
                return status.pid != worker.pid && status.restarts >= 1 && status.state == .running
            }
            #expect(restarted)
            #expect(try database.processes.status(process: "worker/\(alice)")?.reportedState == "emergency_stopped")

            // Bad requests are refused with a reason; a user without a key has no bot.
            let unknown = try await HTTP.control(directory.controlSocket, .POST, "/v1/users/\(alice)/commands", json: #"{"command":"self_destruct"}"#)
            #expect(unknown.status == 400)
            let garbage = try await HTTP.control(directory.controlSocket, .POST, "/v1/users/\(alice)/commands", json: "{nope")
            #expect(garbage.status == 400)
            let noKey = try await HTTP.control(directory.controlSocket, .POST, "/v1/users/\(bob)/commands", json: #"{"command":"start"}"#)
            #expect(noKey.status == 409)
            let nobody = try await HTTP.control(directory.controlSocket, .POST, "/v1/users/424242/commands", json: #"{"command":"start"}"#)
            #expect(nobody.status == 404)
            #expect(supervisor.process.isRunning)
        }
    }

    @Test func aWorkerCannotMakeTheSupervisorWriteRowsForAnotherUser() async throws {
        let temp = try TestDataDir("forge")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let bob = try Fixtures.addUser(database, "bob", key: Self.keyB, directory: directory)
        // A command for each, so that each forger can try to acknowledge the other's.
        var commands: [UserID: Int64] = [:]
        for user in [alice, bob] { commands[user] = try database.commands.record(user: user, command: "start", payload: nil, at: Date()) }
        // Every worker claims to be user 999999 and someone else, and acks every command id.
        let script = """
            read -r credentials
            me="$1"
            echo '{"type":"heartbeat","state":"running","user_id":999999}'
            echo '{"type":"event","level":"error","kind":"forged","message":"from '"$me"'","user_id":999999}'
            for id in 1 2 3 4 5 6 7 8; do
              echo '{"type":"ack","command_id":'"$id"',"result":"ack-by-'"$me"'","user_id":999999}'
            done
            while true; do echo '{"type":"heartbeat","state":"running","user_id":999999}'; sleep 0.3; done
            """
        let bin = try Fixtures.binDir(worker: script, in: temp.path)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "forge", binDir: bin)
        try await supervisor.use { () async throws in

            let reported = try await waitUntil(.seconds(15)) {
                try [alice, bob].allSatisfy { try database.workerEvents.events(for: $0, limit: 10).count >= 1 }
                    && [alice, bob].allSatisfy { try database.commands.command(id: commands[$0]!)?.result != nil }
            }
            #expect(reported, "\(supervisor.output)")
            for user in [alice, bob] {
                for event in try database.workerEvents.events(for: user, limit: 100) {
                    #expect(event.message == "from \(user)", "a row for \(user) written from another worker: \(event.message)")
                }
                #expect(try database.commands.command(id: commands[user]!)?.result == "ack-by-\(user)")
            }
            let rows = try await #require(database.pool).read { try Int64.fetchAll($0, sql: "SELECT DISTINCT user_id FROM worker_events") }
            #expect(Set(rows) == [alice.rawValue, bob.rawValue])
            #expect(try database.processes.status(process: "worker/999999") == nil)
        }
    }

    @Test func workersAreToldTheirShareOfTheHostsRequestWeight() async throws {
        let temp = try TestDataDir("budget")
        let directory = DataDirectory(root: temp.path + "/data")
        let database = try Fixtures.prepare(directory)
        let alice = try Fixtures.addUser(database, "alice", key: Self.keyA, directory: directory)
        let bob = try Fixtures.addUser(database, "bob", key: Self.keyB, directory: directory)
        // The scripted worker reports every budget it is given as an event.
        let script = """
            (while true; do echo '{"type":"heartbeat","state":"stopped"}'; sleep 0.3; done) &
            while read -r line; do
              n=$(echo "$line" | sed -n 's/.*"weight_per_minute":\\([0-9]*\\).*/\\1/p')
              if [ -n "$n" ]; then echo '{"type":"event","level":"info","kind":"budget","message":"'"$n"'"}'; fi
            done
            """
        let bin = try Fixtures.binDir(worker: script, in: temp.path)
        let supervisor = try SupervisorProcess(dataDir: directory.root, name: "budget", binDir: bin)
        try await supervisor.use { () async throws in
            func budgets(_ user: UserID) throws -> [String] { try database.workerEvents.events(for: user, limit: 20).filter { $0.kind == "budget" }.map(\.message) }
            let told = try await waitUntil(.seconds(10)) { try budgets(alice).contains("2400") && budgets(bob).contains("2400") }
            #expect(told, "\(String(describing: try? budgets(alice))) \(String(describing: try? budgets(bob)))")
            let carol = try Fixtures.addUser(database, "carol", key: ("test-key-carol-0123456789", "test-secret-carol-0123456789"), directory: directory)
            let retold = try await waitUntil(.seconds(10)) {
                try [alice, bob, carol].allSatisfy { try budgets($0).first == "1600" }
            }
            #expect(retold, "\(String(describing: try? budgets(alice))) \(String(describing: try? budgets(carol)))")
        }
    }
}

/// The parent-death signal follows the *thread* that spawned a process. A process started by
/// hand or by a test (no supervisor) must not take one: the test's thread may retire while the
/// process is still wanted (this killed simulators in the middle of client tests).
@Suite struct ParentWatchTests {
    @Test func aSimulatorStartedByHandOutlivesTheThreadThatStartedIt() async throws {
        let port = freePort()
        let data = try TestDataDir("orphan-thread")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/exchange-sim")
        process.arguments = ["--port", String(port), "--data-dir", data.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let spawned = DispatchSemaphore(value: 0)
        let retire = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? process.run()
            spawned.signal()
            retire.wait()  // the thread lives until the simulator is up, then ends
        }
        thread.start()
        spawned.wait()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let healthy = try await waitUntilAsync(.seconds(10)) { (try? await HTTP.get("http://127.0.0.1:\(port)/sim/v1/health"))?.status == 200 }
        #expect(healthy)
        retire.signal()
        try await Task.sleep(for: .seconds(1))
        #expect(process.isRunning, "the simulator died with the thread that started it")
        #expect((try? await HTTP.get("http://127.0.0.1:\(port)/sim/v1/health"))?.status == 200)
    }
}
