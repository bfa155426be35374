import Common
import Foundation
import Testing

@Suite struct ProtocolTests {
    @Test func supervisorMessagesRoundTrip() throws {
        let messages: [SupervisorMessage] = [
            .credentials(apiKey: "k", apiSecret: "s\"\n", exchangeURL: "http://127.0.0.1:9090"),
            .command(id: 7, name: "start", payload: nil),
            .command(id: 8, name: "settings_changed", payload: "{\"a\":1}"),
        ]
        for message in messages {
            let line = message.line()
            #expect(!line.contains("\n"))
            #expect(try SupervisorMessage.parse(line) == message)
        }
    }

    @Test func workerReportsRoundTrip() throws {
        let reports: [WorkerReport] = [
            .heartbeat(state: "running"), .acknowledged(commandID: 3, result: "ok"), .event(level: "error", kind: "x", message: "y"),
        ]
        for report in reports {
            #expect(try WorkerReport.parse(report.line()) == report)
        }
    }

    @Test(arguments: [
        "", "nonsense", "[1,2]", "{\"type\":\"mystery\"}", "{\"type\":\"ack\"}", "{\"type\":\"heartbeat\",\"state\":5}",
        "{\"type\":\"event\",\"level\":\"error\",\"kind\":\"k\",\"message\":\"" + String(repeating: "x", count: 3000) + "\"}",
    ])
    func badReportsAreRefusedWithAReason(line: String) {
        #expect(throws: ProtocolError.self) { try WorkerReport.parse(line) }
    }

    @Test func aClaimedUserIDIsNotPartOfAReport() throws {
        let report = try WorkerReport.parse("{\"type\":\"event\",\"level\":\"info\",\"kind\":\"k\",\"message\":\"m\",\"user_id\":99}")
        #expect(report == .event(level: "info", kind: "k", message: "m"))
    }

    @Test func timestampsAreUTCWithMillisecondsAndRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_795_568_652.823)
        #expect(Timestamp.string(date) == "2026-11-25T01:04:12.823Z")
        let back = try #require(Timestamp.date(Timestamp.string(date)))
        #expect(abs(back.timeIntervalSince(date)) < 0.001)
        #expect(Timestamp.date("yesterday") == nil)
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func keysAreMaskedToTheirEnds() {
        #expect(KeyMask.mask("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A") == "vmPU…Eh8A")
        #expect(!KeyMask.mask("12345678").contains("1234"))
    }
}
