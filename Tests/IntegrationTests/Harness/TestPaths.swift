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

/// A data directory for one test under /tmp, mode 0755, removed unless the test failed.
final class TestDataDir: @unchecked Sendable {
    let path: String
    var keep = false

    init(_ name: String) throws {
        path = "/tmp/ctp-it-\(name)-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
    }

    deinit {
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
