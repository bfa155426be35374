import Common
import Foundation

/// The real `exchange-sim` on a free port, for client tests.
final class SimulatorProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let dataDir: TestDataDir
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(arguments: [String] = [], dataDir reused: TestDataDir? = nil) async throws {
        port = freePort()
        dataDir = try reused ?? TestDataDir("sim")
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/exchange-sim")
        process.arguments = ["--port", String(port), "--data-dir", dataDir.path] + arguments
        // Its output is kept, so that a simulator that dies in a test says why.
        let log = TestPaths.artifacts + "/exchange-sim-\(port).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? await HTTP.get(baseURL + "/sim/v1/health"))?.status != 200 {
            guard ContinuousClock.now < deadline, process.isRunning else { throw BinanceClientTests.Failure("the simulator did not start") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// A new simulator account: its key and secret.
    /// `permissions`: `enable_withdrawals`, `ip_restrict` (what `/sapi/v1/account/apiRestrictions` reports).
    func createAccount(balances: [String: String]? = nil, permissions: [String: Bool] = [:]) async throws -> BinanceClient.Credentials {
        var fields: [String: Any] = permissions
        if let balances { fields["balances"] = balances }
        let body = try JSONSerialization.data(withJSONObject: fields)
        let answer = try await HTTP.post(baseURL + "/sim/v1/accounts", json: String(decoding: body, as: UTF8.self))
        guard answer.status == 201, let key = answer.json?["apiKey"] as? String, let secret = answer.json?["secretKey"] as? String else {
            throw BinanceClientTests.Failure("account creation answered \(answer.status): \(answer.body)")
        }
        return BinanceClient.Credentials(apiKey: key, secret: secret)
    }

    func setFaults(_ json: String?) async throws {
        let answer: HTTP.Answer
        if let json {
            answer = try await HTTP.post(baseURL + "/sim/v1/faults", json: json)
        } else {
            answer = try await HTTP.execute(HTTP.Request(url: baseURL + "/sim/v1/faults", method: .DELETE))
        }
        guard answer.status == 200 else { throw BinanceClientTests.Failure("faults answered \(answer.status): \(answer.body)") }
    }

    func setPrice(_ symbol: String, _ price: String, hold: Bool) async throws {
        let answer = try await HTTP.post(baseURL + "/sim/v1/prices", json: #"{"symbol":"\#(symbol)","price":"\#(price)","hold":\#(hold)}"#)
        guard answer.status == 200 else { throw BinanceClientTests.Failure("price answered \(answer.status): \(answer.body)") }
    }
}
