import AsyncHTTPClient
import Common
import Foundation
import Synchronization

/// The symbols the exchange lists (its public `exchangeInfo`), to check settings; read from
/// the exchange the supervisor uses, kept for five minutes.
final class ExchangeCatalog: Sendable {
    let database: CentralDatabase
    private let cache = Mutex<(symbols: Set<String>, at: Date)?>(nil)

    init(database: CentralDatabase) { self.database = database }

    func symbols() async throws(APIError) -> Set<String> {
        if let cached = cache.withLock({ $0 }), Date().timeIntervalSince(cached.at) < 300 { return cached.symbols }
        let client = try publicClient()
        do {
            let symbols = Set(try await client.exchangeInfo().map(\.symbol))
            cache.withLock { $0 = (symbols, Date()) }
            return symbols
        } catch {
            throw APIError(.serviceUnavailable, "exchange_unavailable", "The exchange does not answer, so the symbols cannot be checked: \(error).")
        }
    }

    /// A client without a key for the exchange the supervisor uses (its public market data).
    func publicClient() throws(APIError) -> BinanceClient {
        guard let url = (try? database.supervisorInfo.all())?["exchange_url"] else {
            throw APIError(.serviceUnavailable, "supervisor_unavailable", "The supervisor has not said which exchange it uses.")
        }
        return BinanceClient(baseURL: url, credentials: nil, timeout: .seconds(10))
    }
}
