import Crypto
import Foundation

/// How a notification webhook's body is signed, so its receiver can tell it came from us and
/// was not replayed: HMAC-SHA256 with the channel's secret over `"<unix seconds>.<body>"`, sent
/// as `X-CTP-Signature: t=<unix seconds>,v1=<hex>`, with the delivery's idempotency key in
/// `Idempotency-Key` (the same on every retry of one message).
public enum WebhookSignature {
    public static let header = "X-CTP-Signature"
    public static let idempotencyHeader = "Idempotency-Key"

    public static func sign(body: [UInt8], secret: String, at time: Date) -> String {
        let seconds = Int64(time.timeIntervalSince1970.rounded(.down))
        return "t=\(seconds),v1=\(mac(body: body, secret: secret, seconds: seconds))"
    }

    /// A receiver's check: the header's MAC matches and its time is within `tolerance` of `now`.
    public static func verify(header value: String, body: [UInt8], secret: String, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var seconds: Int64?
        var given: String?
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return false }
            if pair[0] == "t" { seconds = Int64(pair[1]) }
            if pair[0] == "v1" { given = pair[1] }
        }
        guard let seconds, let given, abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { return false }
        return SecureToken.constantTimeEquals(given, mac(body: body, secret: secret, seconds: seconds))
    }

    static func mac(body: [UInt8], secret: String, seconds: Int64) -> String {
        var message = Array("\(seconds).".utf8)
        message += body
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
