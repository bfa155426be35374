import AsyncHTTPClient
import Common
import Foundation
import Synchronization

/// The symbols the exchange lists and their filters (its public `exchangeInfo`), to check
/// settings and manual orders; read from the exchange the supervisor uses, kept for five minutes.
/// The last prices (`ticker/price`, kept for five seconds), the reference a market order's value
/// is checked at. And the web's public client, with its own share of the host's request weight.
final class ExchangeCatalog: Sendable {
    let database: CentralDatabase
    private let cache = Mutex<(filters: [String: SymbolFilters], at: Date)?>(nil)
    private let prices = Mutex<(prices: [String: Decimal], at: Date)?>(nil)
    /// The web's share: a tenth of the exchange's limit for this address (the workers have 80 %),
    /// so a burst of backtests cannot spend the weight the bots trade with, nor get the address
    /// banned. Past it, callers are told to come back (429) rather than wait.
    private let budget = Mutex<WeightBudget?>(nil)

    init(database: CentralDatabase) { self.database = database }

    /// A catalog that lists these symbols at these last prices for good and asks no exchange
    /// (the route tests).
    init(database: CentralDatabase, listing filters: [SymbolFilters], prices: [String: Decimal] = [:]) {
        self.database = database
        cache.withLock { $0 = (Dictionary(filters.map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first }), .distantFuture) }
        self.prices.withLock { $0 = (prices, .distantFuture) }
    }

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
        Set(try await allFilters(for: "the symbols' check").keys)
    }

    /// The symbol's filters, or nil when the exchange does not list it.
    func filters(_ symbol: String) async throws(APIError) -> SymbolFilters? {
        try await allFilters(for: "the order's check")[symbol]
    }

    /// The symbol's last trade price, or nil when the exchange quotes none.
    func lastPrice(_ symbol: String) async throws(APIError) -> Decimal? {
        if let cached = prices.withLock({ $0 }), Date().timeIntervalSince(cached.at) < 5 { return cached.prices[symbol] }
        let client = try publicClient()
        do {
            let all = try await client.tickerPrices()
            prices.withLock { $0 = (all, Date()) }
            return all[symbol]
        } catch {
            throw Self.apiError(error, "the order's check")
        }
    }

    private func allFilters(for what: String) async throws(APIError) -> [String: SymbolFilters] {
        if let cached = cache.withLock({ $0 }), Date().timeIntervalSince(cached.at) < 300 { return cached.filters }
        let client = try publicClient()
        do {
            let filters = Dictionary(try await client.exchangeInfo().map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first })
            cache.withLock { $0 = (filters, Date()) }
            return filters
        } catch {
            throw Self.apiError(error, what)
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
