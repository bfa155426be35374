import Common
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Synchronization

/// The simulator's WebSocket side, on the same port as REST (CONTRACT §5): market streams at
/// `/ws/<stream>` and `/stream?streams=a/b`, the user data stream at `/ws/<listenKey>`, and
/// the WebSocket API at `/ws-api/v3`. Each connection polls the exchange's state; faults apply
/// (an outage refuses and drops connections, latency delays every frame).
struct StreamServer: Sendable {
    let exchange: SimExchange
    let faults: Faults

    func shouldUpgrade(_ request: HTTPRequest) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard !faults.current.outage else { return .dontUpgrade }
        let path = request.path ?? ""
        let (route, query) = path.split(separator: "?", maxSplits: 1).map(String.init).splitPair()
        if route == "/ws-api/v3" {
            return .upgrade([:]) { inbound, outbound, _ in try await WebSocketAPI(exchange: exchange, faults: faults).serve(inbound, outbound) }
        }
        if route == "/stream" {
            let names = QueryString.parse(Substring(query ?? ""))?.first { $0.0 == "streams" }?.1.split(separator: "/").map(String.init) ?? []
            return .upgrade([:]) { inbound, outbound, _ in
                try await MarketStream(exchange: exchange, faults: faults, combined: true, initial: names).serve(inbound, outbound)
            }
        }
        guard route.hasPrefix("/ws/") else { return .dontUpgrade }
        let name = String(route.dropFirst(4))
        if let apiKey = exchange.account(forListenKey: name) {
            return .upgrade([:]) { inbound, outbound, _ in
                try await UserStream(exchange: exchange, faults: faults, apiKey: apiKey).serve(inbound, outbound, wrap: nil)
            }
        }
        let names = name.split(separator: "/").map(String.init)
        return .upgrade([:]) { inbound, outbound, _ in
            try await MarketStream(exchange: exchange, faults: faults, combined: false, initial: names).serve(inbound, outbound)
        }
    }
}

extension Array where Element == String {
    func splitPair() -> (String, String?) { (first ?? "", count > 1 ? self[1] : nil) }
}

enum StreamJSON {
    static func text(_ object: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}

/// The user data stream of one account: every new event, as it happens.
struct UserStream {
    let exchange: SimExchange
    let faults: Faults
    let apiKey: String

    /// - Parameter wrap: the WebSocket API's subscription id; events then come as
    ///   `{"subscriptionId":…,"event":…}`.
    func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, wrap: Int?) async throws {
        if wrap != nil { return try await push(outbound, wrap: wrap) }
        // Until the client goes away (its side of the connection ends) or pushing stops.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for try await _ in inbound.messages(maxSize: 64 * 1024) {} }
            group.addTask {
                try await push(outbound, wrap: nil)
                try? await outbound.close(.goingAway, reason: nil)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func push(_ outbound: WebSocketOutboundWriter, wrap: Int?) async throws {
        try await exchange.listening(to: apiKey) { try await pushEvents(outbound, wrap: wrap) }
    }

    private func pushEvents(_ outbound: WebSocketOutboundWriter, wrap: Int?) async throws {
        var cursor = exchange.latestUserEvent
        while !Task.isCancelled {
            if faults.current.outage { return }
            for (sequence, event) in exchange.userEvents(apiKey, after: cursor) {
                cursor = sequence
                if faults.current.latencyMs > 0 { try await Task.sleep(for: .milliseconds(faults.current.latencyMs)) }
                try await outbound.write(.text(wrap.map { "{\"subscriptionId\":\($0),\"event\":\(event)}" } ?? event))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
