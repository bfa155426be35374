import AsyncHTTPClient
import Common
import Foundation
import NIOCore
import NIOHTTP1

/// Hands one message to one channel: Telegram's `sendMessage`, a webhook's POST (signed, with an
/// idempotency key), or an e-mail. The result is said in words for `/settings` and the log,
/// never with a secret in it (a bot token is in Telegram's URL path, so no URL is ever quoted).
struct ChannelDelivery: Sendable {
    let http: HTTPClient
    let config: TraderConfig
    let secrets: ChannelSecrets

    func deliver(_ batch: [OutboxItem], on channel: NotificationChannel, language: String?) async -> (DeliveryPolicy.Outcome, String) {
        let plain: ChannelSecrets.Plain
        do {
            plain = channel.kind == .email ? .init() : try secrets.open(channel)
        } catch {
            return (.failed(status: 400, retryAfter: nil), error.description)
        }
        let text = DeliveryPace.text(batch, language: language)
        switch channel.kind {
        case .telegram:
            return await telegram(token: plain.token ?? "", chat: channel.target, text: text)
        case .webhook:
            guard let item = batch.first, let url = plain.url else { return (.failed(status: 400, retryAfter: nil), "the webhook has no URL") }
            return await webhook(url: url, secret: plain.secret, preset: channel.preset ?? .json, item: item, text: text)
        case .email:
            return await email(to: channel.target, text: text, language: language)
        }
    }

    func telegram(token: String, chat: String, text: String) async -> (DeliveryPolicy.Outcome, String) {
        let body = ["chat_id": chat, "text": text]
        let answer = await TelegramAPI(http: http, baseURL: config.telegramAPIURL, token: token).call("sendMessage", body)
        switch answer {
        case .ok: return (.delivered, "delivered")
        case .refused(let status, let description, let retryAfter):
            return (.failed(status: status, retryAfter: retryAfter), "\(status) from Telegram (\(description))")
        case .unreachable(let why): return (.failed(status: nil, retryAfter: nil), "Telegram did not answer: \(why)")
        }
    }

    func webhook(url: String, secret: String?, preset: WebhookPreset, item: OutboxItem, text: String) async -> (DeliveryPolicy.Outcome, String) {
        let body: [UInt8]
        switch preset {
        case .json:
            let data = (try? JSONSerialization.jsonObject(with: Data(item.data.utf8))) ?? [String: String]()
            let object: [String: Any] = [
                "id": item.idempotencyKey, "event": item.event, "time": Timestamp.string(item.queuedAt), "text": text, "data": data,
            ]
            body = Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
        case .discord: body = Array(WireJSON.text(["content": String(text.prefix(2000))]).utf8)
        case .slack: body = Array(WireJSON.text(["text": text]).utf8)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "CryptoTraderPro-Notifier/1")
        request.headers.add(name: WebhookSignature.idempotencyHeader, value: item.idempotencyKey)
        if let secret { request.headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(body: body, secret: secret, at: Date())) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let host = URL(string: url)?.host ?? "the webhook"
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return (.delivered, "delivered") }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
            return (.failed(status: status, retryAfter: retryAfter), "\(status) from \(host)")
        } catch {
            return (.failed(status: nil, retryAfter: nil), "\(host) did not answer (\(Self.short(error)))")
        }
    }

    func email(to address: String, text: String, language: String?) async -> (DeliveryPolicy.Outcome, String) {
        guard !config.smtpHost.isEmpty, !config.smtpFrom.isEmpty else {
            return (.failed(status: 400, retryAfter: nil), "no SMTP server is configured (notifications.smtp in etc/trader.yaml)")
        }
        let settings = SMTPClient.Settings(
            host: config.smtpHost, port: config.smtpPort, username: config.smtpUsername, password: config.smtpPassword, from: config.smtpFrom,
            caFile: config.smtpCAFile)
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? text
        let subject = "Crypto Trader Pro: " + String(firstLine.prefix(120))
        do {
            try await SMTPClient(settings: settings).send(to: address, subject: subject, body: text)
            return (.delivered, "delivered")
        } catch {
            // A 5xx reply is the server's final word (like an HTTP 4xx): not tried again.
            let permanent = error.code.map { $0 >= 500 } ?? false
            return (.failed(status: permanent ? 400 : nil, retryAfter: nil), error.description)
        }
    }

    /// An error's kind without addresses or paths.
    static func short(_ error: any Error) -> String {
        if let client = error as? HTTPClientError { return "\(client)" }
        let text = "\(error)"
        return String(text.prefix(120))
    }
}
