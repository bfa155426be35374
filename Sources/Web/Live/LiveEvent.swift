import Foundation

/// One message of `GET /api/v1/events`: its name (`fill`, `order`, `bot`, `heartbeat`,
/// `portfolio`, `signal`, `command` (one was acknowledged), `reload`) and its data, the JSON the API gives for that resource.
struct LiveEvent: Sendable, Equatable {
    let name: String
    let data: String

    /// The event in the `text/event-stream` format.
    func encoded(id: LiveEventID) -> String { "id: \(id)\nevent: \(name)\ndata: \(data)\n\n" }
}
