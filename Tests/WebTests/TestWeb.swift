import Common
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Web

/// The whole web application (`WebApp.build`) on the in-memory twins of the central database's
/// stores: no file, no supervisor (its control socket does not exist), no network.
struct TestWeb {
    let database = CentralDatabase.inMemory()
    /// A data directory that is never created: the web only reads paths from it.
    let directory = DataDirectory(root: "/nonexistent/ctp-web-tests-\(UUID().uuidString)")
    /// When "central.sqlite" changed; nil: never the same generation twice (nothing is cached).
    let watch: CentralChangeWatch?

    /// The symbols the exchange lists, when a test needs some (none: the catalog asks an
    /// exchange that is not there, and the routes answer 503).
    let listing: [SymbolFilters]?

    /// The last prices of the listed symbols.
    let prices: [String: Decimal]

    init(watch: CentralChangeWatch? = nil, listing: [SymbolFilters]? = nil, prices: [String: Decimal] = [:]) {
        self.watch = watch
        self.listing = listing
        self.prices = prices
    }

    var app: some ApplicationProtocol {
        var logger = Logger(label: "web-tests")
        logger.logLevel = .error
        return WebApp.build(database: database, directory: directory, settings: WebApp.Settings(), watch: watch ?? CentralChangeWatch(probe: nil),
            catalog: listing.map { ExchangeCatalog(database: database, listing: $0, prices: prices) }, logger: logger)
    }

    /// A user made directly in the store, with a cheap bcrypt hash (cost 4: logging in costs
    /// milliseconds, not the quarter second of the real cost 12; bcrypt reads the cost from the hash).
    @discardableResult
    func user(_ name: String, password: String = TestWeb.password) async throws -> UserID {
        try database.users.createUser(username: name, passwordHash: await PasswordHasher.hash(password, cost: 4), at: Date())
    }

    static let password = "correct horse battery"
}

/// A signed-in client's credentials: the session cookie and the CSRF token.
struct Signed {
    let userID: Int64
    let cookie: String
    let csrf: String

    /// The headers of a request of this session (and its CSRF token, for a state-changing one).
    func headers(csrf withToken: Bool = false, json: Bool = false) -> HTTPFields {
        var fields: HTTPFields = [.cookie: cookie]
        if withToken { fields[.init("X-CSRF-Token")!] = csrf }
        if json { fields[.contentType] = "application/json" }
        return fields
    }
}

extension TestClientProtocol {
    /// Logs in through `POST /api/v1/login` and keeps what the answer gives.
    func logIn(_ username: String, password: String = TestWeb.password) async throws -> Signed {
        let response = try await execute(
            uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"], body: .json(["username": username, "password": password]))
        #expect(response.status == .ok)
        let object = try response.object()
        let cookie = try #require(response.cookie(named: SessionCookie.name))
        return Signed(userID: try #require(object["user_id"] as? Int64), cookie: cookie, csrf: try #require(object["csrf_token"] as? String))
    }
}

extension TestResponse {
    /// The body as a JSON object (numbers as `Int64` where whole, for plain comparisons).
    func object() throws -> [String: Any] {
        let data = Data(buffer: body)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
    }

    var text: String { String(buffer: body) }

    /// The API's error code (`{"error":{"code"}}`), if the body is an error.
    var errorCode: String? { ((try? object())?["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { ((try? object())?["error"] as? [String: Any])?["message"] as? String }

    /// `name=value` of a cookie the response sets, ready for a `Cookie` header.
    func cookie(named name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }.map { String($0.prefix { $0 != ";" }) }
    }
}

extension ByteBuffer {
    static func json(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }
}
