import Foundation

/// One of `Tests/compat`'s Python scripts, run with the python `make test` installs its packages
/// for (`TRADER_TEST_PYTHON`): its input on stdin, its JSON answer from stdout; a failure throws
/// with the end of its stderr.
enum PythonScript {
    static let python = ProcessInfo.processInfo.environment["TRADER_TEST_PYTHON"]

    static func run(_ script: String, arguments: [String] = [], input: Data? = nil) throws -> Data {
        guard let python else { throw WebClient.Failure("TRADER_TEST_PYTHON is not set") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPaths.packageRoot + "/Tests/compat/" + script] + arguments
        let stdin = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Every script reads all of its input before it writes, so writing first cannot deadlock.
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw WebClient.Failure("\(script): \(problems.suffix(2_000))") }
        return data
    }
}
