import Common
import NIOHTTP1
import Foundation
import Testing

/// Hostile input (issue: end-to-end, security): script through every field a user types, SQL
/// through every filter and name, oversized and malformed bodies. Nothing runs, nothing breaks,
/// every answer is a clear 4xx, and the database is intact afterwards. (CSRF, fixation, brute
/// force and other users' ids: AccountTests; path traversal: DashboardTests; the OpenAPI fuzz:
/// ``schemathesisFindsNoServerErrorInTheJSONAPI()``.)
@Suite(.serialized, .timeLimit(.minutes(5))) struct SecurityTests {
    static let script = #""><script>alert(1)</script><img src=x onerror=alert(2)>"#

    /// A page that would run the payload contains one of these.
    static func executable(_ html: String) -> Bool {
        html.contains("<script>alert(1)") || html.contains("<img src=x onerror")
    }

    /// The text inputs of a page's forms, by name.
    static func inputNames(_ html: String) -> [String] {
        let pattern = #"<input type="text" id="[^"]*" name="([^"]+)""#
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { match in
            Range(match.range(at: 1), in: html).map { String(html[$0]) }
        }
    }

    @Test func scriptInEveryTypedFieldIsShownAsTextAndNeverRuns() async throws {
        try await AccountTests.withSystem("xss") { supervisor, web in
            // Names: refused by the rules, and the refusal shows the name as text.
            let signup = WebClient(port: supervisor.webPort)
            let form = try await signup.get("/signup").body
            let token = form.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression).map { String(form[$0]) }?
                .components(separatedBy: "value=\"").last?.dropLast() ?? ""
            for path in ["/signup", "/login"] {
                let answer = try await signup.send(.POST, path, form: ["username": Self.script, "password": AccountTests.password, "csrf_token": String(token)])
                #expect(answer.status < 500 && !Self.executable(answer.body), "\(path): \(answer.status)")
            }
            let json = try await web.send(.POST, "/api/v1/signup", json: ["username": Self.script, "password": AccountTests.password])
            #expect(json.status == 422)

            // Every text field of the bot's settings, one at a time, through the form and the JSON API.
            _ = try await TradingTests.user(supervisor, web)
            let settingsPage = try await web.get("/settings").body
            let csrf = try #require(web.csrf)
            let fields = Self.inputNames(settingsPage).filter { !["api_key", "api_secret"].contains($0) }
            #expect(fields.contains("symbols") && fields.count >= 8, "\(fields)")
            var valid: [String: String] = [:]
            let formHTML = settingsPage.components(separatedBy: "action=\"/trading/settings\"").dropFirst().first ?? ""
            for name in fields {
                valid[name] = formHTML.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression)
                    .map { String(formHTML[$0]).components(separatedBy: "value=\"").last?.dropLast() }.flatMap { $0.map(String.init) } ?? ""
            }
            for name in fields {
                var submitted = valid
                submitted[name] = Self.script
                submitted["csrf_token"] = csrf
                submitted["return_to"] = "/settings"
                submitted["strategy"] = "sma_cross"
                submitted["interval"] = "1s"
                let answer = try await web.send(.POST, "/trading/settings", form: submitted)
                #expect(answer.status < 500 && !Self.executable(answer.body), "\(name): \(answer.status)")
                #expect(answer.status == 422 || answer.status == 303, "\(name): \(answer.status)")
                for page in ["/settings", "/trading", "/"] {
                    #expect(!Self.executable(try await web.get(page).body), "\(name) on \(page)")
                }
            }
            var hostile = TradingTests.settings(symbols: [Self.script])
            #expect(try await web.send(.PUT, "/api/v1/settings", json: hostile).status == 422)
            hostile = TradingTests.settings(symbols: ["BTCUSDT"])
            hostile["timezone"] = Self.script
            #expect(try await web.send(.PUT, "/api/v1/settings", json: hostile).status == 422)
            hostile = TradingTests.settings(symbols: ["BTCUSDT"])
            hostile["strategy"] = ["name": "sma_cross", "params": [Self.script: 1, "fast": 2, "slow": 3]]
            #expect(try await web.send(.PUT, "/api/v1/settings", json: hostile).status < 500)
            // A backtest of a hostile symbol.
            let backtest = try await web.send(.POST, "/backtest", form: ["csrf_token": csrf, "symbol": Self.script, "interval": "1m", "strategy": "sma_cross"])
            #expect(backtest.status < 500 && !Self.executable(backtest.body))
            for page in ["/settings", "/trading", "/monitoring", "/signals", "/reports", "/backtest", "/"] {
                #expect(!Self.executable(try await web.get(page).body), "\(page)")
            }
        }
    }

    @Test func sqlThroughNamesAndFiltersIsJustText() async throws {
        try await AccountTests.withSystem("sqli") { supervisor, web in
            let (user, _) = try await TradingTests.user(supervisor, web)
            let other = WebClient(port: supervisor.webPort)
            let bystander = try await other.signUp("bystander", AccountTests.password)
            let injections = ["' OR '1'='1", "x'; DROP TABLE users; --", "1) OR (1=1", "\" OR \"\"=\"", "BTCUSDT' UNION SELECT password_hash FROM users --"]
            for text in injections {
                let login = try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/login", json: ["username": text, "password": text])
                #expect(login.status == 401 || login.status == 429, "\(text): \(login.status)")
                let signup = try await WebClient(port: supervisor.webPort).send(.POST, "/api/v1/signup", json: ["username": text, "password": AccountTests.password])
                #expect(signup.status == 422, "\(text): \(signup.status)")
                let query = WebClient.encode(text)
                for path in [
                    "/api/v1/fills?symbol=\(query)", "/api/v1/orders?symbol=\(query)&side=\(query)", "/api/v1/fills?from=\(query)&to=\(query)",
                    "/api/v1/fills?before=\(query)&limit=\(query)", "/monitoring?symbol=\(query)&side=\(query)", "/monitoring.csv?symbol=\(query)",
                    "/api/v1/equity?range=\(query)", "/?range=\(query)", "/api/v1/signals?symbol=\(query)",
                ] {
                    let answer = try await web.get(path)
                    #expect(answer.status < 500, "\(path): \(answer.status)")
                    #expect(!answer.body.contains("$2b$"), "\(path) shows no password hash")
                    if path.contains("symbol="), answer.status == 200, let items = answer.json?["items"] as? [Any] {
                        #expect(items.isEmpty, "\(path) matched nothing")
                    }
                }
            }
            // Everything is still there, and still separate.
            let database = try CentralDatabase.open(supervisor.directory)
            #expect(try database.users.user(user) != nil)
            #expect(try await web.get("/api/v1/me").json?["username"] as? String == "trader")
            #expect(try database.users.user(bystander)?.username == "bystander")
        }
    }

    @Test func oversizedAndMalformedBodiesGetAClearFourHundred() async throws {
        try await AccountTests.withSystem("bodies") { supervisor, web in
            _ = try await web.signUp("alice", AccountTests.password)
            try await web.logIn("alice", AccountTests.password)
            let huge = "{\"username\":\"" + String(repeating: "a", count: 3 << 20) + "\"}"
            for (method, path) in [(HTTPMethodName.POST, "/api/v1/login"), (.PUT, "/api/v1/settings"), (.PUT, "/api/v1/exchange-key"), (.POST, "/api/v1/backtests")] {
                let answer = try await HTTP.execute(.init(url: web.base + path, method: method.nio, headers: [("Content-Type", "application/json"), ("Cookie", web.cookieHeader), ("X-CSRF-Token", web.csrf ?? "")], body: huge))
                #expect(answer.status == 413, "\(path): \(answer.status) \(answer.body.prefix(200))")
            }
            let malformed = ["{\"username\":", "[1,2", "null", "\"text\"", "{\"username\": 12, \"password\": []}", "\u{0}\u{1}binary", "{\"a\":1}garbage"]
            for body in malformed {
                for (method, path) in [(HTTPMethodName.POST, "/api/v1/login"), (.POST, "/api/v1/signup"), (.PUT, "/api/v1/settings"), (.PUT, "/api/v1/exchange-key"), (.POST, "/api/v1/bot/stop")] {
                    let answer = try await HTTP.execute(.init(url: web.base + path, method: method.nio, headers: [("Content-Type", "application/json"), ("Cookie", web.cookieHeader), ("X-CSRF-Token", web.csrf ?? "")], body: body))
                    #expect((400..<500).contains(answer.status), "\(path) with \(body.debugDescription): \(answer.status)")
                    #expect(answer.json?["error"] != nil, "\(path): a JSON error naming the problem: \(answer.body.prefix(200))")
                }
            }
            // The wrong media type, too.
            let text = try await HTTP.execute(.init(url: web.base + "/api/v1/login", method: .POST, headers: [("Content-Type", "text/plain")], body: "username=a"))
            #expect(text.status == 415)
            #expect(try await web.get("/api/v1/me").status == 200, "the session survived all of it")
        }
    }

    /// Schemathesis (PyPI, installed by `make test`) fuzzes every operation of the OpenAPI
    /// document with a signed-in session: no answer may be a 5xx. Capped (examples per operation,
    /// time) for `make test`; its output is kept under `var/test-artifacts/schemathesis.txt`.
    @Test(.enabled(if: ExchangeKeyTests.python != nil, "run through `make test`, which installs schemathesis"))
    func schemathesisFindsNoServerErrorInTheJSONAPI() async throws {
        try await AccountTests.withSystem("fuzz") { supervisor, web in
            _ = try await TradingTests.user(supervisor, web)
            #expect(try await web.send(.PUT, "/api/v1/settings", json: TradingTests.settings(symbols: ["BTCUSDT"])).status == 200)
            let python = try #require(ExchangeKeyTests.python)
            let st = (python as NSString).deletingLastPathComponent + "/st"
            let output = TestPaths.artifacts + "/schemathesis.txt"
            FileManager.default.createFile(atPath: output, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: st)
            process.arguments = [
                "run", "http://127.0.0.1:\(supervisor.webPort)/api/v1/openapi.json", "--checks", "not_a_server_error",
                "--header", "Cookie: \(web.cookieHeader)", "--header", "X-CSRF-Token: \(web.csrf ?? "")",
                // The event stream never ends; logout and a password change would end the session the rest needs.
                "--exclude-path", "/api/v1/events", "--exclude-path", "/api/v1/logout", "--exclude-path", "/api/v1/password",
                "--max-examples", "30", "--max-time", "90", "--seed", "7", "--generation-database", "none", "--request-timeout", "20",
                "--phases", "examples,coverage,fuzzing", "--no-color",
            ]
            process.environment = ProcessInfo.processInfo.environment.merging(["SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"]) { $1 }
            // It keeps a cache (.schemathesis/) in its working directory: the artifacts', not the repository's.
            process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.artifacts)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let finished = await waitUntil(.seconds(240)) { !process.isRunning }
            if !finished { process.terminate() }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(finished && process.terminationStatus == 0, "schemathesis: \(text.suffix(3_000))")
            #expect(text.contains("/api/v1/settings") || text.contains("operations"), "it tested the API: \(text.suffix(1_000))")
        }
    }

}

/// The methods these tests send, as NIO's.
enum HTTPMethodName {
    case POST, PUT
    var nio: NIOHTTP1.HTTPMethod { self == .POST ? .POST : .PUT }
}
