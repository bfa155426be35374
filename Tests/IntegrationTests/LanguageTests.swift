import Foundation
import Testing

/// English and Korean (CONTRACT §6): one catalog per language with the same keys and
/// placeholders, every key the pages ask for present, the language chosen from
/// `Accept-Language`, switchable, and remembered per user.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LanguageTests {
    static let folder = TestPaths.packageRoot + "/Sources/Web/Localization"

    /// `"key": "value",` lines of a catalog file.
    /// A language's catalog, from every file of it (`Catalog+en.swift`, `Catalog+en+Backtest.swift`).
    static func catalog(_ file: String) throws -> [String: String] {
        let stem = String(file.dropLast(".swift".count))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0 == file || ($0.hasPrefix(stem + "+") && $0.hasSuffix(".swift")) }
        let text = try files.sorted().map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        var entries: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\""), trimmed.hasSuffix(","),
                let data = ("{" + trimmed.dropLast() + "}").data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
            else { continue }
            entries.merge(object) { $1 }
        }
        return entries
    }

    static func placeholders(_ text: String) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.insert(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    @Test func theCatalogsHaveTheSameKeysAndPlaceholdersAndEveryKeyUsed() throws {
        let en = try Self.catalog("Catalog+en.swift")
        let ko = try Self.catalog("Catalog+ko.swift")
        #expect(en.count > 300, "\(en.count) English entries")
        #expect(Set(en.keys) == Set(ko.keys), "only English: \(Set(en.keys).subtracting(ko.keys).sorted()); only Korean: \(Set(ko.keys).subtracting(en.keys).sorted())")
        for (key, english) in en {
            guard let korean = ko[key] else { continue }
            // A translation may leave out {detail} (the English detail of an error) but nothing else.
            #expect(Self.placeholders(korean).isSubset(of: Self.placeholders(english)), "\(key): \(english) / \(korean)")
            #expect(Self.placeholders(english).subtracting(["{detail}"]).isSubset(of: Self.placeholders(korean)), "\(key): \(english) / \(korean)")
            #expect(!korean.isEmpty)
        }
        // Every literal key the web's sources ask for exists.
        let sources = FileManager.default.enumerator(atPath: TestPaths.packageRoot + "/Sources/Web")!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        var used = Set<String>()
        for file in sources {
            let text = try String(contentsOfFile: TestPaths.packageRoot + "/Sources/Web/" + file, encoding: .utf8)
            var rest = Substring(text)
            while let range = rest.range(of: "t(\"") {
                let tail = rest[range.upperBound...]
                // The function `t`, not `get(`, `post(`, …
                if range.lowerBound > rest.startIndex, let before = rest[..<range.lowerBound].last, before.isLetter || before.isNumber || before == "_" || before == "." {
                    rest = tail
                    continue
                }
                guard let end = tail.firstIndex(of: "\"") else { break }
                let key = String(tail[..<end])
                if !key.contains("\\(") { used.insert(key) }
                rest = tail[end...]
            }
        }
        // And every `{{t.…}}` of the Mustache templates.
        let templates = TestPaths.packageRoot + "/Sources/Web/Mustache"
        var inTemplates = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: templates) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: templates + "/" + file, encoding: .utf8)
            var rest = Substring(text)
            while let range = rest.range(of: "{{t.") {
                let tail = rest[range.upperBound...]
                guard let end = tail.range(of: "}}") else { break }
                used.insert(String(tail[..<end.lowerBound]))
                inTemplates += 1
                rest = tail[end.upperBound...]
            }
        }
        #expect(inTemplates > 100, "\(inTemplates) catalog texts in the templates")
        #expect(used.count > 200, "\(used.count) keys used")
        #expect(used.subtracting(en.keys).isEmpty, "keys missing from the catalogs: \(used.subtracting(en.keys).sorted())")
        // And the keys made from values.
        var made: [String] = []
        made += ["no_key", "stopped", "starting", "running", "emergency_stopped", "error"].map { "state.\($0)" }
        made += ["buy", "sell", "hold"].map { "action.\($0)" }
        made += ["day", "week", "month", "all"].map { "equity.range.\($0)" } + ["day", "week", "month"].map { "reports.period.\($0)" }
        made += ["running", "done", "failed", "cancelled", "interrupted"].map { "optimize.state.\($0)" } + ["lookahead", "recursive"].map { "bias.kind.\($0)" }
        made += ["no_key", "exchange_unreachable", "not_reported_yet", "no_price_route"].map { "reason.\($0)" }
        made += ["key_stored", "key_deleted", "sim_account", "password_changed", "bot_settings", "start", "stop", "emergency_stop", "cancel_order", "settings"].map { "notice.\($0)" }
        made += ["symbols", "interval", "strategy", "fast", "slow", "max_position_pct", "max_position_usdt", "max_open_positions", "stop_loss_pct"].map { "field.\($0)" }
        made += ["active", "expired", "revoked"].map { "tokens.state_\($0)" } + ["open", "invite", "closed"].map { "admin.signup_\($0)" }
        made += ["user_disabled", "user_enabled", "kill_switch_on", "kill_switch_off", "signup_mode", "policies", "user_approved", "user_unapproved"].map { "admin.notice_\($0)" } + ["notice.token_revoked", "notice.key_stored_unchecked", "notice.key_stored_unrestricted"]
        made += ["take_profit_pct", "trailing_stop_pct", "daily_loss_limit_usdt", "max_drawdown_pct", "cooldown_minutes", "timezone"].map { "field.\($0)" }
        #expect(made.filter { en[$0] == nil }.isEmpty, "\(made.filter { en[$0] == nil })")
    }

    @Test func pagesSpeakTheChosenLanguageAndRememberIt() async throws {
        let en = try Self.catalog("Catalog+en.swift")
        let ko = try Self.catalog("Catalog+ko.swift")
        try await AccountTests.withSystem("language") { supervisor, web in
            // Signed out: Accept-Language decides.
            let login = try await HTTP.execute(.init(url: web.base + "/login", method: .GET, headers: [("Accept-Language", "ko-KR,ko;q=0.9,en;q=0.5")]))
            #expect(login.body.contains("<html lang=\"ko\">") && login.body.contains(ko["login.title"]!))
            #expect(login.headers.first(name: "Content-Language") == "ko")
            let english = try await HTTP.execute(.init(url: web.base + "/login", method: .GET, headers: [("Accept-Language", "fr, en;q=0.3, ko;q=0.2")]))
            #expect(english.body.contains("<html lang=\"en\">") && english.body.contains(en["login.remember"]!))

            // Signed in: the switcher stores the choice for the account.
            _ = try await web.signUp("hangul", AccountTests.password)
            try await web.logIn("hangul", AccountTests.password)
            let page = try await web.get("/settings")
            let csrf = try #require(WebClient.hiddenField("csrf_token", in: page.body))
            let forged = try await web.send(.POST, "/language", form: ["language": "ko", "next": "/settings"])
            #expect(forged.status == 403, "the switch needs the form's token when signed in")
            let switched = try await web.send(.POST, "/language", form: ["language": "ko", "next": "/settings", "csrf_token": csrf])
            #expect(switched.status == 303 && switched.headers.first(name: "Location") == "/settings")
            // Another browser of the same user, with an English Accept-Language, gets Korean.
            let other = WebClient(port: supervisor.webPort)
            try await other.logIn("hangul", AccountTests.password)
            for path in ["/", "/trading", "/monitoring", "/signals", "/backtest", "/reports", "/settings", "/status"] {
                let answer = try await other.send(.GET, path, headers: [("Accept-Language", "en")])
                #expect(answer.status == 200 && answer.body.contains("<html lang=\"ko\">"), "\(path)")
                // No English sentence of the catalog is left on a Korean page.
                let leftovers = en.filter { key, value in value.count > 14 && ko[key] != value && !value.contains("{") && answer.body.contains(Self.html(value)) }
                #expect(leftovers.isEmpty, "\(path) still shows: \(leftovers.values.sorted())")
            }
            #expect(try await other.get("/").body.contains(ko["nav.portfolio"]!))
            // And back.
            let back = try await web.send(.POST, "/language", form: ["language": "en", "next": "/", "csrf_token": csrf])
            #expect(back.status == 303)
            #expect(try await other.get("/").body.contains("<html lang=\"en\">"))
        }
    }

    static func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
