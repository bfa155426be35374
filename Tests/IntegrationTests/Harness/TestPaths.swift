import Common
import Foundation

/// Where the executables under test are, and where test artifacts go.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../..").standardized.path

    /// `TRADER_BIN_DIR` (set by `make test` to a world-readable copy), else `.build/debug`.
    static var binDir: String {
        ProcessInfo.processInfo.environment["TRADER_BIN_DIR"] ?? packageRoot + "/.build/debug"
    }

    static var artifacts: String {
        let path = packageRoot + "/var/test-artifacts"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Every secret the tests hand to the system (API secrets, master keys, passwords), one per line
/// in `var/test-artifacts/secrets-seen.txt`: after the run, `make test` greps every log and
/// output the run left (Tests/scan_logs.py) for each of them.
enum SecretsSeen {
    static let file = TestPaths.artifacts + "/secrets-seen.txt"
    private static let lock = NSLock()

    static func record(_ secret: String) {
        guard secret.count >= 8 else { return }
        lock.lock()
        defer { lock.unlock() }
        if let handle = FileHandle(forWritingAtPath: file) ?? {
            FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600])
            return FileHandle(forWritingAtPath: file)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data((secret + "\n").utf8))
            try? handle.close()
        }
    }
}

/// A data directory for one test under /tmp, mode 0755, removed unless the test failed.
final class TestDataDir: @unchecked Sendable {
    let path: String
    var keep = false

    init(_ name: String) throws {
        path = "/tmp/ctp-it-\(name)-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
    }

    /// Keeps the logs for the scan of the whole run (``SecretsSeen``), with the master key the
    /// directory had, then removes the directory unless the test failed.
    deinit {
        let name = (path as NSString).lastPathComponent
        for data in [path, path + "/data"] {
            if let key = try? String(contentsOfFile: data + "/secrets/master.key", encoding: .utf8) {
                SecretsSeen.record(key.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let logs = data + "/logs"
            if FileManager.default.fileExists(atPath: logs) {
                let target = TestPaths.artifacts + "/run-logs/\(name)\(data == path ? "" : "-data")"
                try? FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try? FileManager.default.removeItem(atPath: target)
                try? FileManager.default.copyItem(atPath: logs, toPath: target)
            }
        }
        if !keep { try? FileManager.default.removeItem(atPath: path) }
    }
}

func freePort() -> Int { LoopbackPort.free() }

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func waitUntil(_ timeout: Duration, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}

/// Rate limits count per clock minute: a test that needs one minute's count waits out the
/// last seconds of the current minute instead of straddling two.
func avoidMinuteBoundary(margin: Double = 8) async {
    let second = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
    if second > 60 - margin { try? await Task.sleep(for: .milliseconds(Int((60.2 - second) * 1_000))) }
}
