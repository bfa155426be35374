import Common
import Foundation
import Hummingbird

/// The simulator's own endpoints under `/sim/v1/` (not signed): accounts, prices, health.
struct AdminAPI {
    let exchange: SimExchange
    let faults: Faults

    func register(on router: Router<SimContext>) {
        router.get("/sim/v1/health") { _, _ in SimAPI.json(200, ["status": "ok"], used: nil) }
        router.post("/sim/v1/accounts") { request, _ in
            let object: [String: Any]
            switch await Self.jsonBody(request) {
            case .success(let value): object = value
            case .failure(let message): return Self.refuse(message)
            }
            var balances: [String: Decimal]?
            if let given = object["balances"] {
                guard let map = given as? [String: Any] else { return Self.refuse("balances must be an object of asset to amount") }
                var parsed: [String: Decimal] = [:]
                for (asset, amount) in map {
                    guard asset.count <= 20, asset.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
                        return Self.refuse("asset \(asset.prefix(20)) is not an asset name")
                    }
                    guard let text = amount as? String, let value = DecimalText.parse(text), value >= 0 else {
                        return Self.refuse("the balance of \(asset) must be a non-negative decimal string")
                    }
                    parsed[asset] = value
                }
                balances = parsed
            }
            var canTrade = true
            if let given = object["can_trade"] {
                guard let flag = given as? Bool else { return Self.refuse("can_trade must be true or false") }
                canTrade = flag
            }
            var permissions: [String: Bool] = [:]
            for name in ["enable_withdrawals", "ip_restrict"] {
                guard let given = object[name] else { continue }
                guard let flag = given as? Bool else { return Self.refuse("\(name) must be true or false") }
                permissions[name] = flag
            }
            let account = exchange.createAccount(
                balances: balances, canTrade: canTrade, enableWithdrawals: permissions["enable_withdrawals"] ?? false, ipRestrict: permissions["ip_restrict"] ?? false)
            return SimAPI.json(
                201,
                [
                    "apiKey": account.apiKey, "secretKey": account.secret,
                    "balances": account.balances.mapValues { DecimalText.format($0.free) },
                ], used: nil)
        }
        router.post("/sim/v1/faults") { request, _ in
            let object: [String: Any]
            switch await Self.jsonBody(request) {
            case .success(let value): object = value
            case .failure(let message): return Self.refuse(message)
            }
            var settings = Faults.Settings()  // a POST states the whole set: what it omits is off
            if let latency = object["latency_ms"] {
                guard let value = (latency as? NSNumber)?.intValue, (0...120_000).contains(value) else {
                    return Self.refuse("latency_ms must be a whole number of milliseconds from 0 to 120000")
                }
                settings.latencyMs = value
            }
            if let rate = object["error_rate"] {
                guard let value = (rate as? NSNumber)?.doubleValue, (0...1).contains(value) else {
                    return Self.refuse("error_rate must be a number from 0 to 1")
                }
                settings.errorRate = value
            }
            if let outage = object["outage"] {
                guard let value = outage as? Bool else { return Self.refuse("outage must be true or false") }
                settings.outage = value
            }
            faults.set(settings)
            return SimAPI.json(200, ["latency_ms": settings.latencyMs, "error_rate": settings.errorRate, "outage": settings.outage], used: nil)
        }
        router.delete("/sim/v1/faults") { _, _ in
            faults.set(Faults.Settings())
            return SimAPI.json(200, ["latency_ms": 0, "error_rate": 0, "outage": false], used: nil)
        }
        router.post("/sim/v1/prices") { request, _ in
            let object: [String: Any]
            switch await Self.jsonBody(request) {
            case .success(let value): object = value
            case .failure(let message): return Self.refuse(message)
            }
            guard let symbol = object["symbol"] as? String else { return Self.refuse("symbol is required") }
            guard let text = object["price"] as? String, let price = DecimalText.parse(text), price > 0 else {
                return Self.refuse("price must be a positive decimal string")
            }
            do {
                try exchange.setPrice(symbol, price, hold: object["hold"] as? Bool ?? false)
            } catch {
                return Self.refuse("unknown symbol \(symbol)")
            }
            return SimAPI.json(200, ["symbol": symbol, "price": DecimalText.format(price), "hold": object["hold"] as? Bool ?? false], used: nil)
        }
    }

    enum Body {
        case success([String: Any])
        case failure(String)
    }

    static func jsonBody(_ request: Request) async -> Body {
        guard let buffer = try? await request.body.collect(upTo: 64 * 1024) else { return .failure("the body is larger than 64 KiB") }
        if buffer.readableBytes == 0 { return .success([:]) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            return .failure("the body must be a JSON object")
        }
        return .success(object)
    }

    static func refuse(_ message: String) -> Response {
        SimAPI.json(400, ["error": ["code": "invalid_request", "message": message]], used: nil)
    }
}
