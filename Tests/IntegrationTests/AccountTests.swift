import Common
import Foundation
import GRDB
import NIOHTTP1
import Testing

/// Accounts, sessions, CSRF, throttling, isolation and the exchange key, through the real
/// supervisor, web and simulator (issue: accounts, sessions and the API-key vault).
@Suite(.serialized, .timeLimit(.minutes(3))) struct AccountTests {
    static let password = "correct horse battery"

    /// A supervisor with its web up; the body gets a fresh client.
    static func withSystem(_ name: String, environment: [String: String] = [:], _ body: (SupervisorProcess, WebClient) async throws -> Void) async throws {
        let temp = try TestDataDir(name)
        let supervisor = try SupervisorProcess(dataDir: temp.path + "/data", name: name, environment: environment)
        try await supervisor.use { () async throws in
            let up = await waitUntil(.seconds(20)) { supervisor.child("web") != nil }
            #expect(up, "\(supervisor.output)")
            let deadline = ContinuousClock.now + .seconds(20)
            while (try? await HTTP.get("http://127.0.0.1:\(supervisor.webPort)/healthz"))?.status != 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await body(supervisor, WebClient(port: supervisor.webPort))
        }
    }

    static func cookieAttributes(_ answer: HTTP.Answer, _ name: String) -> String? {
        answer.headers[canonicalForm: "Set-Cookie"].first { $0.hasPrefix(name + "=") }.map(String.init)
    }

    @Test func signUpLogInAndLogOutThroughTheJSONAPI() async throws {
        try await Self.withSystem("accounts") { supervisor, web in
            let alice = try await web.signUp("alice", Self.password)
            // Unique regardless of case; the rules, with messages that say what to do.
            let taken = try await web.send(.POST, "/api/v1/signup", json: ["username": "ALICE", "password": Self.password])
            #expect(taken.status == 409 && (taken.json?["error"] as? [String: Any])?["code"] as? String == "username_taken")
            let short = try await web.send(.POST, "/api/v1/signup", json: ["username": "bob", "password": "short"])
            #expect(short.status == 422 && short.body.contains("at least 10 characters"))
            let same = try await web.send(.POST, "/api/v1/signup", json: ["username": "bobbybobby", "password": "BobbyBobby"])
            #expect(same.status == 422 && same.body.contains("must not be the username"))
            let garbage = try await web.send(.POST, "/api/v1/signup", headers: [("Content-Type", "application/json")])
            #expect(garbage.status == 400)
            let wrongType = try await web.send(.POST, "/api/v1/signup", json: ["username": 7, "password": Self.password])
            #expect(wrongType.status == 400 && wrongType.body.contains("\\\"username\\\" must be a string"))

            // The stored hash is bcrypt at cost 12.
            let database = try CentralDatabase.open(supervisor.directory)
            let hash = try #require(try database.users.passwordHash(alice))
            #expect(hash.hasPrefix("$2b$12$"))

            // An unknown user and a wrong password get the same answer.
            let unknown = try await web.logIn("nobody", Self.password)
            let wrong = try await web.logIn("alice", "wrong password!")
            #expect(unknown.status == 401 && wrong.status == 401 && unknown.body == wrong.body)

            // Login: the cookie is HttpOnly, SameSite=Lax, a browser-session cookie without
            // "keep me signed in" and a 30-day one with it.
            let login = try await web.logIn("Alice", Self.password)
            #expect(login.status == 200, "\(login.body)")
            #expect((login.json?["user_id"] as? NSNumber)?.int64Value == alice.rawValue)
            let cookie = try #require(Self.cookieAttributes(login, "ctp_session"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Max-Age") && !cookie.contains("Secure"))
            let me = try await web.get("/api/v1/me")
            #expect(me.json?["username"] as? String == "alice" && me.json?["csrf_token"] as? String == web.csrf)

            let phone = WebClient(port: supervisor.webPort)
            let remembered = try await phone.logIn("alice", Self.password, remember: true)
            let persistent = try #require(Self.cookieAttributes(remembered, "ctp_session"))
            let maxAge = persistent.split(separator: ";").compactMap { part -> Int? in
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=")
                return pair.first == "Max-Age" ? Int(pair[1]) : nil
            }.first
            #expect(maxAge.map { abs($0 - 30 * 86_400) < 60 } == true, "\(persistent)")
            #expect(try database.sessions.count(of: alice) == 2)

            // Sessions live in central.sqlite: a restart of the web keeps them.
            let webPid = try #require(supervisor.child("web")).pid
            kill(webPid, SIGKILL)
            let back = await waitUntil(.seconds(15)) { (supervisor.child("web")?.pid ?? webPid) != webPid }
            #expect(back)
            var meAgain = try? await phone.get("/api/v1/me")
            let deadline = ContinuousClock.now + .seconds(15)
            while meAgain?.status != 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                meAgain = try? await phone.get("/api/v1/me")
            }
            #expect(meAgain?.status == 200, "a remembered session survives a restart of the web")

            // Logout ends only that session, on the server: the old cookie is dead.
            let oldCookie = try #require(web.cookies["ctp_session"])
            let logout = try await web.send(.POST, "/api/v1/logout")
            #expect(logout.status == 204)
            let replay = try await HTTP.execute(.init(url: web.base + "/api/v1/me", method: .GET, headers: [("Cookie", "ctp_session=\(oldCookie)")]))
            #expect(replay.status == 401)
            #expect(try await phone.get("/api/v1/me").status == 200)

            // A password change ends every session; the client that made it gets a new one.
            let laptop = WebClient(port: supervisor.webPort)
            try await laptop.logIn("alice", Self.password)
            let change = try await phone.send(.POST, "/api/v1/password", json: ["current_password": Self.password, "new_password": "a new long password"])
            #expect(change.status == 200, "\(change.body)")
            phone.csrf = change.json?["csrf_token"] as? String
            #expect(try await laptop.get("/api/v1/me").status == 401)
            #expect(try await phone.get("/api/v1/me").status == 200)
            #expect(try await WebClient(port: supervisor.webPort).logIn("alice", Self.password).status == 401)
            #expect(try await WebClient(port: supervisor.webPort).logIn("alice", "a new long password").status == 200)
            let badChange = try await phone.send(.POST, "/api/v1/password", json: ["current_password": "not it at all", "new_password": "whatever else 1"])
            #expect(badChange.status == 403)

            // Security headers on every kind of response.
            for answer in [me, logout, try await web.get("/login"), try await web.get("/api/v1/nothing"), try await web.get("/static/app.css"), try await web.get("/settings")] {
                let policy = answer.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
                #expect(answer.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(answer.headers.first(name: "Referrer-Policy") != nil)
            }
        }
    }

    @Test func loginIssuesANewSessionIdAndFormsCarryTheirTokens() async throws {
        try await Self.withSystem("fixation") { supervisor, browser in
            // The sign-up form, as a browser posts it: the pre-session token must match its cookie.
            let form = try await browser.get("/signup")
            let token = try #require(WebClient.hiddenField("form_token", in: form.body))
            #expect(browser.cookies["ctp_form"] == token)
            let forged = WebClient(port: supervisor.webPort)
            let refused = try await forged.send(.POST, "/signup", form: ["form_token": token, "username": "mallory", "password": Self.password])
            #expect(refused.status == 403, "a form token without its cookie is refused")
            let signup = try await browser.send(.POST, "/signup", form: ["form_token": token, "username": "bob", "password": Self.password])
            #expect(signup.status == 303 && signup.headers.first(name: "Location") == "/settings", "\(signup.status) \(signup.body)")
            let firstSession = try #require(browser.cookies["ctp_session"])

            // Session fixation: an id planted before login is never the one after it.
            let attacker = WebClient(port: supervisor.webPort)
            try await attacker.logIn("bob", Self.password)
            let planted = try #require(attacker.cookies["ctp_session"])
            let victim = WebClient(port: supervisor.webPort)
            victim.setCookie("ctp_session", planted)
            let loginPage = try await victim.get("/login")
            #expect(loginPage.status == 303, "already signed in with the planted cookie")
            victim.setCookie("ctp_session", "attacker-chosen-value-attacker-chosen-value")
            let page = try await victim.get("/login")
            let formToken = try #require(WebClient.hiddenField("form_token", in: page.body))
            let login = try await victim.send(.POST, "/login", form: ["form_token": formToken, "username": "bob", "password": Self.password, "next": "//evil.example"])
            #expect(login.status == 303 && login.headers.first(name: "Location") == "/", "no open redirect")
            let issued = try #require(victim.cookies["ctp_session"])
            #expect(issued != planted && issued != firstSession && issued != "attacker-chosen-value-attacker-chosen-value")
            // Logging in again over a live session ends the old one.
            victim.setCookie("ctp_session", planted)
            let relogin = try await victim.logIn("bob", Self.password)
            #expect(relogin.status == 200)
            #expect(try await attacker.get("/api/v1/me").status == 401, "the session the client had before login is over")

            // CSRF on JSON: a state-changing call with a session needs the header, and the right one.
            let noHeader = try await browser.send(.DELETE, "/api/v1/exchange-key", csrf: false)
            #expect(noHeader.status == 403 && noHeader.body.contains("csrf_failed"))
            let wrongHeader = try await browser.send(.DELETE, "/api/v1/exchange-key", headers: [("X-CSRF-Token", "wrong")], csrf: false)
            #expect(wrongHeader.status == 403)
            let logoutWithout = try await browser.send(.POST, "/api/v1/logout", csrf: false)
            #expect(logoutWithout.status == 403)
            #expect(try await browser.get("/api/v1/me").status == 200, "a refused logout leaves the session alone")

            // CSRF on forms: the hidden field must carry the session's token.
            let settings = try await browser.get("/settings")
            #expect(settings.status == 200 && settings.body.contains("No API key is stored"))
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: settings.body))
            let forgedForm = try await browser.send(.POST, "/settings/password", form: ["current_password": Self.password, "new_password": "hijacked password"])
            #expect(forgedForm.status == 403)
            // One character changed, never to itself (the token is random: it may start with any letter).
            let forgedToken = (csrf.first == "x" ? "y" : "x") + csrf.dropFirst()
            let wrongForm = try await browser.send(.POST, "/logout", form: ["csrf_token": forgedToken])
            #expect(wrongForm.status == 403)
            #expect(try await browser.get("/api/v1/me").status == 200)
            let logout = try await browser.send(.POST, "/logout", form: ["csrf_token": csrf])
            #expect(logout.status == 303 && logout.headers.first(name: "Location") == "/login")
            #expect(try await browser.get("/api/v1/me").status == 401)
            #expect(try await browser.get("/settings").status == 303, "signed out: pages send to the login")
        }
    }

    @Test func repeatedFailedLoginsAreSlowedThenRefusedWithRetryAfter() async throws {
        try await Self.withSystem("throttle") { supervisor, web in
            try await web.signUp("carol", Self.password)
            var statuses: [Int] = []
            let started = ContinuousClock.now
            for _ in 0..<5 { statuses.append(try await web.logIn("carol", "not the password").status) }
            #expect(statuses == [401, 401, 401, 401, 401])
            #expect(ContinuousClock.now - started > .seconds(1.5), "failures past the third are slowed down")
            let refused = try await web.logIn("carol", Self.password)
            #expect(refused.status == 429, "\(refused.body)")
            let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 60)
            // The lock is short: after Retry-After the right password works.
            try await Task.sleep(for: .seconds(Double(retryAfter) + 0.3))
            #expect(try await web.logIn("carol", Self.password).status == 200)
            // The form says it too, with the header.
            let page = try await web.get("/login")
            #expect(page.status == 303)
        }
    }

    @Test func cookiesAreSecureWhenTheSiteIsServedOverTLS() async throws {
        try await Self.withSystem("secure", environment: ["TRADER_WEB_SECURE_COOKIES": "true"]) { _, web in
            try await web.signUp("erin", Self.password)
            let login = try await web.send(.POST, "/api/v1/login", json: ["username": "erin", "password": Self.password, "remember_me": true])
            let cookie = try #require(Self.cookieAttributes(login, "ctp_session"))
            #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            let form = try await WebClient(port: web.base.split(separator: ":").last.flatMap { Int($0) } ?? 0).get("/login")
            #expect(Self.cookieAttributes(form, "ctp_form")?.contains("Secure") == true)
        }
    }

    @Test func anotherUsersIdGivesNotFoundOnEveryRoute() async throws {
        try await Self.withSystem("idor") { supervisor, alice in
            let aliceID = try await alice.signUp("alice", Self.password)
            let bobClient = WebClient(port: supervisor.webPort)
            let bob = try await bobClient.signUp("bob", Self.password)
            try await alice.logIn("alice", Self.password)
            try await bobClient.logIn("bob", Self.password)
            let bobKey = try await bobClient.send(.POST, "/api/v1/sim-account")
            #expect(bobKey.status == 200, "\(bobKey.body)")
            let bobMasked = try #require(bobKey.json?["masked_key"] as? String)

            let attempts: [(HTTPMethod, String, [String: Any]?)] = [
                (.GET, "/api/v1/me?user_id=\(bob.rawValue)", nil),
                (.GET, "/api/v1/exchange-key?user_id=\(bob.rawValue)", nil),
                (.DELETE, "/api/v1/exchange-key?user_id=\(bob.rawValue)", nil),
                (.PUT, "/api/v1/exchange-key", ["user_id": bob.rawValue, "api_key": "k" + String(repeating: "x", count: 20), "api_secret": "s"]),
                (.POST, "/api/v1/password", ["user_id": bob.rawValue, "current_password": Self.password, "new_password": "another password"]),
                (.POST, "/api/v1/sim-account?user_id=\(bob.rawValue)", nil),
                (.GET, "/settings?user_id=\(bob.rawValue)", nil),
                (.GET, "/?user_id=\(bob.rawValue)", nil),
                (.GET, "/api/v1/users/\(bob.rawValue)", nil),
            ]
            for (method, path, body) in attempts {
                let answer = try await alice.send(method, path, json: body)
                #expect(answer.status == 404, "\(method) \(path): \(answer.status) \(answer.body)")
                #expect(!answer.body.contains(bobMasked) && !answer.body.contains("\"bob\""))
            }
            // Nothing of bob's changed, and alice's own id is fine.
            #expect(try await bobClient.get("/api/v1/exchange-key").json?["masked_key"] as? String == bobMasked)
            #expect(try await alice.get("/api/v1/me?user_id=\(aliceID.rawValue)").status == 200)
            #expect(try await alice.get("/api/v1/exchange-key").status == 404)
        }
    }
}

