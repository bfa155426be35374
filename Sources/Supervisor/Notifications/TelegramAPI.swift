import AsyncHTTPClient
import Common
import Foundation
import NIOCore

/// The few Telegram Bot API methods we call (`sendMessage`, `getUpdates`), at the configured
/// base URL. The bot's token is part of the URL's path, so no URL or request is ever logged.
struct TelegramAPI: Sendable {
    let http: HTTPClient
    let baseURL: String
    let token: String

    enum Answer {
        case ok(Any)
        /// Telegram's `error_code` (or the HTTP status), its `description`, and `retry_after` on 429.
        case refused(status: Int, description: String, retryAfter: TimeInterval?)
        case unreachable(String)
    }

    /// One update: its id, and the chat and text of a message (nil for other updates).
    struct Update: Sendable, Equatable {
        let id: Int64
        let chat: String?
        let text: String?
    }

    func call(_ method: String, _ body: [String: Any], timeout: TimeAmount = .seconds(10)) async -> Answer {
        var request = HTTPClientRequest(url: "\(baseURL)/bot\(token)/\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: body)) ?? Data("{}".utf8)))
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            data = Data(buffer: try await response.body.collect(upTo: 4 << 20))
        } catch {
            return .unreachable(ChannelDelivery.short(error))
        }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        if status == 200, object?["ok"] as? Bool == true, let result = object?["result"] { return .ok(result) }
        let code = (object?["error_code"] as? NSNumber)?.intValue ?? (status == 200 ? 502 : status)
        let description = String((object?["description"] as? String ?? "no description").prefix(200))
        let retryAfter = ((object?["parameters"] as? [String: Any])?["retry_after"] as? NSNumber)?.doubleValue
        return .refused(status: code, description: description, retryAfter: retryAfter)
    }

    /// Updates from `offset` on, at once (no long poll: one loop serves every channel).
    enum Polled {
        case updates([Update])
        case failed(String)
    }

    func updates(offset: Int64) async -> Polled {
        switch await call("getUpdates", ["offset": offset, "timeout": 0, "allowed_updates": ["message"]]) {
        case .ok(let result):
            let list = (result as? [[String: Any]]) ?? []
            return .updates(
                list.compactMap { update -> Update? in
                    guard let id = (update["update_id"] as? NSNumber)?.int64Value else { return nil }
                    let message = update["message"] as? [String: Any]
                    let chat = ((message?["chat"] as? [String: Any])?["id"] as? NSNumber)?.int64Value
                    return Update(id: id, chat: chat.map { String($0) }, text: message?["text"] as? String)
                })
        case .refused(let status, let description, _): return .failed("\(status) from Telegram (\(description))")
        case .unreachable(let why): return .failed("Telegram did not answer: \(why)")
        }
    }
}
