import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// A reader of `GET /api/v1/events` as a browser's EventSource would be: the events as they
/// arrive, each with the time it was read.
final class EventStream: Sendable {
    struct Event: Sendable {
        let name: String
        let data: String
        let receivedAt: Date
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] }
    }

    private let state = Mutex<(events: [Event], status: Int?, ended: Bool)>(([], nil, false))
    private let task = Mutex<Task<Void, Never>?>(nil)

    var events: [Event] { state.withLock { $0.events } }
    var status: Int? { state.withLock { $0.status } }
    var ended: Bool { state.withLock { $0.ended } }

    func named(_ name: String) -> [Event] { events.filter { $0.name == name } }

    /// Opens the stream with the client's cookies and reads it in the background.
    static func open(_ web: WebClient) -> EventStream {
        let stream = EventStream()
        let cookie = web.cookieHeader
        let url = web.base + "/api/v1/events"
        let reader = Task {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Cookie", value: cookie)
            request.headers.add(name: "Accept", value: "text/event-stream")
            do {
                let response = try await HTTP.client.execute(request, timeout: .hours(1))
                stream.state.withLock { $0.status = Int(response.status.code) }
                var pending = ""
                for try await buffer in response.body {
                    pending += String(buffer: buffer)
                    while let end = pending.range(of: "\n\n") {
                        let block = String(pending[..<end.lowerBound])
                        pending = String(pending[end.upperBound...])
                        var name = "message"
                        var data: [String] = []
                        for line in block.split(separator: "\n") {
                            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                            if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
                        }
                        if !data.isEmpty {
                            let event = Event(name: name, data: data.joined(separator: "\n"), receivedAt: Date())
                            stream.state.withLock { $0.events.append(event) }
                        }
                    }
                }
            } catch {}
            stream.state.withLock { $0.ended = true }
        }
        stream.task.withLock { $0 = reader }
        return stream
    }

    func close() { task.withLock { $0?.cancel() } }
}
