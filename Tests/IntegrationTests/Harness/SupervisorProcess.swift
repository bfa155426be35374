import Common
import Foundation

/// The real `supervisor` executable, started by a test on random free ports with a temporary
/// data directory; its output goes to files under `var/test-artifacts/`.
final class SupervisorProcess: @unchecked Sendable {
    let process = Process()
    let dataDir: String
    let webPort: Int
    let simPort: Int
    let outputPath: String

    /// Timings short enough for tests, overridable per test.
    static let fastTimings: [String: String] = [
        "TRADER_SUPERVISOR_HEARTBEAT_TIMEOUT_MS": "3000",
        "TRADER_SUPERVISOR_RESTART_BACKOFF_INITIAL_MS": "200",
        "TRADER_SUPERVISOR_RESTART_BACKOFF_MAX_MS": "2000",
        "TRADER_SUPERVISOR_STOP_TIMEOUT_MS": "3000",
        "TRADER_WORKER_HEARTBEAT_INTERVAL_MS": "500",
    ]

    init(dataDir: String, name: String, environment: [String: String] = [:], arguments: [String] = [], binDir: String = TestPaths.binDir) throws {
        self.dataDir = dataDir
        let ports = LoopbackPort.free(2)
        (webPort, simPort) = (ports[0], ports[1])
        outputPath = TestPaths.artifacts + "/\(name)-\(UUID().uuidString.prefix(6)).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/supervisor")
        process.arguments = ["--data-dir", dataDir, "--web-port", String(webPort), "--sim-port", String(simPort)] + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }
        env["TRADER_BIN_DIR"] = binDir
        env.merge(Self.fastTimings) { $1 }
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: dataDir).deletingLastPathComponent()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var directory: DataDirectory { DataDirectory(root: dataDir) }

    /// Waits until the supervisor has exited; its exit status, or nil after `timeout`.
    func waitForExit(_ timeout: Duration) async -> Int32? {
        let exited = await waitUntil(timeout) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// The live children, by program name.
    func children() -> [ProcessTable.Entry] { ProcessTable.children(of: pid) }

    func child(_ program: String, user: UserID? = nil) -> ProcessTable.Entry? {
        children().first { $0.program == program && (user == nil || $0.arguments.dropFirst().first == String(user!.rawValue)) }
    }

    /// Stops it (SIGTERM) and anything it left, for cleanup at the end of a test.
    func stop() async {
        if process.isRunning {
            signal(SIGTERM)
            if await waitForExit(.seconds(12)) == nil { signal(SIGKILL) }
        }
        for entry in ProcessTable.mentioning(dataDir) { kill(entry.pid, SIGKILL) }
    }
}

extension SupervisorProcess {
    /// Runs a test's body and always stops the supervisor (and anything it left) afterwards.
    func use(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await stop()
            throw error
        }
        await stop()
    }
}
