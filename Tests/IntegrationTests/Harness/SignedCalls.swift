import Common
import Foundation
import NIOHTTP1

/// Raw signed Binance calls to the simulator, every parameter in the query string (as
/// binance-connector sends them), answers as parsed JSON.
struct SignedCalls {
    let sim: SimulatorProcess
    let credentials: BinanceClient.Credentials

    struct Reply {
        let status: Int
        let body: String
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
        var list: [[String: Any]] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]]) ?? [] }
    }

    func call(_ method: NIOHTTP1.HTTPMethod, _ path: String, _ parameters: KeyValuePairs<String, String> = [:]) async throws -> Reply {
        let pairs = parameters.map { ($0.key, $0.value) } + [("timestamp", String(BinanceClient.localMs()))]
        let query = pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1)" }.joined(separator: "&")
        let signature = BinanceSigner(secret: credentials.secret).signature(query: query)
        var request = HTTP.Request(url: sim.baseURL + path + "?" + query + "&signature=" + signature, method: method)
        request.headers = [("X-MBX-APIKEY", credentials.apiKey)]
        let answer = try await HTTP.execute(request)
        return Reply(status: answer.status, body: answer.body)
    }

    func order(_ symbol: String, _ id: Any) async throws -> [String: Any] {
        try await call(.GET, "/api/v3/order", ["symbol": symbol, "orderId": "\(id)"]).json
    }

    func status(_ symbol: String, _ id: Any) async throws -> String {
        try await order(symbol, id)["status"] as? String ?? "?"
    }

    struct Holding: Equatable {
        let free: Decimal
        let locked: Decimal
    }

    func free(_ asset: String) async throws -> Holding {
        let balances = try await call(.GET, "/api/v3/account").json["balances"] as? [[String: Any]] ?? []
        let entry = balances.first { $0["asset"] as? String == asset }
        return Holding(free: DecimalText.parse(entry?["free"] as? String ?? "0") ?? 0, locked: DecimalText.parse(entry?["locked"] as? String ?? "0") ?? 0)
    }

    /// Polls until `done` holds or `timeout` passes; returns the last value seen.
    static func poll<T>(timeout: Duration, _ read: () async throws -> T, until done: (T) -> Bool) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        var value = try await read()
        while !done(value), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            value = try await read()
        }
        return value
    }
}

extension Dictionary where Key == String, Value == Any {
    func decimal(_ key: String) -> Decimal? { (self[key] as? String).flatMap(DecimalText.parse) }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int64? { (self[key] as? NSNumber)?.int64Value }
}
