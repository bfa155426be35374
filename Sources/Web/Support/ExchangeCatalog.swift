import AsyncHTTPClient
import Common
import Foundation
import Synchronization

/// The symbols the exchange lists (its public `exchangeInfo`), to check settings; read from
/// the exchange the supervisor uses, kept for five minutes. And the web's public client, with
/// its own share of the host's request weight.
final class ExchangeCatalog: Sendable {
    let database: CentralDatabase
    private let cache = Mutex<(symbols: Set<String>, at: Date)?>(nil)
    /// The web's share: a tenth of the exchange's limit for this address (the workers have 80 %),
    /// so a burst of backtests cannot spend the weight the bots trade with, nor get the address
    /// banned. Past it, callers are told to come back (429) rather than wait.
    private let budget = Mutex<WeightBudget?>(nil)

    init(database: CentralDatabase) { self.database = database }

    /// What an exchange failure means for the person asking: the exchange (or our share of its
    /// limit) asks to wait → 429 with `Retry-After`; anything else → 503.
    static func apiError(_ error: ExchangeError, _ what: String) -> APIError {
        switch error {
        case .rateLimited(let seconds), .banned(let seconds):
            APIError(
                .tooManyRequests, "exchange_rate_limited", "The exchange's request limit for this server is used up; \(what) can be tried again in \(seconds) s.",
                headers: [.retryAfter: String(seconds)])
        default:
            APIError(.serviceUnavailable, "exchange_unavailable", "The exchange does not answer, so \(what) cannot be done: \(error).")
        }
    }

    func symbols() async throws(APIError) -> Set<String> {
        if let cached = cache.withLock({ $0 }), Date().timeIntervalSince(cached.at) < 300 { return cached.symbols }
        let client = try publicClient()
        do {
            let symbols = Set(try await client.exchangeInfo().map(\.symbol))
            cache.withLock { $0 = (symbols, Date()) }
            return symbols
        } catch {
            throw Self.apiError(error, "the symbols' check")
        }
    }

    /// A client without a key for the exchange the supervisor uses (its public market data).
    func publicClient() throws(APIError) -> BinanceClient {
        guard let info = try? database.supervisorInfo.all(), let url = info["exchange_url"] else {
            throw APIError(.serviceUnavailable, "supervisor_unavailable", "The supervisor has not said which exchange it uses.")
        }
        let limit = info["request_weight_limit"].flatMap(Int.init) ?? 6_000
        let budget = budget.withLock { budget in
            if budget == nil || budget?.hostLimit != limit { budget = WeightBudget(share: max(1, limit / 10), hostLimit: limit) }
            return budget!
        }
        return BinanceClient(baseURL: url, credentials: nil, timeout: .seconds(10), budget: budget, budgetWait: .seconds(2))
    }
}
