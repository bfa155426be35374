import Foundation
import Testing

/// ccxt, python-binance and binance-connector, unmodified, against the simulator. `make test`
/// installs them in a virtual environment and names its python in `TRADER_TEST_PYTHON`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ThirdPartyClientTests {
    static let python = ProcessInfo.processInfo.environment["TRADER_TEST_PYTHON"]

    @Test(.enabled(if: python != nil, "run through `make test`, which installs the clients"))
    func unmodifiedPythonClientsTradeAgainstTheSimulator() async throws {
        try await BinanceClientTests.withSimulator { sim in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python!)
            process.arguments = [TestPaths.packageRoot + "/Tests/compat/binance_clients.py", sim.baseURL]
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(problems.suffix(2_000))")
            let results = (try? JSONSerialization.jsonObject(with: data) as? [String: Bool]) ?? [:]
            #expect(results.count >= 33, "\(String(decoding: data, as: UTF8.self))")
            for (check, passed) in results.sorted(by: { $0.key < $1.key }) {
                #expect(passed, "\(check)")
            }
        }
    }
}
