import Common
import Foundation
import Testing

/// Two-factor sign-in through the real web (issue 19): enrolment with a QR code and a first
/// code, login asking for the code after the password (the API in one request, the pages in two
/// steps), a code accepted once, recovery codes once each, turning it off with the password and a
/// code, wrong codes throttled like passwords; and pyotp's codes are ours.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SecondFactorTests {
    static let python = PythonScript.python

    /// pyotp's codes for `secret` at each time (`now+30`: 30 s from now).
    static func pyotp(_ secret: String, _ times: [String]) throws -> [String] {
        (try JSONSerialization.jsonObject(with: PythonScript.run("totp_codes.py", arguments: [secret] + times)) as? [String]) ?? []
    }

    @Test(.enabled(if: python != nil, "run through `make test`, which installs pyotp"))
    func enrolSignInWithCodesOnceAndTurnOff() async throws {
        try await AccountTests.withSystem("second-factor") { supervisor, web in
            try await web.signUp("ann", AccountTests.password)
            try await web.logIn("ann", AccountTests.password)
            #expect(try await web.get("/api/v1/2fa").json?["enabled"] as? Bool == false)

            // Enrolment: the secret as text, as an otpauth URI and as a QR code drawn by the server.
            let enrol = try await web.send(.POST, "/api/v1/2fa/enrol")
            #expect(enrol.status == 200, "\(enrol.body)")
            let secret = try #require(enrol.json?["secret"] as? String)
            let uri = try #require(enrol.json?["otpauth_uri"] as? String)
            #expect(uri.hasPrefix("otpauth://totp/Crypto%20Trader%20Pro:ann?secret=\(secret)&"))
            #expect((enrol.json?["qr_svg"] as? String ?? "").hasPrefix("<svg"))
            // pyotp agrees with ours at the RFC's times and now.
            let times = ["59", "1111111109", "1234567890", "2000000000"]
            let theirs = try Self.pyotp(secret, times)
            let ours = times.map { TOTP.code(secret: Base32.decode(secret)!, counter: TOTP.step(at: Date(timeIntervalSince1970: Double($0)!))) }
            #expect(theirs == ours && theirs.count == 4)

            let wrong = try await web.send(.POST, "/api/v1/2fa/confirm", json: ["code": "000000"])
            let now = try Self.pyotp(secret, ["now+0", "now+30", "now-30"])
            #expect(wrong.status == 422 || now.contains("000000"), "\(wrong.body)")
            let confirmed = try await web.send(.POST, "/api/v1/2fa/confirm", json: ["code": try Self.pyotp(secret, ["now+0"])[0]])
            #expect(confirmed.status == 200, "\(confirmed.body)")
            let recovery = try #require(confirmed.json?["recovery_codes"] as? [String])
            #expect(recovery.count == 10)
            #expect(try await web.get("/api/v1/2fa").json?["recovery_codes_left"] as? Int == 10)

            // The API: the code in the login request; none, a wrong one, a used one refused.
            var api = WebClient(port: supervisor.webPort)
            let none = try await api.send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password])
            #expect(none.status == 401 && none.body.contains("second_factor_required"), "\(none.body)")
            let bad = try await api.send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password, "code": "12345x"])
            #expect(bad.status == 401 && bad.body.contains("invalid_code"))
            let next = try Self.pyotp(secret, ["now+30"])[0]
            let good = try await api.send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password, "code": next])
            #expect(good.status == 200, "\(good.body)")
            let again = try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password, "code": next])
            #expect(again.status == 401 && again.body.contains("invalid_code"), "a code is accepted once")
            let byRecovery = try await WebClient(port: supervisor.webPort).send(
                .POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password, "code": recovery[0].uppercased()])
            #expect(byRecovery.status == 200, "\(byRecovery.body)")
            let recoveryAgain = try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password, "code": recovery[0]])
            #expect(recoveryAgain.status == 401)
            api.csrf = good.json?["csrf_token"] as? String

            // The pages: the password, then the code on its own page.
            let browser = WebClient(port: supervisor.webPort)
            let loginPage = try await browser.get("/login")
            let token = try #require(WebClient.hiddenField("form_token", in: loginPage.body))
            let first = try await browser.send(.POST, "/login", form: ["form_token": token, "username": "ann", "password": AccountTests.password])
            #expect(first.status == 200 && first.body.contains("action=\"/login/code\""), "\(first.status)")
            #expect(!first.body.contains(secret))
            let wrongCode = try await browser.send(.POST, "/login/code", form: ["form_token": token, "code": "999999"])
            #expect(wrongCode.status == 401 && wrongCode.body.contains("action=\"/login/code\""))
            let second = try await browser.send(.POST, "/login/code", form: ["form_token": token, "code": recovery[1]])
            #expect(second.status == 303, "\(second.status) \(second.body.prefix(300))")
            #expect(try await browser.get("/api/v1/me").status == 200)
            let settings = try await browser.get("/settings")
            #expect(settings.body.contains("id=\"twofa-state\"") && settings.body.contains("8 recovery code(s) left"))

            // Off: the password and a code.
            let noPassword = try await api.send(.POST, "/api/v1/2fa/disable", json: ["password": "wrong password!", "code": recovery[2]])
            #expect(noPassword.status == 403)
            let off = try await api.send(.POST, "/api/v1/2fa/disable", json: ["password": AccountTests.password, "code": recovery[2]])
            #expect(off.status == 204, "\(off.body)")
            #expect(try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password]).status == 200)

            // Wrong codes are throttled like passwords: on again, five wrong codes, then 429.
            let secret2 = try #require(try await api.send(.POST, "/api/v1/2fa/enrol").json?["secret"] as? String)
            #expect(try await api.send(.POST, "/api/v1/2fa/confirm", json: ["code": try Self.pyotp(secret2, ["now+0"])[0]]).status == 200)
            var statuses: [Int] = []
            for _ in 0..<6 {
                statuses.append(try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": "ann", "password": AccountTests.password, "code": "000001"]).status)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 401 } && statuses.last == 429, "\(statuses)")
        }
    }

    @Test func aUsersSessionsAreListedWithTheirAddressAndEndedOneByOne() async throws {
        try await AccountTests.withSystem("sessions") { supervisor, web in
            try await web.signUp("ann", AccountTests.password)
            try await web.logIn("ann", AccountTests.password)
            var other = WebClient(port: supervisor.webPort)
            try await other.logIn("ann", AccountTests.password)
            let listed = try await TradingTests.items(web, "/api/v1/sessions")
            #expect(listed.count == 2 && listed.filter { $0["current"] as? Bool == true }.count == 1, "\(listed)")
            #expect(listed.allSatisfy { $0["address"] as? String == "127.0.0.1" && ($0["id"] as? String)?.count == 16 })
            let theirs = try #require(listed.first { $0["current"] as? Bool == false }?["id"] as? String)
            #expect(try await other.get("/api/v1/me").status == 200)
            // Another user cannot end it; the owner can, from the page.
            var mallory = WebClient(port: supervisor.webPort)
            try await mallory.signUp("mallory", AccountTests.password)
            try await mallory.logIn("mallory", AccountTests.password)
            #expect(try await mallory.send(.DELETE, "/api/v1/sessions/\(theirs)").status == 404)
            let page = try await web.get("/settings")
            #expect(page.body.contains("id=\"session-\(theirs)\"") && page.body.contains("this browser"))
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: page.body))
            #expect(try await web.send(.POST, "/settings/sessions/\(theirs)/end", form: ["csrf_token": csrf]).status == 303)
            #expect(try await other.get("/api/v1/me").status == 401)
            #expect(try await TradingTests.items(web, "/api/v1/sessions").count == 1)
            other.csrf = nil
        }
    }
}
