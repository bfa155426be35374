import Foundation
import Testing

@testable import Common

/// Personal API tokens' pure rules (scopes, the request's checks, what a token may call, the
/// per-token budget) and the audit log's chain and CSV.
@Suite struct APITokenRuleTests {
    @Test func aRequestIsCheckedFieldByField() throws {
        let ok = try APITokenRequest.check(name: "  nightly report ", scopes: ["read", "TRADE"], days: "90", isAdmin: false).get()
        #expect(ok == APITokenRequest(name: "nightly report", scopes: [.read, .trade], days: 90))
        #expect(ok.expiry(from: Date(timeIntervalSince1970: 0)) == Date(timeIntervalSince1970: 90 * 86_400))
        #expect(APITokenRequest.check(name: " ", scopes: ["read"], days: nil, isAdmin: false) == .failure(.nameMissing))
        #expect(APITokenRequest.check(name: String(repeating: "x", count: 61), scopes: ["read"], days: nil, isAdmin: false) == .failure(.nameTooLong))
        #expect(APITokenRequest.check(name: "a", scopes: [], days: nil, isAdmin: false) == .failure(.noScope))
        #expect(APITokenRequest.check(name: "a", scopes: ["write"], days: nil, isAdmin: false) == .failure(.unknownScope("write")))
        #expect(APITokenRequest.check(name: "a", scopes: ["admin"], days: nil, isAdmin: false) == .failure(.adminScopeNotAllowed))
        #expect((try? APITokenRequest.check(name: "a", scopes: ["admin"], days: nil, isAdmin: true).get())?.days == 30, "30 days unless asked")
        #expect(APITokenRequest.check(name: "a", scopes: ["read"], days: "3650", isAdmin: false) == .failure(.lifetime("3650")))
        #expect(APITokenRequest.Problem.unknownScope("write").message.contains("\"write\" is not a scope"))
    }

    @Test func scopesRoundTripAndUnknownWordsGrantNothing() {
        #expect(APIScope.text([.trade, .read]) == "read,trade")
        #expect(APIScope.parse("read,trade") == [.read, .trade])
        #expect(APIScope.parse("read, superuser") == [.read])
    }

    @Test func whatATokenMayCall() {
        #expect(APIScopeRule.need(method: "GET", path: "/api/v1/portfolio") == .scope(.read))
        #expect(APIScopeRule.need(method: "POST", path: "/api/v1/bots/3/start") == .scope(.trade))
        #expect(APIScopeRule.need(method: "DELETE", path: "/api/v1/orders/9") == .scope(.trade))
        #expect(APIScopeRule.need(method: "GET", path: "/api/v1/admin/users") == .scope(.admin))
        for path in ["/api/v1/tokens", "/api/v1/tokens/4", "/api/v1/2fa/disable", "/api/v1/password", "/api/v1/sessions", "/api/v1/logout", "/api/v1/exchange-key"] {
            #expect(APIScopeRule.need(method: "GET", path: path) == .session, "\(path)")
        }
        #expect(APIScopeRule.need(method: "GET", path: "/api/v1/tokensx") == .scope(.read), "a prefix of a name is not the name")
    }

    @Test func bearerHeaders() {
        #expect(APITokenText.bearer("Bearer ctp_abc") == "ctp_abc")
        #expect(APITokenText.bearer("bearer   ctp_abc ") == "ctp_abc")
        #expect(APITokenText.bearer("Basic abc") == nil && APITokenText.bearer("Bearer ") == nil && APITokenText.bearer(nil) == nil)
        let token = APITokenText.generate()
        #expect(token.hasPrefix("ctp_") && token.count == 47 && token != APITokenText.generate())
    }

    @Test func aTokenIsActiveUntilRevokedOrExpiredAndItsUseIsWrittenOncePerMinute() {
        let token = StoredAPIToken(
            id: 1, userID: UserID(1), name: "n", scopes: [.read], createdAt: Date(timeIntervalSince1970: 0), expiresAt: Date(timeIntervalSince1970: 100),
            lastUsedAt: Date(timeIntervalSince1970: 10), revokedAt: nil)
        #expect(token.isActive(at: Date(timeIntervalSince1970: 99)) && !token.isActive(at: Date(timeIntervalSince1970: 100)))
        #expect(!token.isUseDue(at: Date(timeIntervalSince1970: 69)) && token.isUseDue(at: Date(timeIntervalSince1970: 70)))
        let revoked = StoredAPIToken(
            id: 1, userID: UserID(1), name: "n", scopes: [.read], createdAt: .distantPast, expiresAt: .distantFuture, lastUsedAt: nil, revokedAt: Date())
        #expect(!revoked.isActive(at: Date()))
    }

    @Test func theBudgetAllowsABurstThenTheRefillRate() {
        var bucket = TokenBucket(at: 0)
        for _ in 0..<Int(TokenBucket.burst) { #expect(bucket.take(at: 0) == nil) }
        let wait = bucket.take(at: 0)
        #expect(wait != nil && abs(wait! - 1 / TokenBucket.perSecond) < 1e-9)
        #expect(bucket.take(at: 0.1) == nil, "one refilled after 1/rate s")
        #expect(bucket.take(at: 0.1) != nil)
        #expect(bucket.take(at: 1_000) == nil && bucket.tokens == TokenBucket.burst - 1, "never more than the burst")
    }
}

@Suite struct AuditChainTests {
    static func record(_ n: Int, detail: String = "") -> AuditRecord {
        AuditRecord(
            at: Date(timeIntervalSince1970: 1_700_000_000 + Double(n) + 0.0009), userID: UserID(Int64(n % 3 + 1)), actor: "user\(n)",
            address: n % 2 == 0 ? "127.0.0.1" : nil, action: AuditAction.change, detail: detail.isEmpty ? "POST /api/v1/bots/\(n)/start → 202" : detail)
    }

    static func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for n in 1...count { entries.append(AuditChain.append(record(n), after: entries.last.map { ($0.seq, $0.hash) })) }
        return entries
    }

    @Test func aChainHoldsAndEachRowCoversTheOneBefore() {
        let entries = Self.chain(5)
        #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(entries[0].previousHash == AuditChain.genesis && entries[1].previousHash == entries[0].hash)
        #expect(AuditChain.verify(entries) == nil && AuditChain.verify([]) == nil)
        #expect(entries[0].record.at == Date(timeIntervalSince1970: 1_700_000_001), "kept to the millisecond, as stored")
    }

    @Test func anEditedRowIsNamed() {
        var entries = Self.chain(5)
        let old = entries[2]
        entries[2] = AuditEntry(seq: old.seq, record: Self.record(3, detail: "nothing happened"), previousHash: old.previousHash, hash: old.hash)
        #expect(AuditChain.verify(entries) == AuditChain.Break(seq: 3, kind: .changed))
        #expect(AuditChain.Break(seq: 3, kind: .changed).description == "row 3 was changed (its fields no longer match its hash)")
        // Recomputing the edited row's own hash moves the break to the next row, which no longer follows it.
        let rehashed = AuditChain.hash(seq: 3, record: entries[2].record, previousHash: old.previousHash)
        entries[2] = AuditEntry(seq: 3, record: entries[2].record, previousHash: old.previousHash, hash: rehashed)
        #expect(AuditChain.verify(entries) == AuditChain.Break(seq: 4, kind: .outOfOrder))
    }

    @Test func aRemovedRowIsNamedByTheRowAfterIt() {
        var entries = Self.chain(5)
        entries.remove(at: 1)
        #expect(AuditChain.verify(entries) == AuditChain.Break(seq: 3, kind: .removed))
        #expect(AuditChain.verify(Array(Self.chain(5).dropFirst())) == AuditChain.Break(seq: 2, kind: .removed), "the first rows gone")
    }

    @Test func aRowOutOfOrderIsNamed() {
        let entries = Self.chain(3)
        #expect(AuditChain.verify(entries + [entries[1]]) == AuditChain.Break(seq: 2, kind: .outOfOrder), "a number again after a later one")
        // A row made up and put between two: it does not follow the one before it.
        let forged = AuditChain.append(Self.record(9), after: (seq: 2, hash: String(repeating: "f", count: 64)))
        var withForged = Self.chain(5)
        withForged[2] = forged
        #expect(AuditChain.verify(withForged) == AuditChain.Break(seq: 3, kind: .outOfOrder))
    }

    @Test func csvQuotesAndDefusesFormulas() {
        #expect(AuditCSV.field("plain") == "plain")
        #expect(AuditCSV.field("a,b") == "\"a,b\"" && AuditCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(AuditCSV.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"" && AuditCSV.field("-1") == "'-1" && AuditCSV.field("@x") == "'@x")
        let document = AuditCSV.document(Self.chain(2))
        let lines = document.components(separatedBy: "\r\n")
        #expect(lines[0] == AuditCSV.header && lines.count == 4 && lines[3].isEmpty)
        #expect(lines[1].hasPrefix("1,2023-11-14T22:13:21.000Z,2,user1,,change,POST /api/v1/bots/1/start → 202,"))
    }
}

@Suite struct WakeupCancellationTests {
    /// A loop waiting its round ends at once when its task is cancelled (a worker stopping does
    /// not wait out the round).
    @Test func aCancelledWaitReturnsAtOnce() async {
        let wakeup = Wakeup()
        let started = ContinuousClock.now
        let waiter = Task { await wakeup.wait(upTo: .seconds(60)) }
        waiter.cancel()
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(30))
        // Cancelled before it began: it does not wait either.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await wakeup.wait(upTo: .seconds(60))
        }
        await early.value
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}

@Suite struct MetricsAccessTests {
    @Test func whoMetricsAnswers() {
        #expect(MetricsAccess.loopback.allows(remoteAddress: "127.0.0.1", adminToken: false))
        #expect(MetricsAccess.loopback.allows(remoteAddress: "::1", adminToken: false) && MetricsAccess.loopback.allows(remoteAddress: "::ffff:127.0.0.2", adminToken: false))
        #expect(!MetricsAccess.loopback.allows(remoteAddress: "10.0.0.5", adminToken: true), "loopback only: a token does not open it")
        #expect(!MetricsAccess.adminToken.allows(remoteAddress: "127.0.0.1", adminToken: false) && MetricsAccess.adminToken.allows(remoteAddress: "10.0.0.5", adminToken: true))
        #expect(MetricsAccess.loopbackOrAdminToken.allows(remoteAddress: "127.0.0.1", adminToken: false))
        #expect(MetricsAccess.loopbackOrAdminToken.allows(remoteAddress: "10.0.0.5", adminToken: true))
        #expect(!MetricsAccess.loopbackOrAdminToken.allows(remoteAddress: "10.0.0.5", adminToken: false))
        #expect(!MetricsAccess.isLoopback("128.0.0.1") && !MetricsAccess.isLoopback("unknown"))
        #expect(MetricsAccess.adminToken.refusal.contains("web.metrics_access: admin_token"))
    }
}

@Suite struct PlatformPoliciesTests {
    static func dca(base: String = "20", safety: Int = 2, scale: String = "2", allocation: String = "200", mode: BotDefinition.Mode = .paper, symbol: String = "BTCUSDT") throws
        -> BotDefinition
    {
        let parameters = DCAParameters(
            symbol: symbol, baseOrder: Decimal(string: base)!, safetyOrders: safety, deviationPct: 2, stepScale: 1, volumeScale: Decimal(string: scale)!,
            takeProfitPct: 1.5)
        return BotDefinition(name: "d", mode: mode, allocationUsdt: Decimal(string: allocation)!, plan: .dca(parameters))
    }

    @Test func eachPolicyRefusesNamingItself() throws {
        let policies = PlatformPolicies(maxOrderUsdt: 50, maxAllocationUsdt: 300, allowedSymbols: ["BTCUSDT"], botsPerUser: 2, paperOnlyUntilApproved: true)
        #expect(policies.checkOrder(usdt: 50) == nil && policies.checkOrder(usdt: 50.01)?.policy == "max_order_usdt")
        #expect(policies.checkOrder(usdt: 60)?.message == "The platform's policy \"largest order\" allows 50.00 USDT; this order is 60.00 USDT.")
        #expect(policies.checkSymbol("BTCUSDT") == nil && policies.checkSymbol("ETHUSDT")?.policy == "allowed_symbols")
        #expect(policies.checkBotCount(existing: 1) == nil && policies.checkBotCount(existing: 2)?.policy == "bots_per_user")
        #expect(policies.checkLive(approved: true) == nil && policies.checkLive(approved: false)?.policy == "paper_only_until_approved")
        #expect(try policies.checkBot(Self.dca(), approved: false) == nil, "paper is allowed before approval")
        #expect(try policies.checkBot(Self.dca(mode: .live), approved: false)?.policy == "paper_only_until_approved")
        #expect(try policies.checkBot(Self.dca(mode: .live), approved: true) == nil)
        #expect(try policies.checkBot(Self.dca(allocation: "301"), approved: true)?.policy == "max_allocation_usdt")
        #expect(try policies.checkBot(Self.dca(symbol: "ETHUSDT"), approved: true)?.policy == "allowed_symbols")
        // Base 20, safety orders 20 and 40: the largest is 40; with three, 80.
        #expect(try PlatformPolicies.largestOrder(Self.dca()) == 40)
        #expect(try policies.checkBot(Self.dca(safety: 3, allocation: "300"), approved: true)?.policy == "max_order_usdt")
        #expect(try PlatformPolicies().checkBot(Self.dca(safety: 3, allocation: "300", mode: .live), approved: false) == nil, "no policies: no limits")
    }

    @Test func theAdminsFormIsReadFieldByField() throws {
        let parsed = try PlatformPolicies.parse(maxOrder: " 100 ", maxAllocation: "", symbols: "btcusdt, ETHUSDT,,BTCUSDT", botsPerUser: "5", paperOnly: true).get()
        #expect(parsed == PlatformPolicies(maxOrderUsdt: 100, maxAllocationUsdt: nil, allowedSymbols: ["BTCUSDT", "ETHUSDT"], botsPerUser: 5, paperOnlyUntilApproved: true))
        #expect(PlatformPolicies.parse(maxOrder: "-1", maxAllocation: nil, symbols: nil, botsPerUser: nil, paperOnly: false).failure?.policy == "max_order_usdt")
        #expect(PlatformPolicies.parse(maxOrder: nil, maxAllocation: "lots", symbols: nil, botsPerUser: nil, paperOnly: false).failure?.policy == "max_allocation_usdt")
        #expect(PlatformPolicies.parse(maxOrder: nil, maxAllocation: nil, symbols: "BTC/USDT", botsPerUser: nil, paperOnly: false).failure?.policy == "allowed_symbols")
        #expect(PlatformPolicies.parse(maxOrder: nil, maxAllocation: nil, symbols: nil, botsPerUser: "0", paperOnly: false).failure?.policy == "bots_per_user")
        let encoded = String(decoding: try JSONEncoder().encode(parsed), as: UTF8.self)
        #expect(try JSONDecoder().decode(PlatformPolicies.self, from: Data(encoded.utf8)) == parsed && encoded.contains("\"max_order_usdt\""))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

@Suite struct APIRestrictionsTests {
    @Test func aWithdrawingKeyIsRefusedAndAnUnboundOneWarned() {
        guard case .refuse(let reason) = APIRestrictions(enableWithdrawals: true, ipRestrict: true, enableSpotAndMarginTrading: true).verdict else {
            Issue.record("a key that may withdraw was not refused")
            return
        }
        #expect(reason.contains("withdraw"))
        guard case .store(let warning) = APIRestrictions(enableWithdrawals: false, ipRestrict: false, enableSpotAndMarginTrading: true).verdict else {
            Issue.record("refused")
            return
        }
        #expect(warning?.contains("not restricted to IP addresses") == true)
        #expect(APIRestrictions(enableWithdrawals: false, ipRestrict: true, enableSpotAndMarginTrading: nil).verdict == .store(warning: nil))
    }
}
