import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// The HTML pages: to the login form when signed out, rendered when signed in (with the data
/// the stores hold, or the reason it is missing: no supervisor runs here).
@Suite struct PageRouteTests {
    static let pages = ["/", "/trading", "/monitoring", "/settings", "/reports", "/signals", "/status", "/backtest"]

    @Test func pagesSendTheSignedOutToTheLoginForm() async throws {
        try await TestWeb().app.test(.router) { client in
            for page in Self.pages {
                let response = try await client.execute(uri: page, method: .get)
                #expect(response.status == .seeOther, "\(page)")
                let location = try #require(response.headers[.location], "\(page)")
                #expect(location == "/login" || location.hasPrefix("/login?next="), "\(page): \(location)")
            }
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.status == .ok)
            #expect(login.text.contains("<form"))
        }
    }

    @Test func pagesRenderForTheSignedIn() async throws {
        let web = TestWeb()
        try await web.user("erin")
        try await web.app.test(.router) { client in
            let signed = try await client.logIn("erin")
            for page in Self.pages {
                let response = try await client.execute(uri: page, method: .get, headers: signed.headers())
                #expect(response.status == .ok, "\(page)")
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, "\(page)")
                // The page is the signed-in layout (the username in it), not a form or an error.
                #expect(response.text.contains("erin"), "\(page)")
                #expect(!response.text.contains("the template"), "\(page): a template is missing")
            }
            let login = try await client.execute(uri: "/login", method: .get, headers: signed.headers())
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/")
        }
    }
}
