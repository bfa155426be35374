import Foundation
import Synchronization

/// An ``ExchangeClient`` held in memory, for unit tests: balances, resting orders, order lists
/// and fills, matched against the prices the test sets with ``setPrice(_:_:)``. It refuses what
/// Binance refuses, with Binance's codes and messages, and can fail on demand
/// (``failNext(_:)``, ``dropNextAnswer()``). No clock and no sleep: time is ``now``, in ms,
/// which only the test moves.
///
/// Matching is deliberately simple: the whole quantity fills at once; a resting limit order fills
/// at its own price as maker when the price crosses it; market orders and triggered stops fill at
/// the current price as taker. The commission is 0.1 % of what is received, in that asset.
public final class InMemoryExchange: ExchangeClient {
    static let commissionRate = Decimal(string: "0.001")!

    let book = Mutex(Book())

    public init(now: Int64 = 1_700_000_000_000) {
        book.withLock { $0.now = now }
    }

    // MARK: - What the test sets

    /// The exchange's clock, in ms: order times and the account's update time.
    public var now: Int64 {
        get { book.withLock { $0.now } }
        set { book.withLock { $0.now = newValue } }
    }

    /// Lists a symbol with its filters and a first price.
    public func addSymbol(_ filters: SymbolFilters, price: Decimal) {
        book.withLock {
            $0.symbols[filters.symbol] = filters
            $0.prices[filters.symbol] = price
        }
    }

    /// Sets an asset's free balance (whatever is locked stays locked).
    public func setBalance(_ asset: String, _ free: Decimal) {
        book.withLock { $0.balances[asset, default: Balance()].free = free }
    }

    /// An asset's balance now.
    public func balance(_ asset: String) -> AccountSnapshot.Balance {
        book.withLock { book in
            let balance = book.balances[asset] ?? Balance()
            return AccountSnapshot.Balance(asset: asset, free: balance.free, locked: balance.locked)
        }
    }

    /// Moves the last price: fills the limit orders it crosses, triggers the stops it reaches,
    /// and expires the other leg of an OCO whose leg filled or triggered.
    public func setPrice(_ symbol: String, _ price: Decimal) {
        book.withLock { $0.move(symbol, to: price) }
    }

    /// What ``klines(symbol:interval:limit:startTime:)`` answers for this symbol and interval.
    public func setKlines(_ symbol: String, interval: String, _ klines: [Kline]) {
        book.withLock { $0.klines[symbol + "/" + interval] = klines }
    }

    /// The next call, whatever it is, throws this instead of doing anything.
    public func failNext(_ error: ExchangeError) {
        book.withLock { $0.fault = error }
    }

    /// The next placement (order, OCO, cancel-replace) takes effect but its answer is lost: it
    /// throws ``ExchangeError/unknownOrderState(clientOrderID:reason:)``, as after a timeout.
    public func dropNextAnswer() {
        book.withLock { $0.dropAnswer = true }
    }

    /// Runs `body` on the book, after the fault the test injected, if any.
    func call<T>(_ body: (inout Book) throws(ExchangeError) -> T) throws(ExchangeError) -> T {
        try book.withLock { (book: inout Book) throws(ExchangeError) -> T in
            if let fault = book.fault {
                book.fault = nil
                throw fault
            }
            return try body(&book)
        }
    }

    /// A placement: applied, then its answer dropped when the test asked for it.
    func placement<T>(_ clientOrderID: String, _ body: (inout Book) throws(ExchangeError) -> T) throws(ExchangeError) -> T {
        try call { (book: inout Book) throws(ExchangeError) -> T in
            let answer = try body(&book)
            guard !book.dropAnswer else {
                book.dropAnswer = false
                throw .unknownOrderState(clientOrderID: clientOrderID, reason: "answer dropped by the test")
            }
            return answer
        }
    }

    // MARK: - Market data

    public func exchangeInfo(symbols: [String]?) async throws(ExchangeError) -> [SymbolFilters] {
        try call { book in
            book.symbols.values.filter { symbols?.contains($0.symbol) ?? true }.sorted { $0.symbol < $1.symbol }
        }
    }

    public func tickerPrices() async throws(ExchangeError) -> [String: Decimal] {
        try call { $0.prices }
    }

    /// Without `startTime` the latest `limit` candles, with it the first `limit` from then on,
    /// as Binance answers.
    public func klines(symbol: String, interval: String, limit: Int, startTime: Int64?) async throws(ExchangeError) -> [Kline] {
        try call { (book: inout Book) throws(ExchangeError) -> [Kline] in
            guard book.symbols[symbol] != nil else { throw Book.invalidSymbol }
            let all = book.klines[symbol + "/" + interval] ?? []
            guard let startTime else { return Array(all.suffix(limit)) }
            return Array(all.filter { $0.openTime >= startTime }.prefix(limit))
        }
    }

    // MARK: - Account and orders

    public func account() async throws(ExchangeError) -> AccountSnapshot {
        try call { book in
            let balances = book.balances.sorted { $0.key < $1.key }.map { AccountSnapshot.Balance(asset: $0.key, free: $0.value.free, locked: $0.value.locked) }
            return AccountSnapshot(canTrade: true, balances: balances, updateTime: Date(timeIntervalSince1970: Double(book.now) / 1_000))
        }
    }

    public func place(_ order: NewOrder) async throws(ExchangeError) -> OrderReport {
        try placement(order.clientOrderID) { (book: inout Book) throws(ExchangeError) -> OrderReport in
            let index = try book.admit(order)
            return book.orders[index].report
        }
    }

    public func resolve(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport? {
        try call { book in book.latest(symbol: symbol, clientOrderID: clientOrderID).map { book.orders[$0].report } }
    }

    public func cancel(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport {
        try call { (book: inout Book) throws(ExchangeError) -> OrderReport in
            let index = try book.cancel(symbol: symbol, clientOrderID: clientOrderID)
            return book.orders[index].report
        }
    }

    public func openOrders(symbol: String?) async throws(ExchangeError) -> [OrderReport] {
        try call { book in book.orders.filter { $0.status.isOpen && (symbol == nil || $0.symbol == symbol) }.map(\.report) }
    }

    public func allOrders(symbol: String) async throws(ExchangeError) -> [OrderReport] {
        try call { book in book.orders.filter { $0.symbol == symbol }.map(\.report) }
    }

    public func myTrades(symbol: String, orderID: Int64?) async throws(ExchangeError) -> [TradeReport] {
        try call { book in book.trades.filter { $0.symbol == symbol && (orderID == nil || $0.orderID == orderID) } }
    }

    // MARK: - Order lists

    public func placeOCO(_ list: NewOCO) async throws(ExchangeError) -> OrderListReport {
        try placement(list.listClientOrderID) { (book: inout Book) throws(ExchangeError) -> OrderListReport in
            let index = try book.admit(list)
            return book.report(list: index, withOrders: true)
        }
    }

    public func resolveOrderList(listClientOrderID: String) async throws(ExchangeError) -> OrderListReport? {
        try call { book in
            book.lists.lastIndex { $0.listClientOrderID == listClientOrderID }.map { book.report(list: $0, withOrders: false) }
        }
    }

    public func cancelOrderList(symbol: String, orderListID: Int64) async throws(ExchangeError) -> OrderListReport {
        try call { (book: inout Book) throws(ExchangeError) -> OrderListReport in
            guard let index = book.lists.firstIndex(where: { $0.id == orderListID && $0.symbol == symbol }), book.lists[index].isOpen else {
                throw .rejected(code: -2011, message: "Unknown order list sent.")
            }
            let first = book.lists[index].members[0]
            _ = try book.cancel(symbol: symbol, clientOrderID: book.orders[first].clientOrderID)
            return book.report(list: index, withOrders: true)
        }
    }

    public func openOrderLists() async throws(ExchangeError) -> [OrderListReport] {
        try call { book in book.lists.indices.filter { book.lists[$0].isOpen }.map { book.report(list: $0, withOrders: false) } }
    }

    /// STOP_ON_FAILURE: a cancel that fails changes nothing (-2022); a new order refused after
    /// the cancel leaves the old one cancelled (-2021), as Binance does.
    public func cancelReplace(symbol: String, cancelClientOrderID: String, with order: NewOrder) async throws(ExchangeError) -> CancelReplaceReport {
        try placement(order.clientOrderID) { (book: inout Book) throws(ExchangeError) -> CancelReplaceReport in
            let cancelled: Int
            do throws(ExchangeError) {
                cancelled = try book.cancel(symbol: symbol, clientOrderID: cancelClientOrderID)
            } catch {
                let reason = Self.reason(error)
                throw .rejected(
                    code: -2022, message: ExchangeError.cancelReplaceMessage("Order cancel-replace failed.", cancel: reason, newOrder: "NOT_ATTEMPTED"))
            }
            do throws(ExchangeError) {
                let placed = try book.admit(order)
                return CancelReplaceReport(cancelled: book.orders[cancelled].report, placed: book.orders[placed].report)
            } catch {
                let reason = Self.reason(error)
                throw .rejected(
                    code: -2021, message: ExchangeError.cancelReplaceMessage("Order cancel-replace partially failed.", cancel: "SUCCESS", newOrder: reason))
            }
        }
    }

    /// A refusal's own message, as Binance puts it in a cancel-replace's halves.
    static func reason(_ error: ExchangeError) -> String {
        if case .rejected(_, let message) = error { return message }
        return error.description
    }
}
