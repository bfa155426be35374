import Foundation
import Testing

/// The soak's short version (issue: end-to-end, soak): `trader-bench soak` for 3 minutes with 6
/// users on 1 s candles, price jumps and fault windows; it must pass its own checks (no memory
/// trend above 5 % after the warm-up, no growth in open files, no lost or duplicated fill, no
/// 5xx) and leave its report. `make soak` is the long version (20 users, 30 minutes).
@Suite(.serialized, .timeLimit(.minutes(6))) struct SoakTests {
    @Test func threeMinutesOfTradingWithFaultsPassTheSoakChecks() async throws {
        let out = TestPaths.artifacts + "/soak"
        try? FileManager.default.removeItem(atPath: out)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/trader-bench")
        process.arguments = [
            "soak", "--bin-dir", TestPaths.binDir, "--users", "6", "--seconds", "180", "--sample-seconds", "15", "--warmup-seconds", "45", "--out", out,
        ]
        let log = TestPaths.artifacts + "/soak.out"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let finished = await waitUntil(.seconds(320)) { !process.isRunning }
        if !finished { process.terminate() }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(finished && process.terminationStatus == 0, "\(output.suffix(4_000))")
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        let folder = try #require(runs.first.map { out + "/" + $0 }, "a report folder")
        let report = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(report.hasPrefix("# Soak report — PASS"), "\(report)")
        let csv = try String(contentsOfFile: folder + "/samples.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count > 40 && csv.contains { $0.contains(",workers,worker/") } && csv.contains { $0.contains(",web,") })
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/rss.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000)
    }
}
