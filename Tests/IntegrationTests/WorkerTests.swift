import Common
import Foundation
import GRDB
import Testing

/// The worker executable on its own, driven through its stdin as the supervisor drives it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WorkerTests {
    final class RunningWorker: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()

        init(user: UserID, dataDir: String) throws {
            process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/worker")
            process.arguments = [String(user.rawValue), "--data-dir", dataDir, "--heartbeat-interval-ms", "200"]
            process.environment = ["PATH": "/usr/bin:/bin"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
        }

        func send(_ line: String) {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
        }

        /// Reads stdout until a line satisfies `predicate` (or 5 s pass).
        func read(until predicate: (String) -> Bool) -> [String] {
            var lines: [String] = []
            var buffer = Data()
            let deadline = Date().addingTimeInterval(5)
            let handle = output.fileHandleForReading
            while Date() < deadline {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    lines.append(line)
                    if predicate(line) { return lines }
                }
            }
            return lines
        }

        func waitForExit(_ seconds: Double) async -> Int32? {
            let exited = await waitUntil(.milliseconds(Int(seconds * 1000))) { !process.isRunning }
            return exited ? process.terminationStatus : nil
        }

        var stderr: String {
            String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
    }

    static let credentials = SupervisorMessage.credentials(
        apiKey: "worker-test-key-123456", apiSecret: "worker-test-secret-abcdef", exchangeURL: "http://127.0.0.1:1"
    ).line()

    @Test func heartbeatsActsOnCommandsAndExitsWhenStdinCloses() async throws {
        let temp = try TestDataDir("worker-eof")
        let directory = DataDirectory(root: temp.path)
        try directory.prepare()
        let worker = try RunningWorker(user: UserID(rawValue: 7), dataDir: directory.root)
        worker.send(Self.credentials)
        let beats = worker.read { $0.contains("\"heartbeat\"") }
        #expect(beats.last?.contains("\"state\":\"stopped\"") == true, "\(beats)")
        worker.send(SupervisorMessage.command(id: 1, name: "start", payload: nil).line())
        let acked = worker.read { $0.contains("\"ack\"") }
        #expect(acked.last == WorkerReport.acknowledged(commandID: 1, result: "ok").line(), "\(acked)")
        // The same command again (a resend after a restart) is not applied twice.
        worker.send(SupervisorMessage.command(id: 1, name: "start", payload: nil).line())
        #expect(worker.read { $0.contains("\"ack\"") }.last?.contains("duplicate") == true)
        worker.input.fileHandleForWriting.closeFile()
        let status = await worker.waitForExit(3)
        #expect(status == 0)
        let database = try TraderDatabase.open(directory, user: UserID(rawValue: 7))
        #expect(try database.state("bot_state") == "running")
        #expect(!worker.stderr.contains("worker-test-secret-abcdef"))
    }

    @Test func exitsCleanlyOnSIGTERM() async throws {
        let temp = try TestDataDir("worker-term")
        let worker = try RunningWorker(user: UserID(rawValue: 8), dataDir: temp.path)
        worker.send(Self.credentials)
        _ = worker.read { $0.contains("\"heartbeat\"") }
        worker.process.terminate()
        #expect(await worker.waitForExit(3) == 0)
    }

    @Test func refusesAFirstLineThatIsNotCredentials() async throws {
        let temp = try TestDataDir("worker-creds")
        let worker = try RunningWorker(user: UserID(rawValue: 9), dataDir: temp.path)
        worker.send("{\"type\":\"command\",\"id\":1,\"command\":\"start\"}")
        #expect(await worker.waitForExit(5) == 1)
        #expect(worker.stderr.contains("credentials"))
    }

    @Test func aNewerTraderDatabasePutsTheBotInErrorAndIsLeftUntouched() async throws {
        let temp = try TestDataDir("worker-newer")
        let directory = DataDirectory(root: temp.path)
        let user = UserID(rawValue: 11)
        do {
            let database = try TraderDatabase.open(directory, user: user)
            try await #require(database.pool).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v77')") }
            try #require(database.pool).close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: directory.userDatabase(user)))
        let worker = try RunningWorker(user: user, dataDir: directory.root)
        worker.send(Self.credentials)
        let lines = worker.read { $0.contains("\"heartbeat\"") }
        #expect(lines.contains { $0.contains("\"event\"") && $0.contains("newer version") }, "\(lines)")
        #expect(lines.last?.contains("\"state\":\"error\"") == true)
        worker.send(SupervisorMessage.command(id: 2, name: "start", payload: nil).line())
        #expect(worker.read { $0.contains("\"ack\"") }.last?.contains("error") == true)
        worker.process.terminate()
        _ = await worker.waitForExit(3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.userDatabase(user))) == before)
    }
}
