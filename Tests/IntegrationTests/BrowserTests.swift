import Foundation
import Testing

/// The dashboard in a real browser: headless Chromium driven by Selenium through
/// `Tests/browser/dashboard.py` against the real system (sign-up, logout, login kept across a
/// browser restart, the key, the portfolio against the exchange's own total, the bot trading and
/// its fills against the exchange's trades, every page at 1280 and 390 px, and no digit on any
/// page of a user without data). `make test` installs Chromium, chromedriver and Selenium and
/// names its python in `TRADER_TEST_PYTHON`; screenshots go to `var/test-artifacts/browser/`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct BrowserTests {
    static let python = ProcessInfo.processInfo.environment["TRADER_TEST_PYTHON"]

    @Test(.enabled(if: python != nil, "run through `make test`, which installs Chromium, chromedriver and Selenium"))
    func theDashboardWorksInAHeadlessBrowser() async throws {
        try await AccountTests.withSystem("browser") { supervisor, _ in
            let artifacts = TestPaths.artifacts + "/browser"
            try? FileManager.default.removeItem(atPath: artifacts)
            try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
            // Output to a file rather than a pipe: nothing can block on a full pipe, and the
            // file stays beside the screenshots.
            let outputPath = artifacts + "/dashboard.out"
            _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
            defer { try? output.close() }

            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python!)
            process.arguments = [
                TestPaths.packageRoot + "/Tests/browser/dashboard.py",
                "--web", "http://127.0.0.1:\(supervisor.webPort)",
                "--sim", "http://127.0.0.1:\(supervisor.simPort)",
                "--artifacts", artifacts,
            ]
            process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.packageRoot)
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = output
            try process.run()

            // The script ends by itself well within this (about 30 s on two cores); SIGTERM lets
            // it close its browsers, SIGKILL if that does not end it.
            let ended = await waitUntil(.seconds(240)) { !process.isRunning }
            if !ended {
                process.terminate()
                let stopped = await waitUntil(.seconds(10)) { !process.isRunning }
                if !stopped {
                    kill(process.processIdentifier, SIGKILL)
                    _ = await waitUntil(.seconds(5)) { !process.isRunning }
                }
            }
            let transcript = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            #expect(ended, "the browser scenario did not end within 240 s:\n\(transcript.suffix(3_000))")
            if ended {
                #expect(process.terminationStatus == 0, "dashboard.py exited with status \(process.terminationStatus):\n\(transcript.suffix(3_000))")
            }
        }
    }
}
