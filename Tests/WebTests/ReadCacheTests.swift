import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import Web

/// The read cache: what it keeps and for how long (pure), and through the whole router that it
/// answers from what it kept while the database is unchanged, reads again when it changed or the
/// web wrote, and never gives two loads of a page the same order request id.
@Suite struct ReadCacheTests {
    /// A `data_version` the test moves by hand.
    final class ManualProbe: DataVersionProbe {
        let version = Mutex(1)
        func dataVersion() throws -> Int { version.withLock { $0 } }
        func change() { version.withLock { $0 += 1 } }
    }

    @Test func onlyListedGetsAreAdmittedAndOnlyCookielessOKsKept() {
        let policy = ReadCachePolicy.standard
        #expect(policy.admits(method: .get, path: "/trading"))
        #expect(policy.admits(method: .get, path: "/api/v1/fills"))
        #expect(!policy.admits(method: .post, path: "/trading"))
        #expect(!policy.admits(method: .head, path: "/trading"))
        #expect(!policy.admits(method: .get, path: "/settings"))
        #expect(!policy.admits(method: .get, path: "/api/v1/exchange-key"))
        #expect(!policy.admits(method: .get, path: "/api/v1/events"))
        #expect(policy.keeps(status: .ok, setsCookie: false))
        #expect(!policy.keeps(status: .ok, setsCookie: true))
        #expect(!policy.keeps(status: .serviceUnavailable, setsCookie: false))
        #expect(!policy.keeps(status: .notFound, setsCookie: false))
    }

    @Test func anAnswerIsServedForLessThanItsMaximumAge() {
        let policy = ReadCachePolicy(paths: [], maxAge: 1)
        #expect(policy.isFresh(madeAt: 10, now: 10))
        #expect(policy.isFresh(madeAt: 10, now: 10.999))
        #expect(!policy.isFresh(madeAt: 10, now: 11))
        // A clock that went back: not trusted.
        #expect(!policy.isFresh(madeAt: 10, now: 9.5))
    }

    @Test(arguments: [
        ("no marker here", 1), ("M", 2), ("aMb", 2), ("MaM", 3), ("aMbMc", 3), ("", 1),
    ])
    func aBodyIsCutAtEachMarker(text: String, parts: Int) {
        let marker = "<rq>"
        let body = ByteBuffer(string: text.replacingOccurrences(of: "M", with: marker))
        let cut = CachedAnswer.split(body, at: Array(marker.utf8))
        #expect(cut.count == parts)
        #expect(cut.map { String(buffer: $0) }.joined(separator: marker) == String(buffer: body))
    }

    @Test func eachAnswerGetsNewIDsAtTheMarkers() {
        let marker = ReadCache.requestIDMarker
        let kept = CachedAnswer(headers: [:], body: ByteBuffer(string: "a \(marker) b \(marker) c"), madeAt: 0)
        let counter = Mutex(0)
        let next = { counter.withLock { $0 += 1; return "id\($0)" } }
        #expect(String(buffer: kept.body(newID: next)) == "a id1 b id2 c")
        #expect(String(buffer: kept.body(newID: next)) == "a id3 b id4 c")
    }

    @Test func anAnswerIsReadAgainOnlyWhenTheDatabaseChangedOrTheWebWrote() async throws {
        let probe = ManualProbe()
        let web = TestWeb(watch: CentralChangeWatch(probe: probe, interval: 0))
        let user = try await web.user("ada")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("ada")
            func tradeIDs() async throws -> [Int64] {
                let response = try await client.execute(uri: "/api/v1/fills", method: .get, headers: signed.headers())
                #expect(response.status == .ok)
                return try #require(try response.object()["items"] as? [[String: Any]]).compactMap { $0["trade_id"] as? Int64 }
            }
            #expect(try await tradeIDs() == [])
            // Written behind the web's back with data_version unmoved: the kept answer (proof that it keeps).
            try web.database.trading.saveFill(TradingRouteTests.fill(1, minute: 1), for: user)
            #expect(try await tradeIDs() == [])
            // The file changed: read again.
            probe.change()
            #expect(try await tradeIDs() == [1])

            // Any state-changing request of the web, whatever its outcome, makes the next read fresh
            // with no change of data_version (here the settings are written behind its back, and its
            // PUT is refused for want of an exchange).
            let before = try await client.execute(uri: "/api/v1/settings", method: .get, headers: signed.headers())
            #expect(try before.object()["interval"] as? String == BotSettings.defaults.interval)
            var changed = BotSettings.defaults
            changed.interval = "15m"
            try web.database.bots.saveSettings(changed, for: user, at: Date())
            let kept = try await client.execute(uri: "/api/v1/settings", method: .get, headers: signed.headers())
            #expect(try kept.object()["interval"] as? String == BotSettings.defaults.interval)
            let body = try TradingRouteTests.settingsBody { $0["interval"] = "15m" }
            let put = try await client.execute(uri: "/api/v1/settings", method: .put, headers: signed.headers(csrf: true, json: true), body: body)
            #expect(put.status == .serviceUnavailable)
            let after = try await client.execute(uri: "/api/v1/settings", method: .get, headers: signed.headers())
            #expect(try after.object()["interval"] as? String == "15m")
        }
    }

    @Test func twoLoadsOfTheTradingPageNeverShareAnOrderRequestID() async throws {
        let web = TestWeb(watch: CentralChangeWatch(probe: ManualProbe(), interval: 0))
        let user = try await web.user("bea")
        // With a key the page has the order form.
        try web.database.exchangeKeys.storeKey(
            StoredExchangeKey(userID: user, apiKeyToken: "k", apiSecretToken: "s", maskedKey: "ab…cd", canTrade: true, verifiedAt: nil), at: Date())
        // The length of each answer is its own (the ids are not the marker's length).
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("bea")
            var ids: [String] = []
            for _ in 0..<3 {
                let page = try await client.execute(uri: "/trading", method: .get, headers: signed.headers())
                #expect(page.status == .ok)
                #expect(page.headers[.contentLength] == String(page.body.readableBytes))
                #expect(!page.text.contains(ReadCache.requestIDMarker))
                let id = try #require(page.text.firstMatch(of: /name="request_id" value="([A-Za-z0-9]{12})"/)?.output.1)
                ids.append(String(id))
            }
            #expect(Set(ids).count == 3)
        }
    }
}
