import Common
import Foundation
import Testing

@testable import Supervisor

/// Every line a child writes ends up a JSON log line: its own JSON as it is, anything else wrapped.
@Suite struct LogLineTests {
    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aJSONObjectLineIsKeptAsItIs() {
        let line = #"{"level":"info","message":"worker.started","user.id":4}"#
        #expect(LogLine.normalize(line, process: "worker-4", user: UserID(4)) == line)
    }

    @Test func anythingElseIsWrappedWithItsProcessAndUser() throws {
        let wrapped = try Self.object(LogLine.normalize("Fatal error: Index out of range", process: "worker-4", user: UserID(4)))
        #expect(wrapped["message"] as? String == "Fatal error: Index out of range")
        #expect(wrapped["label"] as? String == "worker-4")
        #expect(wrapped["level"] as? String == "warning")
        #expect(wrapped["source"] as? String == "stderr")
        #expect((wrapped["user.id"] as? NSNumber)?.int64Value == 4)
        #expect(wrapped["time"] is String)
        // Not an object, or broken JSON that starts like one, is wrapped too; no user, no user.id.
        for line in ["[1,2]", #"{"level":"#, "{not json}"] {
            let object = try Self.object(LogLine.normalize(line, process: "web", user: nil))
            #expect(object["message"] as? String == line)
            #expect(object["user.id"] == nil)
        }
    }
}
