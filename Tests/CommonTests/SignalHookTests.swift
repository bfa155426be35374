import Foundation
import Testing

@testable import Common

/// A signal hook's body: what is accepted, and every refusal with its 4xx and reason.
@Suite struct SignalHookTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let secret = "s3cret-of-the-hook"

    static func check(_ json: String, seen: Set<String> = [], policy: SignalHookPolicy = SignalHookPolicy()) -> Result<SignalHookRequest, SignalRefusal> {
        SignalHookCheck.check(body: Array(json.utf8), secretDigest: SecureToken.storedForm(secret), policy: policy, now: now, seen: { seen.contains($0) })
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

/// A hook's limits, its admission of a request, the command that carries a signal to the worker,
/// and which bots take which actions.
@Suite struct SignalHookLimitsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func limitsAreReadFromTheirTextsAndBadOnesNamed() throws {
        #expect(try SignalHookLimits.parse(maxLag: nil, perMinute: "", addresses: nil) == SignalHookLimits())
        let read = try SignalHookLimits.parse(maxLag: " 30 ", perMinute: "120", addresses: "10.0.0.1, 192.168.1.20\n::1 10.0.0.1")
        #expect(read == SignalHookLimits(maxLagSeconds: 30, perMinute: 120, allowedAddresses: ["10.0.0.1", "192.168.1.20", "::1"]))
        for (lag, rate, addresses, field) in [
            ("0", "1", "", "max_lag"), ("3601", "1", "", "max_lag"), ("ten", "1", "", "max_lag"), ("60", "0", "", "per_minute"),
            ("60", "1.5", "", "per_minute"), ("60", "1", "10.0.0.256", "allowed_addresses"), ("60", "1", "example.com", "allowed_addresses"),
            ("60", "1", (1...21).map { "10.0.0.\($0)" }.joined(separator: ","), "allowed_addresses"),
        ] {
            #expect(throws: SettingsError.self) { try SignalHookLimits.parse(maxLag: lag, perMinute: rate, addresses: addresses) }
            do {
                _ = try SignalHookLimits.parse(maxLag: lag, perMinute: rate, addresses: addresses)
            } catch {
                #expect(error.field == field, "\(lag) \(rate) \(addresses.prefix(30))")
            }
        }
    }

    @Test func aHookAdmitsItsAddressesUpToItsRate() {
        var hook = SignalHook.make(user: UserID(7), bot: 3, limits: SignalHookLimits(perMinute: 2), at: Self.now).hook
        #expect(hook.admission(address: "10.0.0.1", recent: 1) == nil)
        #expect(hook.admission(address: "10.0.0.1", recent: 2)?.kind == .rateLimited)
        #expect(hook.admission(address: "10.0.0.1", recent: 2)?.status == 429)
        hook.allowedAddresses = ["10.0.0.2"]
        #expect(hook.admission(address: "10.0.0.1", recent: 0)?.kind == .addressNotAllowed)
        #expect(hook.admission(address: "10.0.0.1", recent: 0)?.status == 403)
        #expect(hook.admission(address: "10.0.0.2", recent: 0) == nil)
    }

    @Test func aNewHookHasARandomIdAndSecretAndKeepsOnlyTheSecretsDigest() {
        let (hook, secret) = SignalHook.make(user: UserID(7), bot: 3, limits: SignalHookLimits(), at: Self.now)
        let (other, otherSecret) = SignalHook.make(user: UserID(7), bot: 3, limits: SignalHookLimits(), at: Self.now)
        #expect(hook.id.count == 43 && secret.count == 43 && hook.id != other.id && secret != otherSecret && hook.id != secret)
        #expect(hook.secretDigest == SecureToken.storedForm(secret) && !hook.secretDigest.contains(secret))
        // The check accepts the secret against its digest, and refuses the digest itself.
        let body = #"{"secret":"\#(secret)","action":"start_deal"}"#
        #expect((try? SignalHookCheck.check(body: Array(body.utf8), secretDigest: hook.secretDigest, policy: hook.policy, now: Self.now, seen: { _ in false }).get()) != nil)
        let digest = #"{"secret":"\#(hook.secretDigest)","action":"start_deal"}"#
        #expect(throws: SignalRefusal.self) {
            try SignalHookCheck.check(body: Array(digest.utf8), secretDigest: hook.secretDigest, policy: hook.policy, now: Self.now, seen: { _ in false }).get()
        }
    }

    @Test func theAdmissionRunsOnlyOnceTheSecretIsRight() {
        let (hook, secret) = SignalHook.make(user: UserID(7), bot: 3, limits: SignalHookLimits(), at: Self.now)
        var asked = 0
        let admit = { () -> SignalRefusal? in
            asked += 1
            return SignalRefusal(.addressNotAllowed, "no")
        }
        let wrong = SignalHookCheck.check(
            body: Array(#"{"secret":"x","action":"start_deal"}"#.utf8), secretDigest: hook.secretDigest, policy: hook.policy, now: Self.now, admit: admit,
            seen: { _ in false })
        #expect(asked == 0)
        if case .failure(let refusal) = wrong { #expect(refusal.kind == .notFound) } else { Issue.record("accepted a wrong secret") }
        let right = SignalHookCheck.check(
            body: Array(#"{"secret":"\#(secret)","action":"jump"}"#.utf8), secretDigest: hook.secretDigest, policy: hook.policy, now: Self.now, admit: admit,
            seen: { _ in false })
        #expect(asked == 1)
        if case .failure(let refusal) = right { #expect(refusal.kind == .addressNotAllowed) } else { Issue.record("not admitted, yet accepted") }
    }

    @Test func theCommandCarriesEveryActionAndRefusesALateOne() throws {
        let actions: [SignalHookRequest.Action] = [
            .startDeal, .close, .cancelAll, .buy(.init(kind: .market, amount: .quote(25))),
            .sell(.init(kind: .limit(price: Decimal(string: "50000.25")!), amount: .base(Decimal(string: "0.001")!))),
            .buy(.init(kind: .market, amount: .allocationShare(Decimal(string: "0.5")!))),
        ]
        for action in actions {
            let payload = SignalCommandPayload(botID: 4, recordID: 9, action: action, receivedAt: Self.now, maxLagSeconds: 60)
            let read = try WireJSON.decode(SignalCommandPayload.self, from: Data(WireJSON.text(payload).utf8))
            #expect(read == payload && read.decoded == action, "\(action)")
        }
        let payload = SignalCommandPayload(botID: 4, recordID: 9, action: .startDeal, receivedAt: Self.now, maxLagSeconds: 60)
        #expect(payload.lateness(now: Self.now.addingTimeInterval(59)) == nil)
        #expect(payload.lateness(now: Self.now.addingTimeInterval(61))?.contains("waited 61 s") == true)
        let broken = try WireJSON.decode(SignalCommandPayload.self, from: Data(#"{"bot_id":1,"record_id":2,"action":"buy","received_at":0,"max_lag_seconds":60}"#.utf8))
        #expect(broken.decoded == nil, "a buy without an amount")
    }

    @Test func aDCABotTakesStartDealAndOtherBotsNothing() {
        let dca = BotDefinition(
            name: "d", mode: .paper, allocationUsdt: 100,
            plan: .dca(DCAParameters(symbol: "BTCUSDT", baseOrder: 10, safetyOrders: 0, deviationPct: 1, stepScale: 1, volumeScale: 1, takeProfitPct: 2, start: .signal)),
            paperBalances: ["USDT": 100])
        #expect(dca.signalActions == ["start_deal"] && dca.refusal(of: .startDeal) == nil)
        #expect(dca.refusal(of: .close)?.kind == .notForThisBot)
        let grid = BotDefinition(
            name: "g", mode: .paper, allocationUsdt: 100,
            plan: .grid(GridParameters(symbol: "BTCUSDT", lowerPrice: 1, upperPrice: 2, levels: 3, spacing: .arithmetic, investment: 50)), paperBalances: ["USDT": 100])
        #expect(grid.signalActions.isEmpty)
        #expect(grid.refusal(of: .startDeal)?.description.contains("takes no signals") == true)
    }

    @Test func aSignalStartIsABotsAndNotABacktests() throws {
        let value = { (key: String) -> String? in ["base_order": "10", "take_profit": "2", "start": "signal"][key] }
        guard case .dca(let parameters) = try BotParameters.parse(name: "dca", symbol: "BTCUSDT", investment: 0, value: value) else {
            Issue.record("not a DCA plan")
            return
        }
        #expect(parameters.start == .signal && parameters.start.strategy() == nil && BotParameters.dca(parameters).texts["start"] == "signal")
        #expect(throws: SettingsError.self) { try BotParameters.parse(name: "dca", symbol: "BTCUSDT", investment: 0, purpose: "backtest", value: value) }
    }
}

@Suite struct SecureTokenTests {
    /// Sessions and hook secrets are stored as this: it must never change between versions.
    @Test func theStoredFormIsTheSHA256InLowerCaseHex() {
        #expect(SecureToken.storedForm("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecureToken.storedForm("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
