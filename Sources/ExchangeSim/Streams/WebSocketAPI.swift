import Common
import Foundation
import HummingbirdWebSocket

/// The WebSocket API (`/ws-api/v3`): `ping`, `time`, and the user data stream by
/// `userDataStream.subscribe.signature` (HMAC over the sorted parameters).
struct WebSocketAPI {
    let exchange: SimExchange
    let faults: Faults

    func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for try await message in inbound.messages(maxSize: 64 * 1024) {
                guard case .text(let text) = message, let request = StreamJSON.object(text) else {
                    try await outbound.write(.text(StreamJSON.text(["id": NSNull(), "status": 400, "error": ["code": -1100, "msg": "Malformed request."]])))
                    continue
                }
                let id = request["id"] ?? NSNull()
                let params = request["params"] as? [String: Any] ?? [:]
                switch request["method"] as? String {
                case "ping":
                    try await outbound.write(.text(StreamJSON.text(["id": id, "status": 200, "result": [String: Any]()])))
                case "time":
                    try await outbound.write(.text(StreamJSON.text(["id": id, "status": 200, "result": ["serverTime": exchange.nowMs]])))
                case "userDataStream.subscribe.signature":
                    switch authenticate(params) {
                    case .failure(let error):
                        try await outbound.write(.text(StreamJSON.text(["id": id, "status": error.status, "error": ["code": error.code, "msg": error.message]])))
                    case .success(let apiKey):
                        try await outbound.write(.text(StreamJSON.text(["id": id, "status": 200, "result": ["subscriptionId": 0]])))
                        group.addTask { try await UserStream(exchange: exchange, faults: faults, apiKey: apiKey).serve(inbound, outbound, wrap: 0) }
                    }
                default:
                    try await outbound.write(.text(StreamJSON.text(["id": id, "status": 400, "error": ["code": -1102, "msg": "Unknown method."]])))
                }
            }
            group.cancelAll()
        }
    }

    /// The WebSocket API signs `name=value` pairs sorted by name, joined with `&`.
    func authenticate(_ params: [String: Any]) -> Result<String, SimError> {
        guard let apiKey = params["apiKey"] as? String, let signature = params["signature"] as? String,
            let timestamp = (params["timestamp"] as? NSNumber)?.int64Value
        else { return .failure(.missing("apiKey, timestamp, signature")) }
        guard let secret = exchange.secret(forKey: apiKey) else { return .failure(.rejectedKey) }
        let payload = params.filter { $0.key != "signature" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        guard BinanceSigner(secret: secret).isValid(signature: signature, query: payload, body: "") else { return .failure(.badSignature) }
        if abs(exchange.nowMs - timestamp) > 5_000 { return .failure(.outsideWindow) }
        return .success(apiKey)
    }
}
