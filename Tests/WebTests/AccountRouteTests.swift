import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// Sign-up, login and the guards every JSON call passes: the session, the CSRF token, and
/// another user's id. Through the whole router (`WebApp.build`) on in-memory stores.
@Suite struct AccountRouteTests {
    @Test func signUpThenLogInOpensASession() async throws {
        let web = TestWeb()
        try await web.app.test(.router) { client in
            let json: HTTPFields = [.contentType: "application/json"]
            // Sign-up hashes at the real cost once; every other test logs in against cost 4.
            let created = try await client.execute(
                uri: "/api/v1/signup", method: .post, headers: json, body: .json(["username": "alice", "password": TestWeb.password]))
            #expect(created.status == .created)
            let id = try #require(try created.object()["user_id"] as? Int64)
            #expect(created.cookie(named: SessionCookie.name) == nil)

            let taken = try await client.execute(
                uri: "/api/v1/signup", method: .post, headers: json, body: .json(["username": "ALICE", "password": TestWeb.password]))
            #expect(taken.status == .conflict)
            #expect(taken.errorCode == "username_taken")

            let signed = try await client.logIn("alice")
            #expect(signed.userID == id)
            #expect(!signed.csrf.isEmpty)
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: signed.headers())
            #expect(me.status == .ok)
            let object = try me.object()
            #expect(Set(object.keys) == ["user_id", "username", "csrf_token", "is_admin"])
            #expect(object["is_admin"] as? Bool == true, "the first account")
            #expect(object["username"] as? String == "alice")
            #expect(object["user_id"] as? Int64 == id)
            #expect(object["csrf_token"] as? String == signed.csrf)
        }
    }

    @Test func aWrongPasswordOpensNoSession() async throws {
        let web = TestWeb()
        try await web.user("zoe")
        try await web.app.test(.router) { client in
            let wrong = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"],
                body: .json(["username": "zoe", "password": "not the password"])
            )
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            #expect(wrong.cookie(named: SessionCookie.name) == nil)
            #expect(try web.database.sessions.count(of: UserID(1)) == 0)
        }
    }

    @Test(arguments: ["/api/v1/me", "/api/v1/settings", "/api/v1/fills", "/api/v1/orders", "/api/v1/bot", "/api/v1/portfolio", "/api/v1/events"])
    func theAPIWantsASession(path: String) async throws {
        try await TestWeb().app.test(.router) { client in
            let response = try await client.execute(uri: path, method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "unauthenticated")
        }
    }

    @Test func aStaleCookieIsNoSession() async throws {
        try await TestWeb().app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/me", method: .get, headers: [.cookie: "\(SessionCookie.name)=\(String(repeating: "A", count: 43))"])
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aStateChangingCallWantsTheCSRFToken() async throws {
        let web = TestWeb()
        try await web.user("bob")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("bob")
            let body = ByteBuffer(data: BotSettings.defaults.encoded())
            let missing = try await client.execute(uri: "/api/v1/settings", method: .put, headers: signed.headers(json: true), body: body)
            #expect(missing.status == .forbidden)
            #expect(missing.errorCode == "csrf_failed")

            var forged = signed.headers(json: true)
            forged[.init("X-CSRF-Token")!] = String(signed.csrf.reversed())
            let wrong = try await client.execute(uri: "/api/v1/settings", method: .put, headers: forged, body: body)
            #expect(wrong.errorCode == "csrf_failed")

            let logout = try await client.execute(uri: "/api/v1/logout", method: .post, headers: signed.headers())
            #expect(logout.status == .forbidden)
            // Nothing was stored by the refused calls.
            #expect(try web.database.bots.settings(for: UserID(signed.userID)) == nil)
        }
    }

    @Test func anotherUsersIDIsNotFound() async throws {
        let web = TestWeb()
        try await web.user("carol")
        let dave = try await web.user("dave")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("carol")
            let theirs = try await client.execute(uri: "/api/v1/fills?user_id=\(dave.rawValue)", method: .get, headers: signed.headers())
            #expect(theirs.status == .notFound)
            #expect(theirs.errorCode == "not_found")
            let mine = try await client.execute(uri: "/api/v1/fills?user_id=\(signed.userID)", method: .get, headers: signed.headers())
            #expect(mine.status == .ok)
        }
    }
}
