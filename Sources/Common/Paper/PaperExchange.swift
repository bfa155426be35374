import Foundation
import Synchronization

/// A paper bot's exchange, as an ``ExchangeClient``: market data from the real exchange
/// (`market`, public calls only), orders filled by a ``PaperAccount`` on virtual balances and
/// never sent anywhere. The bot's own drivers (``GridRunner``, ``DCARunner`` in the worker) run
/// on it unchanged, which is what makes paper trading the same code as live.
///
/// Its driver tells it the market as it moves: ``observe(bid:ask:symbol:)`` from the book ticker
/// (market orders fill at the best price, worse by the slippage) and ``observe(trade:symbol:)``
/// from the trade stream (resting limit orders fill at their own price when a trade goes through
/// it). Before any quote of a symbol, its last trade price stands for both sides. Order lists and
/// conditional orders are refused: the bots that run on paper place neither.
public final class PaperExchange: ExchangeClient {
    struct State {
        var account: PaperAccount
        var quotes: [String: PaperAccount.Quote] = [:]
        var filters: [String: SymbolFilters] = [:]
        /// Every order by client id, as the exchange would answer for it.
        var reports: [String: OrderReport] = [:]
        var trades: [TradeReport] = []
        var nextTradeID: Int64 = 1
        /// Counts every change of the orders or the account: what its driver stores, it stores again
        /// when this moved.
        var revision = 0
    }

    let market: any ExchangeClient
    let state: Mutex<State>
    /// Milliseconds since 1970: order and trade times.
    let clock: @Sendable () -> Int64

    public init(market: any ExchangeClient, account: PaperAccount, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.market = market
        self.state = Mutex(State(account: account))
        self.clock = clock
    }

    /// The account now.
    public var account: PaperAccount { state.withLock { $0.account } }

    /// Moves on every order placed, cancelled or filled.
    public var revision: Int { state.withLock { $0.revision } }

    /// What the bot stores to survive a restart: the account, and the orders and trades as the
    /// exchange would answer for them (the newest `keep` closed orders and trades: a driver
    /// rebuilding after a restart asks only for its current ones).
    public struct Snapshot: Sendable, Equatable, Codable {
        public let account: PaperAccount
        public let reports: [String: OrderReport]
        public let trades: [TradeReport]
        public let nextTradeID: Int64
    }

    public func snapshot(keep: Int = 1_000) -> Snapshot {
        state.withLock { state in
            let closed = state.reports.values.filter { OrderStatus(rawValue: $0.status)?.isOpen != true }
                .sorted { ($0.time ?? 0, $0.orderID) > ($1.time ?? 0, $1.orderID) }
            let dropped = Set(closed.dropFirst(keep).map(\.clientOrderID))
            return Snapshot(
                account: state.account, reports: state.reports.filter { !dropped.contains($0.key) }, trades: Array(state.trades.suffix(keep)),
                nextTradeID: state.nextTradeID)
        }
    }

    /// The exchange as it was stored.
    public convenience init(market: any ExchangeClient, snapshot: Snapshot, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.init(market: market, account: snapshot.account, clock: clock)
        state.withLock { state in
            state.reports = snapshot.reports
            state.trades = snapshot.trades
            state.nextTradeID = snapshot.nextTradeID
        }
    }

    /// The best prices of a symbol now.
    public func observe(bid: Decimal, ask: Decimal, symbol: String) {
        state.withLock { $0.quotes[symbol] = PaperAccount.Quote(bid: bid, ask: ask) }
    }

    /// A trade on the exchange: the resting orders it went through fill. Returns their fills.
    @discardableResult
    public func observe(trade price: Decimal, symbol: String) -> [PaperAccount.Fill] {
        let now = clock()
        return state.withLock { state in
            let fills = state.account.trade(symbol: symbol, price: price, time: now)
            for fill in fills { Self.record(fill, type: "LIMIT", in: &state) }
            if !fills.isEmpty { state.revision += 1 }
            return fills
        }
    }

    // MARK: - Market data: the real exchange's

    public func exchangeInfo(symbols: [String]?) async throws(ExchangeError) -> [SymbolFilters] {
        try await market.exchangeInfo(symbols: symbols)
    }

    public func tickerPrices() async throws(ExchangeError) -> [String: Decimal] {
        try await market.tickerPrices()
    }

    public func klines(symbol: String, interval: String, limit: Int, startTime: Int64?) async throws(ExchangeError) -> [Kline] {
        try await market.klines(symbol: symbol, interval: interval, limit: limit, startTime: startTime)
    }

    // MARK: - The virtual account

    public func account() async throws(ExchangeError) -> AccountSnapshot {
        let balances = state.withLock { $0.account.balances }
        return AccountSnapshot(
            canTrade: true, balances: balances.sorted { $0.key < $1.key }.map { AccountSnapshot.Balance(asset: $0.key, free: $0.value.free, locked: $0.value.locked) },
            updateTime: Date(timeIntervalSince1970: Double(clock()) / 1000)
        )
    }

    public func place(_ order: NewOrder) async throws(ExchangeError) -> OrderReport {
        let filters = try await filters(order.symbol)
        let quote = try await quote(order.symbol)
        let now = clock()
        return try state.withLock { state throws(ExchangeError) -> OrderReport in
            guard state.reports[order.clientOrderID] == nil else { throw ExchangeError.rejected(code: -2010, message: "Duplicate order sent.") }
            state.revision += 1
            do throws(PaperAccount.Refusal) {
                switch order.kind {
                case .market(let quantity):
                    let fill = try state.account.market(filters, side: order.side, quantity: quantity, quote: quote, clientOrderID: order.clientOrderID, time: now)
                    return Self.record(fill, type: "MARKET", in: &state)
                case .marketQuote(let quoteQuantity):
                    let price = order.side == .buy ? quote.ask : quote.bid
                    let quantity = filters.roundQuantity(quoteQuantity / price)
                    let fill = try state.account.market(filters, side: order.side, quantity: quantity, quote: quote, clientOrderID: order.clientOrderID, time: now)
                    return Self.record(fill, type: "MARKET", in: &state)
                case .limit(let quantity, let price, _), .limitMaker(let quantity, let price):
                    if case .limitMaker = order.kind, order.side == .buy ? quote.ask <= price : quote.bid >= price {
                        throw PaperAccount.Refusal(reason: "Order would immediately match and take.")
                    }
                    var type = "LIMIT"
                    if case .limitMaker = order.kind { type = "LIMIT_MAKER" }
                    if let fill = try state.account.limit(
                        filters, side: order.side, quantity: quantity, price: price, quote: quote, clientOrderID: order.clientOrderID, time: now)
                    {
                        return Self.record(fill, type: type, in: &state)
                    }
                    guard let resting = state.account.open.last(where: { $0.clientOrderID == order.clientOrderID }) else {
                        throw PaperAccount.Refusal(reason: "the paper order \(order.clientOrderID) neither filled nor rests")
                    }
                    let report = OrderReport(
                        symbol: order.symbol, orderID: resting.id, clientOrderID: order.clientOrderID, side: order.side.rawValue, type: type, status: "NEW",
                        price: price, origQty: quantity, executedQty: 0, cumulativeQuoteQty: 0, fills: [], time: now)
                    state.reports[order.clientOrderID] = report
                    return report
                case .conditional:
                    throw PaperAccount.Refusal(reason: "Paper bots do not place stop or take-profit orders.")
                }
            } catch {
                throw ExchangeError.rejected(code: -2010, message: error.reason)
            }
        }
    }

    public func resolve(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport? {
        state.withLock { state in state.reports[clientOrderID].flatMap { $0.symbol == symbol ? $0 : nil } }
    }

    public func cancel(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport {
        try state.withLock { state throws(ExchangeError) -> OrderReport in
            guard let report = state.reports[clientOrderID], report.symbol == symbol, state.account.cancel(clientOrderID: clientOrderID) != nil else {
                throw ExchangeError.rejected(code: -2011, message: "Unknown order sent.")
            }
            let cancelled = OrderReport(
                symbol: symbol, orderID: report.orderID, clientOrderID: clientOrderID, side: report.side, type: report.type, status: "CANCELED",
                price: report.price, origQty: report.origQty, executedQty: 0, cumulativeQuoteQty: 0, fills: [], time: report.time)
            state.reports[clientOrderID] = cancelled
            state.revision += 1
            return cancelled
        }
    }

    public func openOrders(symbol: String?) async throws(ExchangeError) -> [OrderReport] {
        state.withLock { state in
            state.account.open.filter { symbol == nil || $0.symbol == symbol }.compactMap { state.reports[$0.clientOrderID] }
        }
    }

    public func allOrders(symbol: String) async throws(ExchangeError) -> [OrderReport] {
        state.withLock { state in state.reports.values.filter { $0.symbol == symbol }.sorted { $0.orderID < $1.orderID } }
    }

    public func myTrades(symbol: String, orderID: Int64?) async throws(ExchangeError) -> [TradeReport] {
        state.withLock { state in state.trades.filter { $0.symbol == symbol && (orderID == nil || $0.orderID == orderID) } }
    }

    public func placeOCO(_ list: NewOCO) async throws(ExchangeError) -> OrderListReport { throw Self.noLists }

    public func resolveOrderList(listClientOrderID: String) async throws(ExchangeError) -> OrderListReport? { nil }

    public func cancelOrderList(symbol: String, orderListID: Int64) async throws(ExchangeError) -> OrderListReport { throw Self.noLists }

    public func openOrderLists() async throws(ExchangeError) -> [OrderListReport] { [] }

    public func cancelReplace(symbol: String, cancelClientOrderID: String, with order: NewOrder) async throws(ExchangeError) -> CancelReplaceReport {
        throw Self.noLists
    }

    static let noLists = ExchangeError.rejected(code: -1013, message: "Paper bots do not place order lists or cancel-replace orders.")

    // MARK: - Helpers

    private func filters(_ symbol: String) async throws(ExchangeError) -> SymbolFilters {
        if let known = state.withLock({ $0.filters[symbol] }) { return known }
        guard let filters = try await market.exchangeInfo(symbols: [symbol]).first(where: { $0.symbol == symbol }) else {
            throw ExchangeError.rejected(code: -1121, message: "Invalid symbol.")
        }
        state.withLock { $0.filters[symbol] = filters }
        return filters
    }

    /// The symbol's best prices as last observed, else its last trade price on both sides.
    private func quote(_ symbol: String) async throws(ExchangeError) -> PaperAccount.Quote {
        if let quote = state.withLock({ $0.quotes[symbol] }) { return quote }
        guard let last = try await market.tickerPrices()[symbol] else {
            throw ExchangeError.temporary("the exchange quotes no price for \(symbol) yet")
        }
        return PaperAccount.Quote(bid: last, ask: last)
    }

    /// A fill as the exchange would report it: its order's report (filled) and its trade.
    @discardableResult
    private static func record(_ fill: PaperAccount.Fill, type: String, in state: inout State) -> OrderReport {
        let tradeID = state.nextTradeID
        state.nextTradeID += 1
        let quote = fill.quantity * fill.price
        state.trades.append(TradeReport(
            symbol: fill.symbol, tradeID: tradeID, orderID: fill.orderID, price: fill.price, quantity: fill.quantity, quoteQuantity: quote,
            commission: fill.fee, commissionAsset: fill.feeAsset, time: fill.time, isBuyer: fill.side == .buy, isMaker: fill.maker))
        let report = OrderReport(
            symbol: fill.symbol, orderID: fill.orderID, clientOrderID: fill.clientOrderID, side: fill.side.rawValue,
            type: state.reports[fill.clientOrderID]?.type ?? type, status: "FILLED", price: state.reports[fill.clientOrderID]?.price ?? (type == "MARKET" ? 0 : fill.price),
            origQty: fill.quantity, executedQty: fill.quantity, cumulativeQuoteQty: quote,
            fills: [OrderReport.Fill(tradeID: tradeID, price: fill.price, quantity: fill.quantity, commission: fill.fee, commissionAsset: fill.feeAsset)],
            time: state.reports[fill.clientOrderID]?.time ?? fill.time)
        state.reports[fill.clientOrderID] = report
        return report
    }
}
