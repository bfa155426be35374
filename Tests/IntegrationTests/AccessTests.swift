import Common
import Foundation
import GRDB
import Testing

/// Personal API tokens, the audit trail and roles through the real supervisor and web (issue 19):
/// a read token cannot start a bot (403 naming the scope), a trade token can, without a CSRF
/// token; a revoked or expired token gets 401, account security needs the browser, a token has
/// its own budget; every action is in the chained audit log, `supervisor audit verify` holds and
/// then names the row edited in the file; `supervisor admin grant|revoke`; a disabled account
/// cannot sign in and its token stops working.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AccessTests {
    /// Runs `supervisor <arguments>` and returns its exit status and output.
    static func supervisor(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/supervisor")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return ExchangeKeyTests.finish((process, output))
    }

    static func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer " + token)] }

    /// Keeps a page as an artifact, so the run's secret scan (Tests/scan_logs.py) reads it too.
    static func keep(_ answer: HTTP.Answer, as name: String) {
        let folder = TestPaths.artifacts + "/admin-pages"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(answer.body.utf8))
    }

    static func code(_ answer: HTTP.Answer) -> String? { (answer.json?["error"] as? [String: Any])?["code"] as? String }

    @Test func tokensScopesAuditTrailAndRoles() async throws {
        try await AccountTests.withSystem("access") { supervisor, web in
            try await web.signUp("ann", AccountTests.password)
            try await web.logIn("ann", AccountTests.password)
            #expect(try await web.get("/api/v1/me").json?["is_admin"] as? Bool == true, "the first account is the administrator")

            // Tokens are made by the signed-in browser and shown once.
            let readMade = try await web.send(.POST, "/api/v1/tokens", json: ["name": "report", "scopes": ["read"], "expires_in_days": 7])
            #expect(readMade.status == 201, "\(readMade.body)")
            let readToken = try #require(readMade.json?["token"] as? String)
            let readID = try #require((readMade.json?["id"] as? NSNumber)?.intValue)
            let tradeMade = try await web.send(.POST, "/api/v1/tokens", json: ["name": "trader", "scopes": ["read", "trade"]])
            let tradeToken = try #require(tradeMade.json?["token"] as? String)
            for token in [readToken, tradeToken] { SecretsSeen.record(token) }
            let badScope = try await web.send(.POST, "/api/v1/tokens", json: ["name": "x", "scopes": ["write"]])
            #expect(badScope.status == 422 && badScope.body.contains("\\\"write\\\" is not a scope"), "\(badScope.body)")
            let listed = try await web.get("/api/v1/tokens")
            #expect(listed.status == 200 && !listed.body.contains(readToken) && !listed.body.contains(tradeToken))
            #expect((listed.json?["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["trader", "report"])

            // A script: no cookie, no CSRF token.
            let script = WebClient(port: supervisor.webPort)
            #expect(try await script.send(.GET, "/api/v1/portfolio", headers: Self.bearer(readToken)).status == 200)
            #expect(try await script.send(.GET, "/api/v1/portfolio?user_id=999", headers: Self.bearer(readToken)).status == 404, "another user's id")
            let paperBot: [String: Any] = [
                "name": "paper dca", "mode": "paper", "symbol": "BTCUSDT", "allocation_usdt": "100",
                "strategy": ["name": "dca", "params": ["base_order": "20", "take_profit": "1.5", "safety_orders": 1, "deviation": "2"]],
            ]
            let readWrites = try await script.send(.POST, "/api/v1/bots", json: paperBot, headers: Self.bearer(readToken))
            #expect(readWrites.status == 403 && Self.code(readWrites) == "insufficient_scope" && readWrites.body.contains("\\\"trade\\\""), "\(readWrites.body)")
            let created = try await script.send(.POST, "/api/v1/bots", json: paperBot, headers: Self.bearer(tradeToken))
            #expect(created.status == 201, "\(created.body)")
            let bot = try #require((created.json?["bot_id"] as? NSNumber)?.intValue)
            #expect(try await script.send(.POST, "/api/v1/bots/\(bot)/start", headers: Self.bearer(readToken)).status == 403, "a read token cannot start a bot")
            #expect(try await script.send(.POST, "/api/v1/bots/\(bot)/start", headers: Self.bearer(tradeToken)).status == 202, "a trade token can")
            let security = try await script.send(.GET, "/api/v1/tokens", headers: Self.bearer(tradeToken))
            #expect(security.status == 403 && Self.code(security) == "session_required")
            let wrong = try await script.send(.GET, "/api/v1/portfolio", headers: Self.bearer("ctp_not-a-token"))
            #expect(wrong.status == 401 && Self.code(wrong) == "invalid_token")

            // Revoked: 401. Expired: 401 (made already expired in the file).
            #expect(try await web.send(.DELETE, "/api/v1/tokens/\(readID)").status == 204)
            #expect(try await web.send(.DELETE, "/api/v1/tokens/\(readID)").status == 404)
            #expect(try await script.send(.GET, "/api/v1/portfolio", headers: Self.bearer(readToken)).status == 401)
            let directory = DataDirectory(root: supervisor.dataDir)
            let central = try CentralDatabase.open(directory)
            let ann = try #require(try central.users.credentials(username: "ann")?.user)
            let expiredText = APITokenText.generate()
            _ = try central.apiTokens.create(
                user: ann.id, name: "old", tokenHash: SecureToken.storedForm(expiredText), scopes: [.read], at: Date(timeIntervalSinceNow: -8 * 86_400),
                expiresAt: Date(timeIntervalSinceNow: -86_400))
            #expect(try await script.send(.GET, "/api/v1/portfolio", headers: Self.bearer(expiredText)).status == 401)

            // Each token has its own budget: a burst past it gets 429 with Retry-After; the other token is not held up.
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<Int(TokenBucket.burst) * 2 {
                    group.addTask {
                        let answer = try await WebClient(port: supervisor.webPort).send(.GET, "/api/v1/bots", headers: Self.bearer(tradeToken))
                        return (answer.status, answer.headers[canonicalForm: "Retry-After"].first.map(String.init))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.contains { $0.0 == 429 && $0.1 != nil }, "\(statuses.map(\.0))")
            #expect(statuses.allSatisfy { $0.0 == 200 || $0.0 == 429 })
            let tokens = try central.apiTokens.tokens(for: ann.id)
            #expect(tokens.first { $0.name == "trader" }?.lastUsedAt != nil, "its last use is listed")

            // The audit trail: what happened, by whom, from where; never a token.
            _ = try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": "ann", "password": "not the password"])
            let activity = try await web.get("/api/v1/activity")
            let actions = (activity.json?["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            for action in ["signup", "login.success", "login.failure", "token.created", "token.revoked", "token.write"] {
                #expect(actions.contains(action), "\(action) in \(actions)")
            }
            #expect(activity.body.contains("POST /api/v1/bots/\(bot)/start") && activity.body.contains("ann (token \\\"trader\\\")"), "\(activity.body.prefix(600))")
            let page = try await web.get("/settings/activity")
            #expect(page.status == 200 && page.body.contains("token.created") && page.body.contains("127.0.0.1"))
            let csv = try await web.get("/settings/activity.csv")
            #expect(csv.status == 200 && csv.body.hasPrefix(AuditCSV.header + "\r\n") && csv.body.contains(",login.failure,"))
            for secret in [readToken, tradeToken, expiredText, AccountTests.password] {
                #expect(!activity.body.contains(secret) && !csv.body.contains(secret) && !page.body.contains(secret))
            }

            // The chain holds; one row edited in the file is named.
            let (intact, intactText) = try Self.supervisor(["audit", "verify", "--data-dir", supervisor.dataDir])
            #expect(intact == 0 && intactText.contains("audit log intact:"), "\(intactText)")
            let pool = try DatabasePool(path: directory.centralDatabase)
            try await pool.write { db in try db.execute(sql: "UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3") }
            let (broken, brokenText) = try Self.supervisor(["audit", "verify", "--data-dir", supervisor.dataDir])
            #expect(broken == 1 && brokenText.contains("row 3 was changed"), "\(brokenText)")

            // Roles from the command line.
            try await WebClient(port: supervisor.webPort).signUp("bob", AccountTests.password)
            let (granted, grantText) = try Self.supervisor(["admin", "grant", "bob", "--data-dir", supervisor.dataDir])
            #expect(granted == 0 && grantText.contains("bob is now an administrator"), "\(grantText)")
            #expect(try central.users.credentials(username: "bob")?.user.isAdmin == true)
            let (revoked, revokeText) = try Self.supervisor(["admin", "revoke", "bob", "--data-dir", supervisor.dataDir])
            #expect(revoked == 0 && revokeText.contains("no longer"), "\(revokeText)")
            let (missing, missingText) = try Self.supervisor(["admin", "grant", "nobody", "--data-dir", supervisor.dataDir])
            #expect(missing == 1 && missingText.contains("no account is named \"nobody\""), "\(missingText)")

            // A disabled account: no sign-in, its sessions and token stop working.
            try central.users.setDisabled(at: Date(), for: ann.id)
            #expect(try await web.get("/api/v1/me").status == 401)
            #expect(try await script.send(.GET, "/api/v1/bots", headers: Self.bearer(tradeToken)).status == 401)
            let refused = try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password])
            #expect(refused.status == 403 && Self.code(refused) == "account_disabled", "\(refused.body)")
        }
    }
}

/// The operator's console (issue 19): only administrators see it (404 for everyone else, pages
/// and API); disabling an account ends its sessions and tokens and stops its worker within 2 s;
/// enabling it lets it sign in again; the console shows no secret.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AdminConsoleTests {
    @Test func onlyAdminsSeeItAndADisabledAccountStopsWithinTwoSeconds() async throws {
        try await AccountTests.withSystem("admin-console") { supervisor, admin in
            try await admin.signUp("root", AccountTests.password)
            try await admin.logIn("root", AccountTests.password)
            let bob = WebClient(port: supervisor.webPort)
            let bobID = try await bob.signUp("bob", AccountTests.password)
            try await bob.logIn("bob", AccountTests.password)
            let made = try await bob.send(.POST, "/api/v1/tokens", json: ["name": "bob's script", "scopes": ["read"]])
            let bobToken = try #require(made.json?["token"] as? String)
            SecretsSeen.record(bobToken)

            // Everyone but an administrator: 404, pages and API alike.
            for path in ["/admin", "/admin/audit", "/admin/audit.csv"] {
                #expect(try await bob.get(path).status == 404, "\(path)")
                #expect(try await admin.get(path).status == 200, "\(path)")
            }
            #expect(try await bob.get("/api/v1/admin/users").status == 404)
            #expect(try await bob.send(.POST, "/api/v1/admin/users/\(bobID.rawValue)/disable").status == 404)
            #expect(try await bob.send(.GET, "/api/v1/admin/users", headers: AccessTests.bearer(bobToken)).status == 403, "a token without the admin scope")
            #expect(!(try await bob.get("/settings").body.contains("href=\"/admin\"")))
            #expect(try await admin.get("/settings").body.contains("href=\"/admin\""))

            // bob runs a paper bot: his worker is up.
            let created = try await bob.send(.POST, "/api/v1/bots", json: [
                "name": "paper dca", "mode": "paper", "symbol": "BTCUSDT", "allocation_usdt": "100",
                "strategy": ["name": "dca", "params": ["base_order": "20", "take_profit": "1.5", "safety_orders": 1, "deviation": "2"]],
            ])
            let bot = try #require((created.json?["bot_id"] as? NSNumber)?.intValue)
            #expect(try await bob.send(.POST, "/api/v1/bots/\(bot)/start").status == 202)
            #expect(await waitUntil(.seconds(30)) { supervisor.child("worker", user: bobID) != nil }, "\(supervisor.output.suffix(2000))")
            let console = try await admin.get("/admin")
            #expect(console.body.contains("id=\"user-\(bobID.rawValue)\"") && console.body.contains("bob"))
            let users = try await admin.get("/api/v1/admin/users")
            #expect((users.json?["items"] as? [[String: Any]])?.map { $0["username"] as? String } == ["root", "bob"], "\(users.body)")
            #expect((users.json?["items"] as? [[String: Any]])?.allSatisfy { $0.keys.contains("today_pnl_usdt") } == true)
            // Processes with their memory (read by the supervisor every 2 s) and restarts.
            #expect(try await waitUntilAsync(.seconds(10)) {
                let body = try await admin.get("/admin").body
                return body.contains("worker/\(bobID.rawValue)") && body.range(of: #"<td>\d+ MB</td>"#, options: .regularExpression) != nil
            })
            #expect(try await admin.send(.POST, "/api/v1/admin/users/1/disable").status == 409, "not one's own account")

            // Disabled: sessions and tokens end at once, the worker within 2 s.
            let started = ContinuousClock.now
            #expect(try await admin.send(.POST, "/api/v1/admin/users/\(bobID.rawValue)/disable").status == 204)
            #expect(await waitUntil(.seconds(5)) { supervisor.child("worker", user: bobID) == nil })
            let took = ContinuousClock.now - started
            #expect(took < .seconds(2), "the worker stopped after \(took)")
            #expect(try await bob.get("/api/v1/me").status == 401)
            #expect(try await bob.send(.GET, "/api/v1/bots", headers: AccessTests.bearer(bobToken)).status == 401)
            let refused = try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": "bob", "password": AccountTests.password])
            #expect(refused.status == 403 && AccessTests.code(refused) == "account_disabled")
            let page = try await admin.get("/admin")
            #expect(page.body.contains("disabled since"))
            for secret in [bobToken, AccountTests.password] { #expect(!page.body.contains(secret)) }
            let trail = try await admin.get("/admin/audit")
            #expect(trail.body.contains("admin.user_disabled") && trail.body.contains("login.failure"))
            // Every admin page and answer, kept for the secret scan.
            do {
                AccessTests.keep(page, as: "admin.html")
                AccessTests.keep(trail, as: "admin-audit.html")
                AccessTests.keep(try await admin.get("/admin/audit.csv"), as: "admin-audit.csv")
                AccessTests.keep(try await admin.get("/api/v1/admin/users"), as: "admin-users.json")
                AccessTests.keep(try await admin.get("/api/v1/admin/policies"), as: "admin-policies.json")
            }

            // Enabled again: bob signs in, his wanted bot's worker comes back.
            #expect(try await admin.send(.POST, "/api/v1/admin/users/\(bobID.rawValue)/enable").status == 204)
            #expect(try await WebClient(port: supervisor.webPort).logIn("bob", AccountTests.password).status == 200)
            #expect(await waitUntil(.seconds(30)) { supervisor.child("worker", user: bobID) != nil })
        }
    }
}

/// The platform's kill switch (issue 19): ten users' running bots stop within 2 s of it, their
/// starts are refused while it is on (naming it), and after its release they start again.
@Suite(.serialized, .timeLimit(.minutes(4))) struct KillSwitchTests {
    @Test func theKillSwitchStopsTenUsersBotsWithinTwoSecondsAndBlocksStarts() async throws {
        try await AccountTests.withSystem("kill-switch") { supervisor, admin in
            try await admin.signUp("root", AccountTests.password)
            try await admin.logIn("root", AccountTests.password)
            var users: [(UserID, WebClient, Int)] = []
            for index in 0..<10 {
                let web = WebClient(port: supervisor.webPort)
                let id = try await web.signUp("trader\(index)", AccountTests.password)
                try await web.logIn("trader\(index)", AccountTests.password)
                let created = try await web.send(.POST, "/api/v1/bots", json: [
                    "name": "paper dca", "mode": "paper", "symbol": "BTCUSDT", "allocation_usdt": "100",
                    "strategy": ["name": "dca", "params": ["base_order": "20", "take_profit": "1.5", "safety_orders": 1, "deviation": "2"]],
                ])
                let bot = try #require((created.json?["bot_id"] as? NSNumber)?.intValue, "\(created.body)")
                #expect(try await web.send(.POST, "/api/v1/bots/\(bot)/start").status == 202)
                users.append((id, web, bot))
            }
            func running() -> Int { users.filter { supervisor.child("worker", user: $0.0) != nil }.count }
            #expect(await waitUntil(.seconds(90)) { running() == 10 }, "\(running()) of 10 workers run")

            let engaged = ContinuousClock.now
            let answer = try await admin.send(.POST, "/api/v1/admin/kill-switch", json: ["on": true])
            print("kill switch: answered after \(ContinuousClock.now - engaged)")
            #expect(answer.status == 200 && (answer.json?["workers_stopped"] as? NSNumber)?.intValue == 10, "\(answer.body)")
            #expect(await waitUntil(.seconds(10)) { running() == 0 })
            let took = ContinuousClock.now - engaged
            print("kill switch: ten workers stopped \(took) after it was engaged")
            #expect(took < .seconds(2), "the bots stopped after \(took)")
            #expect(try await admin.get("/admin").body.contains("id=\"kill-switch-state\""))

            for (_, web, bot) in users {
                let refused = try await web.send(.POST, "/api/v1/bots/\(bot)/start")
                #expect(refused.status == 409 && AccessTests.code(refused) == "kill_switch", "\(refused.body)")
            }
            #expect(running() == 0, "a refused start brought up no worker")
            let trail = try await admin.get("/admin/audit")
            #expect(trail.body.contains("admin.kill_switch_on"))

            #expect(try await admin.send(.POST, "/api/v1/admin/kill-switch", json: ["on": false]).status == 200)
            let (id, web, bot) = users[0]
            #expect(try await web.send(.POST, "/api/v1/bots/\(bot)/start").status == 202)
            #expect(await waitUntil(.seconds(30)) { supervisor.child("worker", user: id) != nil })
            #expect(running() == 1, "the other bots stay stopped until their users start them")
        }
    }
}

/// Sign-up open, by invitation (each code once) or closed (issue 19).
@Suite(.serialized, .timeLimit(.minutes(3))) struct SignupModeTests {
    static func signUp(_ port: Int, _ name: String, code: String? = nil, password: String = AccountTests.password) async throws -> HTTP.Answer {
        var body: [String: Any] = ["username": name, "password": password]
        if let code { body["invitation_code"] = code }
        return try await WebClient(port: port).send(.POST, "/api/v1/signup", json: body)
    }

    @Test func signUpOpenByInvitationOrClosed() async throws {
        try await AccountTests.withSystem("signup-modes") { supervisor, admin in
            let port = supervisor.webPort
            try await admin.signUp("root", AccountTests.password)
            try await admin.logIn("root", AccountTests.password)

            #expect(try await admin.send(.POST, "/api/v1/admin/signup-mode", json: ["mode": "closed"]).status == 204)
            let closed = try await Self.signUp(port, "bob")
            #expect(closed.status == 403 && AccessTests.code(closed) == "signup_closed", "\(closed.body)")
            #expect(try await WebClient(port: port).get("/signup").body.contains("id=\"signup-closed\""))
            #expect(try await admin.send(.POST, "/api/v1/admin/signup-mode", json: ["mode": "sometimes"]).status == 422)

            #expect(try await admin.send(.POST, "/api/v1/admin/signup-mode", json: ["mode": "invite"]).status == 204)
            #expect(try await WebClient(port: port).get("/signup").body.contains("name=\"invitation_code\""))
            let without = try await Self.signUp(port, "bob")
            #expect(without.status == 403 && AccessTests.code(without) == "invitation_invalid")
            let made = try await admin.send(.POST, "/api/v1/admin/invitations")
            let code = try #require(made.json?["code"] as? String, "\(made.body)")
            #expect(try await Self.signUp(port, "bob", code: "AAAA-BBBB-CCCC").status == 403, "an unknown code")
            let weak = try await Self.signUp(port, "bob", code: code, password: "short")
            #expect(weak.status == 422, "a refused sign-up does not use the code")
            #expect(try await Self.signUp(port, "bob", code: code.lowercased()).status == 201)
            let again = try await Self.signUp(port, "carol", code: code)
            #expect(again.status == 403 && AccessTests.code(again) == "invitation_invalid", "a code is used once")
            let console = try await admin.get("/admin")
            #expect(console.body.contains("used") && console.body.contains("bob") && !console.body.contains(code), "the code is shown once only")

            #expect(try await admin.send(.POST, "/api/v1/admin/signup-mode", json: ["mode": "open"]).status == 204)
            #expect(try await Self.signUp(port, "carol").status == 201)
            let trail = try await admin.get("/admin/audit")
            #expect(trail.body.contains("admin.signup_mode") && trail.body.contains("admin.invitation_created"))
        }
    }
}

/// `/metrics` as `web.metrics_access` says (issue 19): with `admin_token`, only an
/// administrator's token of scope admin gets it, even on loopback.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MetricsAccessSystemTests {
    @Test func metricsNeedAnAdminTokenWhenConfigured() async throws {
        try await AccountTests.withSystem("metrics-access", environment: ["TRADER_WEB_METRICS_ACCESS": "admin_token"]) { supervisor, admin in
            try await admin.signUp("root", AccountTests.password)
            try await admin.logIn("root", AccountTests.password)
            let adminToken = try #require(try await admin.send(.POST, "/api/v1/tokens", json: ["name": "prometheus", "scopes": ["admin"]]).json?["token"] as? String)
            let readToken = try #require(try await admin.send(.POST, "/api/v1/tokens", json: ["name": "report", "scopes": ["read"]]).json?["token"] as? String)
            let scraper = WebClient(port: supervisor.webPort)
            let refused = try await scraper.get("/metrics")
            #expect(refused.status == 403 && refused.body.contains("web.metrics_access: admin_token"), "\(refused.body)")
            #expect(try await scraper.send(.GET, "/metrics", headers: AccessTests.bearer(readToken)).status == 403, "a token without the admin scope")
            let scraped = try await scraper.send(.GET, "/metrics", headers: AccessTests.bearer(adminToken))
            #expect(scraped.status == 200 && scraped.body.contains("# TYPE"), "\(scraped.body.prefix(200))")
        }
    }
}

/// The administrator's policies (issue 19): each refuses what exceeds it, naming itself, on
/// bots (create, start) and manual orders; approval lifts "paper only until approved".
@Suite(.serialized, .timeLimit(.minutes(3))) struct PolicyTests {
    static func dca(_ name: String, mode: String = "paper", symbol: String = "BTCUSDT", allocation: String = "100", base: String = "20") -> [String: Any] {
        [
            "name": name, "mode": mode, "symbol": symbol, "allocation_usdt": allocation,
            "strategy": ["name": "dca", "params": ["base_order": base, "take_profit": "1.5", "safety_orders": 1, "deviation": "2"]],
        ]
    }

    static func refusal(_ answer: HTTP.Answer) -> String {
        guard answer.status == 422, AccessTests.code(answer) == "policy_refused" else { return "\(answer.status) \(answer.body)" }
        return (answer.json?["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    @Test func eachPolicyRefusesNamingItselfAndApprovalLiftsPaperOnly() async throws {
        try await AccountTests.withSystem("policies") { supervisor, admin in
            try await admin.signUp("root", AccountTests.password)
            try await admin.logIn("root", AccountTests.password)
            let set = try await admin.send(.PUT, "/api/v1/admin/policies", json: [
                "max_order_usdt": "30", "max_allocation_usdt": 150, "allowed_symbols": ["BTCUSDT"], "bots_per_user": 2, "paper_only_until_approved": true,
            ])
            #expect(set.status == 200 && set.json?["max_order_usdt"] as? String == "30.00", "\(set.body)")
            let bad = try await admin.send(.PUT, "/api/v1/admin/policies", json: ["bots_per_user": "lots"])
            #expect(bad.status == 422 && bad.body.contains("bots_per_user"))

            let bob = WebClient(port: supervisor.webPort)
            let bobID = try await bob.signUp("bob", AccountTests.password)
            try await bob.logIn("bob", AccountTests.password)
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/bots", json: Self.dca("live", mode: "live"))).contains("\"paper only until approved\""))
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/bots", json: Self.dca("big", allocation: "200"))).contains("\"largest allocation per bot\" allows 150.00 USDT"))
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/bots", json: Self.dca("eth", symbol: "ETHUSDT"))).contains("\"allowed symbols\""))
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/bots", json: Self.dca("order", base: "40"))).contains("\"largest order\" allows 30.00 USDT"))
            let first = try await bob.send(.POST, "/api/v1/bots", json: Self.dca("one"))
            #expect(first.status == 201, "\(first.body)")
            #expect(try await bob.send(.POST, "/api/v1/bots", json: Self.dca("two")).status == 201)
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/bots", json: Self.dca("three"))).contains("\"bots per user\" allows 2"))
            try await ManualOrderAPITests.holdBTC(supervisor)
            let order = ManualOrderAPITests.limit("0.01", "40000.00", extra: ["request_id": "policy1"])
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/orders", json: order)).contains("\"paper only until approved\""))

            // A policy tightened after a bot was made: its start is refused too.
            let bot = try #require((first.json?["bot_id"] as? NSNumber)?.intValue)
            #expect(try await admin.send(.PUT, "/api/v1/admin/policies", json: ["max_order_usdt": "10", "paper_only_until_approved": true]).status == 200)
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/bots/\(bot)/start")).contains("\"largest order\" allows 10.00 USDT"))

            // Approved: live is allowed, the other limits still hold.
            #expect(try await admin.send(.POST, "/api/v1/admin/users/\(bobID.rawValue)/approve").status == 204)
            #expect(Self.refusal(try await bob.send(.POST, "/api/v1/orders", json: order)).contains("\"largest order\" allows 10.00 USDT; this order is 400.00 USDT"))
            #expect(try await admin.get("/admin").body.contains("approved"))
            let trail = try await admin.get("/admin/audit")
            #expect(trail.body.contains("admin.policies") && trail.body.contains("admin.user_approved"))
        }
    }
}

/// `exchange: mainnet` (issue 19), against the simulator standing in for Binance: refused
/// without `exchange.allow_mainnet: true`; with it, a banner on every page, a key that may
/// withdraw refused, one without an IP restriction stored with a warning.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MainnetModeTests {
    @Test func mainnetNeedsTheOperatorsWordRefusesWithdrawalKeysAndWarnsOfUnrestrictedOnes() async throws {
        let sim = try await SimulatorProcess()
        defer { sim.stop() }
        // Without the operator's word the supervisor does not start.
        let temp = try TestDataDir("mainnet-refused")
        let refused = Process()
        refused.executableURL = URL(fileURLWithPath: TestPaths.binDir + "/supervisor")
        refused.arguments = ["--data-dir", temp.path + "/data"]
        refused.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRADER_") }.merging(["TRADER_EXCHANGE": "mainnet"]) { $1 }
        let output = Pipe()
        refused.standardOutput = output
        refused.standardError = output
        try refused.run()
        let (status, text) = ExchangeKeyTests.finish((refused, output))
        #expect(status != 0 && text.contains("exchange.allow_mainnet: true"), "\(status) \(text)")

        let environment = ["TRADER_EXCHANGE": "mainnet", "TRADER_EXCHANGE_ALLOW_MAINNET": "true", "TRADER_MAINNET_BASE_URL": sim.baseURL]
        try await AccountTests.withSystem("mainnet", environment: environment) { supervisor, web in
            #expect(try await web.get("/login").body.contains("id=\"mainnet-banner\""))
            try await web.signUp("ann", AccountTests.password)
            try await web.logIn("ann", AccountTests.password)
            #expect(try await web.get("/settings").body.contains("id=\"mainnet-banner\""))

            let withdrawing = try await sim.createAccount(permissions: ["enable_withdrawals": true, "ip_restrict": true])
            let answer = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": withdrawing.apiKey, "api_secret": withdrawing.secret])
            #expect(answer.status == 422 && AccessTests.code(answer) == "key_rejected" && answer.body.contains("withdraw"), "\(answer.body)")
            #expect(try await web.get("/api/v1/exchange-key").status == 404, "not stored")

            let open = try await sim.createAccount(permissions: ["ip_restrict": false])
            let warned = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": open.apiKey, "api_secret": open.secret])
            #expect(warned.status == 200 && (warned.json?["warning"] as? String ?? "").contains("not restricted to IP addresses"), "\(warned.body)")

            let restricted = try await sim.createAccount(permissions: ["ip_restrict": true])
            let clean = try await web.send(.PUT, "/api/v1/exchange-key", json: ["api_key": restricted.apiKey, "api_secret": restricted.secret])
            #expect(clean.status == 200 && clean.json?["warning"] == nil, "\(clean.body)")
            for secret in [withdrawing.secret, open.secret, restricted.secret] { #expect(!supervisor.output.contains(secret)) }
        }
    }
}
