import Foundation
import Testing

@testable import Common

/// A webhook's signature as its receiver checks it, and when a failed delivery is tried again.
@Suite struct NotificationDeliveryTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aSignedBodyVerifiesAndAnyChangeOrOldTimeDoesNot() {
        let body = Array(#"{"event":"fill","symbol":"BTCUSDT"}"#.utf8)
        let header = WebhookSignature.sign(body: body, secret: "whsec", at: Self.now)
        #expect(header.hasPrefix("t=1800000000,v1=") && header.count == "t=1800000000,v1=".count + 64)
        #expect(WebhookSignature.verify(header: header, body: body, secret: "whsec", now: Self.now.addingTimeInterval(60)))
        #expect(!WebhookSignature.verify(header: header, body: body + [0x20], secret: "whsec", now: Self.now))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "whsed", now: Self.now))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "whsec", now: Self.now.addingTimeInterval(301)))
        #expect(!WebhookSignature.verify(header: "v1=abc", body: body, secret: "whsec", now: Self.now))
        // Python's hmac.new(b"whsec", b"1800000000." + body, "sha256").hexdigest(): the MAC any
        // receiver computes with its own library.
        #expect(header == "t=1800000000,v1=e5c06f48d6a381dcf3794676e45658527ab4e86d8a55db2b8bbe5a702b7b1bb2")
        #expect(WebhookSignature.mac(body: Array("{}".utf8), secret: "key", seconds: 0) == "7314351dd949aa7ec06f50fc2c96e618291447672c9b7f10b49d1ce46dad00b3")
    }

    @Test func failuresBackOffHonourRetryAfterAndGiveUpOnARefusalOrAfterADay() {
        let policy = DeliveryPolicy()
        let queued = Self.now
        #expect(policy.decide(.delivered, attempts: 1, queuedAt: queued, now: Self.now) == .done)
        #expect(policy.decide(.failed(status: nil, retryAfter: nil), attempts: 1, queuedAt: queued, now: Self.now) == .retry(at: Self.now.addingTimeInterval(1)))
        #expect(policy.decide(.failed(status: 502, retryAfter: nil), attempts: 4, queuedAt: queued, now: Self.now) == .retry(at: Self.now.addingTimeInterval(8)))
        #expect(policy.decide(.failed(status: 503, retryAfter: nil), attempts: 20, queuedAt: queued, now: Self.now) == .retry(at: Self.now.addingTimeInterval(300)))
        // Telegram's retry_after is longer than the backoff: it wins; shorter: the backoff does.
        #expect(policy.decide(.failed(status: 429, retryAfter: 35), attempts: 1, queuedAt: queued, now: Self.now) == .retry(at: Self.now.addingTimeInterval(35)))
        #expect(policy.decide(.failed(status: 429, retryAfter: 1), attempts: 5, queuedAt: queued, now: Self.now) == .retry(at: Self.now.addingTimeInterval(16)))
        #expect(policy.decide(.failed(status: 401, retryAfter: nil), attempts: 1, queuedAt: queued, now: Self.now) == .giveUp(reason: "refused with 401: not tried again"))
        #expect(policy.decide(.failed(status: 408, retryAfter: nil), attempts: 1, queuedAt: queued, now: Self.now) == .retry(at: Self.now.addingTimeInterval(1)))
        let late = Self.now.addingTimeInterval(86_399)
        #expect(policy.decide(.failed(status: 500, retryAfter: nil), attempts: 30, queuedAt: queued, now: late) == .giveUp(reason: "not delivered within 24 h"))
    }
}
