import Common
import Foundation
import Synchronization

/// The simulated exchange: accounts, prices and matching. All state sits behind one lock; every
/// operation is short and synchronous.
///
/// Liquidity model: around the current price p, level i (from 0) of the ask side is at
/// p × (1 + 0.0005 (i + 1)), of the bid side at p × (1 − 0.0005 (i + 1)), each holding about
/// 25,000 USDT (0.5 BTC on BTC-quoted pairs). A market order walks the levels, so its
/// slippage grows with its size, and each level taken is one fill.
final class SimExchange: Sendable {
    struct State {
        var accounts: [String: SimAccount] = [:]
        var walks: [String: PriceWalk] = [:]
        var histories: [String: CandleHistory] = [:]
        var nextOrderID: Int64 = 1
        var nextTradeID: Int64 = 1
        var lastStep: Int64
        /// Grows at every change worth saving.
        var revision = 0
        var userEvents = UserEventLog()
        /// Open user-data connections per account: events are only built for accounts someone
        /// is listening to (the REST API is the record).
        var listeners: [String: Int] = [:]
        /// listenKey → (API key, expiry in ms).
        var listenKeys: [String: (String, Int64)] = [:]
        /// Per symbol, the open orders a price move can act on (rebuilt from the accounts at
        /// start, so it is not saved).
        var books: [String: RestingBook] = [:]
        var nextOrderListID: Int64 = 1
        /// Per account, clientOrderId → the latest order with it (rebuilt at start). An id is
        /// only reused once its order closed, so it is open iff that order is: the duplicate
        /// check is a lookup, not a scan of the open orders.
        var clientOrderIndex: [String: [String: Int64]] = [:]
    }

    /// Commission on fills of resting orders (maker) and of orders that take the book (taker),
    /// taken from what is received. Both 0.1 %, Binance's base rates, kept apart so either can change.
    static let makerCommissionRate = Decimal(string: "0.001")!
    static let takerCommissionRate = Decimal(string: "0.001")!
    static let levelSpacing = Decimal(string: "0.0005")!
    let state: Mutex<State>
    let clock: @Sendable () -> Date

    /// - Parameter restored: a saved state; its prices are where the walks continue from.
    /// - Parameter replays: symbols whose prices replay kline files.
    init(seed: UInt64, restored: SimStore.Snapshot? = nil, replays: [KlineReplay] = [], clock: @escaping @Sendable () -> Date = Date.init) {
        self.clock = clock
        var walks: [String: PriceWalk] = [:]
        var histories: [String: CandleHistory] = [:]
        let now = clock()
        for market in MarketCatalog.markets {
            let symbol = market.filters.symbol
            let replay = replays.last { $0.symbol == symbol }
            let start = replay?.closes.first ?? restored?.prices[symbol] ?? market.startPrice
            walks[symbol] = PriceWalk(seed: seed, symbol: symbol, start: start, volatility: market.volatility, tick: market.filters.tickSize)
            walks[symbol]?.replay = replay?.closes ?? []
            histories[symbol] = CandleHistory(
                seed: seed, symbol: symbol, price: Self.double(start), volatility: market.volatility, nowMs: Int64(now.timeIntervalSince1970 * 1_000))
        }
        var initial = State(walks: walks, histories: histories, lastStep: Int64(now.timeIntervalSince1970))
        if let restored {
            initial.accounts = restored.accounts
            initial.nextOrderID = restored.nextOrderID
            initial.nextTradeID = restored.nextTradeID
            for (key, account) in restored.accounts {
                for order in account.orders.values.sorted(by: { $0.orderID < $1.orderID }) {
                    initial.clientOrderIndex[key, default: [:]][order.clientOrderID] = order.orderID
                }
                for id in account.openOrderIDs {
                    if let order = account.orders[id] { initial.books[order.symbol, default: RestingBook()].add(order, key: key) }
                }
                let lastList = account.orderLists?.keys.max() ?? 0
                initial.nextOrderListID = max(initial.nextOrderListID, lastList + 1)
            }
        }
        state = Mutex(initial)
    }

    /// The state to save, and its revision; nil when nothing changed since `revision`.
    func snapshot(after revision: Int) -> (SimStore.Snapshot, Int)? {
        state.withLock { state in
            guard state.revision != revision else { return nil }
            let prices = state.walks.mapValues(\.price)
            return (SimStore.Snapshot(accounts: state.accounts, nextOrderID: state.nextOrderID, nextTradeID: state.nextTradeID, prices: prices), state.revision)
        }
    }

    var nowMs: Int64 { Int64(clock().timeIntervalSince1970 * 1000) }

    // MARK: - Accounts

    func createAccount(balances: [String: Decimal]?, canTrade: Bool = true, enableWithdrawals: Bool = false, ipRestrict: Bool = false) -> SimAccount {
        let key = Self.randomToken(64)
        let secret = Self.randomToken(64)
        let initial = (balances ?? MarketCatalog.startingBalances).mapValues { Balance(free: $0) }
        var account = SimAccount(apiKey: key, secret: secret, balances: initial, canTrade: canTrade ? nil : false)
        account.enableWithdrawals = enableWithdrawals ? true : nil
        account.ipRestrict = ipRestrict ? true : nil
        state.withLock {
            $0.accounts[key] = account
            $0.revision += 1
        }
        return account
    }

    func secret(forKey key: String) -> String? {
        state.withLock { $0.accounts[key]?.secret }
    }

    func account(_ key: String) -> SimAccount? {
        advance()
        return state.withLock { $0.accounts[key] }
    }

    static func randomToken(_ length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    // MARK: - Prices

    func price(_ symbol: String) -> Decimal? {
        advance()
        return state.withLock { $0.walks[symbol]?.price }
    }

    func prices() -> [(String, Decimal)] {
        advance()
        return state.withLock { state in MarketCatalog.markets.map { ($0.filters.symbol, state.walks[$0.filters.symbol]!.price) } }
    }

    func setPrice(_ symbol: String, _ price: Decimal, hold: Bool) throws(SimError) {
        guard MarketCatalog.bySymbol[symbol] != nil else { throw .badSymbol }
        let now = Int64(clock().timeIntervalSince1970) * 1_000
        state.withLock { state in
            state.walks[symbol]?.set(price, hold: hold)
            state.histories[symbol]?.touch(time: now, price: Self.double(price))
            matchResting(&state, symbol: symbol)
        }
    }

    /// Steps every walk once per elapsed second and fills resting orders the prices crossed.
    func advance() {
        let now = Int64(clock().timeIntervalSince1970)
        state.withLock { state in
            let steps = min(now - state.lastStep, 3_600)
            guard steps > 0 else { return }
            let first = now - steps
            state.lastStep = now
            for symbol in Array(state.walks.keys) {
                for second in 0..<steps {
                    let before = Self.double(state.walks[symbol]!.price)
                    state.walks[symbol]?.step()
                    state.histories[symbol]?.record(time: (first + second) * 1_000, from: before, to: Self.double(state.walks[symbol]!.price))
                }
                matchResting(&state, symbol: symbol)
            }
        }
    }

    static func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }

    func klines(_ symbol: String, interval: KlineInterval, start: Int64?, end: Int64?, limit: Int) -> [Candle]? {
        advance()
        return state.withLock { $0.histories[symbol]?.klines(interval, start: start, end: end, limit: limit) }
    }

    // MARK: - Liquidity

    struct Level {
        let price: Decimal
        let quantity: Decimal
    }

    static func level(_ index: Int, side: OrderSide, price: Decimal, market: MarketCatalog.Market) -> Level {
        let filters = market.filters
        let offset = levelSpacing * Decimal(index + 1)
        let raw = side == .buy ? price * (1 + offset) : price * (1 - offset)
        let levelPrice = side == .buy ? SymbolFilters.ceil(raw, step: filters.tickSize) : max(SymbolFilters.floor(raw, step: filters.tickSize), filters.tickSize)
        let notional: Decimal = filters.quoteAsset == "USDT" ? 25_000 : Decimal(string: "0.5")!
        let quantity = max(filters.roundQuantity(notional / levelPrice), filters.stepSize)
        return Level(price: levelPrice, quantity: quantity)
    }
}
