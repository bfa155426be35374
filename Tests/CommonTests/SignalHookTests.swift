import Foundation
import Testing

@testable import Common

/// A signal hook's body: what is accepted, and every refusal with its 4xx and reason.
@Suite struct SignalHookTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let secret = "s3cret-of-the-hook"

    static func check(_ json: String, seen: Set<String> = [], policy: SignalHookPolicy = SignalHookPolicy()) -> Result<SignalHookRequest, SignalRefusal> {
        SignalHookCheck.check(body: Array(json.utf8), secret: secret, policy: policy, now: now, seen: { seen.contains($0) })
    }

    static func refusal(_ json: String, seen: Set<String> = []) -> SignalRefusal? {
        if case .failure(let refusal) = check(json, seen: seen) { return refusal }
        return nil
    }

    @Test func ordersAndActionsAreReadFromTheBody() throws {
        let limit = try Self.check(#"{"secret":"s3cret-of-the-hook","action":"buy","order_type":"limit","price":"50000.5","amount_usdt":25,"id":"a-1","time":1799999990000}"#).get()
        #expect(limit == SignalHookRequest(
            action: .buy(.init(kind: .limit(price: Decimal(string: "50000.5")!), amount: .quote(25))), id: "a-1",
            time: Self.now.addingTimeInterval(-10)))
        let market = try Self.check(#"{"secret":"s3cret-of-the-hook","action":"sell","allocation_pct":"50","time":"2027-01-15T07:59:30Z"}"#).get()
        #expect(market.action == .sell(.init(kind: .market, amount: .allocationShare(Decimal(string: "0.5")!))))
        #expect(market.time == Self.now.addingTimeInterval(-30))
        for (name, action) in [("close", SignalHookRequest.Action.close), ("cancel_all", .cancelAll), ("start_deal", .startDeal)] {
            #expect(try Self.check(#"{"secret":"s3cret-of-the-hook","action":"\#(name)"}"#).get().action == action)
            #expect(action.name == name)
        }
    }

    @Test func aWrongSecretAndAMissingOneAreAnsweredAsAnUnknownHook() {
        #expect(Self.refusal(#"{"secret":"s3cret-of-the-hooK","action":"close"}"#)?.kind == .notFound)
        #expect(Self.refusal(#"{"action":"close"}"#)?.status == 404)
        #expect(Self.refusal(#"{"secret":12,"action":"close"}"#)?.status == 404)
        // A malformed field is told only to whoever knows the secret.
        #expect(Self.refusal(#"{"secret":"wrong","action":"buy","price":"abc"}"#)?.kind == .notFound)
    }

    @Test func everyMalformedBodyIsA4xxWithItsReason() {
        let cases: [(String, SignalRefusal.Kind, String)] = [
            ("[1,2]", .malformed, "not a JSON object"),
            ("{", .malformed, "not a JSON object"),
            (#"{"secret":"s3cret-of-the-hook"}"#, .malformed, "action is missing"),
            (#"{"secret":"s3cret-of-the-hook","action":"hodl"}"#, .malformed, "is not one of"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy"}"#, .malformed, "exactly one amount"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy","amount_usdt":"10","amount_base":"1"}"#, .malformed, "exactly one amount"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy","amount_usdt":"-10"}"#, .malformed, "positive"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy","amount_usdt":"1e3"}"#, .malformed, "decimal number"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy","allocation_pct":150}"#, .malformed, "at most 100"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy","amount_usdt":"10","order_type":"limit"}"#, .malformed, "positive price"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy","amount_usdt":"10","price":"5"}"#, .malformed, "limit order"),
            (#"{"secret":"s3cret-of-the-hook","action":"buy","amount_usdt":"10","order_type":"stop"}"#, .malformed, "market or limit"),
            (#"{"secret":"s3cret-of-the-hook","action":"close","time":"yesterday"}"#, .malformed, "ISO-8601"),
            (#"{"secret":"s3cret-of-the-hook","action":"close","id":"\#(String(repeating: "x", count: 65))"}"#, .malformed, "longer than 64"),
            (#"{"secret":"s3cret-of-the-hook","action":7}"#, .malformed, "must be a string"),
        ]
        for (body, kind, reason) in cases {
            let refusal = Self.refusal(body)
            #expect(refusal?.kind == kind && refusal?.description.contains(reason) == true, "\(body): \(String(describing: refusal))")
            #expect((400..<500).contains(refusal?.status ?? 0))
        }
    }

    @Test func staleReplayedAndOversizedSignalsAreRefused() {
        let old = Self.refusal(#"{"secret":"s3cret-of-the-hook","action":"close","time":1799999930000}"#)
        #expect(old?.kind == .stale && old?.description == "the signal's time is 70 s old; at most 60 s")
        #expect(Self.refusal(#"{"secret":"s3cret-of-the-hook","action":"close","time":1800000010000}"#)?.kind == .stale)
        // Within the lag, and a lag the hook set longer.
        #expect((try? Self.check(#"{"secret":"s3cret-of-the-hook","action":"close","time":1799999945000}"#).get()) != nil)
        #expect((try? Self.check(#"{"secret":"s3cret-of-the-hook","action":"close","time":1799999930000}"#, policy: SignalHookPolicy(maxLag: 120)).get()) != nil)
        let replay = Self.refusal(#"{"secret":"s3cret-of-the-hook","action":"close","id":"a-1"}"#, seen: ["a-1"])
        #expect(replay?.kind == .replayed && replay?.status == 409)
        let big = #"{"secret":"s3cret-of-the-hook","action":"close","pad":""# + String(repeating: "x", count: 8200) + #""}"#
        #expect(Self.refusal(big)?.status == 413)
    }
}
