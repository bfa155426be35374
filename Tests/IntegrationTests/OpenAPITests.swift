import Foundation
import NIOHTTP1
import Testing

/// `/api/v1/openapi.json` against the running web: every operation it lists is called, with and
/// without a session, and answers with a status the document lists and the fields its schema
/// requires (issue: the dashboard).
@Suite(.serialized, .timeLimit(.minutes(3))) struct OpenAPITests {
    /// The calls CONTRACT §6 names (and §9's manual orders): the document must list each.
    static let contractOperations = [
        "post /api/v1/signup", "post /api/v1/login", "post /api/v1/logout", "get /api/v1/me", "put /api/v1/exchange-key", "get /api/v1/exchange-key",
        "delete /api/v1/exchange-key", "get /api/v1/portfolio", "get /api/v1/bot", "post /api/v1/bot/start", "post /api/v1/bot/stop",
        "post /api/v1/bot/emergency-stop", "post /api/v1/orders", "delete /api/v1/orders/{order_id}", "get /api/v1/settings", "put /api/v1/settings", "get /api/v1/positions",
        "get /api/v1/orders", "get /api/v1/fills", "get /api/v1/signals", "get /api/v1/equity", "post /api/v1/backtests", "get /api/v1/events",
        "get /api/v1/openapi.json",
    ]

    struct Operation {
        let path: String
        let method: String
        let spec: [String: Any]
        var key: String { "\(method) \(path)" }
    }

    @Test func everyOperationAnswersAsTheDocumentSays() async throws {
        try await AccountTests.withSystem("openapi") { supervisor, web in
            let answer = try await HTTP.get(web.base + "/api/v1/openapi.json")
            #expect(answer.status == 200)
            let document = try #require(answer.json)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var operations: [Operation] = []
            for (path, methods) in paths {
                for (method, spec) in methods { operations.append(Operation(path: path, method: method, spec: spec as? [String: Any] ?? [:])) }
            }
            let listed = Set(operations.map(\.key))
            for needed in Self.contractOperations { #expect(listed.contains(needed), "the document lacks \(needed)") }

            // Without a session: whatever needs one says 401, as documented.
            let anonymous = WebClient(port: supervisor.webPort)
            for operation in operations where operation.path != "/api/v1/events" {
                let result = try await call(operation, anonymous, document)
                #expect(result.documented, "\(operation.key) without a session: \(result.status) \(result.body.prefix(200))")
                if !((operation.spec["security"] as? [Any])?.isEmpty ?? true) {
                    #expect(result.status == 401, "\(operation.key) without a session: \(result.status)")
                }
            }

            // With a session and a key: every operation, the ones that end the session last.
            _ = try await TradingTests.user(supervisor, web)
            let last = ["post /api/v1/password", "delete /api/v1/exchange-key", "post /api/v1/logout"]
            let ordered = operations.filter { !last.contains($0.key) }.sorted { $0.key < $1.key } + last.compactMap { key in operations.first { $0.key == key } }
            for operation in ordered where operation.path != "/api/v1/events" {
                let result = try await call(operation, web, document)
                #expect(result.documented, "\(operation.key): \(result.status) \(result.body.prefix(300))")
                #expect(result.status < 500 || result.status == 503, "\(operation.key): \(result.status)")
                for problem in result.problems { Issue.record("\(operation.key): \(problem)") }
            }
            // The event stream answers 200 with its type (read by the dashboard tests).
            try await web.logIn("trader", AccountTests.password)
            let stream = EventStream.open(web)
            defer { stream.close() }
            #expect(await waitUntil(.seconds(5)) { stream.status != nil })
            #expect(stream.status == 200)
        }
    }

    struct Result {
        let status: Int
        let body: String
        let documented: Bool
        let problems: [String]
    }

    func call(_ operation: Operation, _ web: WebClient, _ document: [String: Any]) async throws -> Result {
        var path = operation.path
        for parameter in operation.spec["parameters"] as? [[String: Any]] ?? [] where parameter["in"] as? String == "path" {
            path = path.replacingOccurrences(of: "{\(parameter["name"] as? String ?? "")}", with: "\(parameter["example"] ?? 1)")
        }
        let content = ((operation.spec["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        let method = HTTPMethod(rawValue: operation.method.uppercased())
        let answer = try await web.send(method, path, json: content?["example"])
        let responses = operation.spec["responses"] as? [String: Any] ?? [:]
        guard let response = responses[String(answer.status)] as? [String: Any] else {
            return Result(status: answer.status, body: answer.body, documented: false, problems: [])
        }
        var problems: [String] = []
        if let schema = ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any] {
            let value = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))
            problems = Self.check(value, against: schema, document, at: "body")
        }
        return Result(status: answer.status, body: answer.body, documented: true, problems: problems)
    }

    /// The subset of JSON Schema the document uses: $ref, type (with null), required,
    /// properties, items, enum.
    static func check(_ value: Any?, against schema: [String: Any], _ document: [String: Any], at place: String) -> [String] {
        var schema = schema
        if let ref = schema["$ref"] as? String {
            let name = ref.split(separator: "/").last.map(String.init) ?? ""
            schema = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
        }
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        guard let value, !(value is NSNull) else {
            return types.isEmpty || types.contains("null") ? [] : ["\(place) is null, the schema says \(types)"]
        }
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) { return ["\(place) = \(text) is not one of \(allowed)"] }
        if types.contains("object"), let object = value as? [String: Any] {
            var problems: [String] = []
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(place).\(key) is missing") }
            for (key, sub) in schema["properties"] as? [String: [String: Any]] ?? [:] where object[key] != nil {
                problems += check(object[key], against: sub, document, at: "\(place).\(key)")
            }
            return problems
        }
        if types.contains("array"), let array = value as? [Any] {
            guard let items = schema["items"] as? [String: Any] else { return [] }
            return array.prefix(20).enumerated().flatMap { check($0.element, against: items, document, at: "\(place)[\($0.offset)]") }
        }
        if types.contains("string"), !(value is String) { return ["\(place) is not a string"] }
        if types.contains("boolean") || types.contains("integer") || types.contains("number"), !(value is NSNumber) { return ["\(place) is not a \(types)"] }
        if !types.isEmpty, value is [String: Any], !types.contains("object") { return ["\(place) is an object, the schema says \(types)"] }
        return []
    }
}
