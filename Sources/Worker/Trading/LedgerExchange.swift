import Common
import Foundation
import Synchronization

/// A live grid or DCA bot's exchange: the user's account, with every answer about the bot's own
/// orders kept as the rows the platform shows (CONTRACT §9: orders and fills belong to one bot).
/// The bot's driver places, looks up and cancels as before; what the exchange answered becomes
/// an order row when the order is new or changed, and a fill row per trade, each naming the bot.
/// ``BotHost`` takes them after each step and reports them; the supervisor stores them for that
/// bot once it has checked the bot is the user's.
///
/// Only orders this bot named by client id are kept: another bot's order in an `openOrders`
/// answer is none of its rows.
final class LedgerExchange: ExchangeClient {
    private struct Known {
        var status: String
        var executed: Decimal
        let createdAt: Date
    }

    private struct Ledger {
        var known: [String: Known] = [:]
        var clientIDs: [Int64: String] = [:]
        var rows: [WorkerReport] = []
    }

    private let inner: any ExchangeClient
    let bot: Int64
    /// Why the bot's orders were placed, in their rows.
    private let reason: String
    private let ledger = Mutex(Ledger())

    init(_ inner: any ExchangeClient, bot: Int64, reason: String) {
        self.inner = inner
        self.bot = bot
        self.reason = reason
    }

    /// The rows kept since the last call, oldest first.
    func take() -> [WorkerReport] {
        ledger.withLock { ledger in
            defer { ledger.rows = [] }
            return ledger.rows
        }
    }

    // MARK: - What is kept

    private func keep(_ report: OrderReport, now: Date = Date()) {
        ledger.withLock { ledger in
            let before = ledger.known[report.clientOrderID]
            if let before, before.status == report.status, before.executed == report.executedQty { return }
            let createdAt = before?.createdAt ?? now
            ledger.known[report.clientOrderID] = Known(status: report.status, executed: report.executedQty, createdAt: createdAt)
            ledger.clientIDs[report.orderID] = report.clientOrderID
            let price = report.executedQty > 0 ? report.cumulativeQuoteQty / report.executedQty : (report.price > 0 ? report.price : nil)
            ledger.rows.append(.order(OrderRecord(
                clientOrderID: report.clientOrderID, orderID: report.orderID, symbol: report.symbol, side: report.side, type: report.type,
                status: OrderStatus(rawValue: report.status) ?? .new, price: price, origQty: report.origQty, executedQty: report.executedQty,
                createdAt: createdAt, updatedAt: now, reason: reason, stopPrice: report.stopPrice, botID: bot)))
            for fill in report.fills {
                ledger.rows.append(.fill(BotFill(
                    symbol: report.symbol, tradeID: fill.tradeID, orderID: report.orderID, clientOrderID: report.clientOrderID, side: report.side,
                    price: fill.price, qty: fill.quantity, quoteQty: fill.price * fill.quantity, commission: fill.commission,
                    commissionAsset: fill.commissionAsset, time: now, botID: bot)))
            }
        }
    }

    private func keepRefusal(_ order: NewOrder, _ error: ExchangeError, now: Date = Date()) {
        // An order whose answer never came is looked up by the bot's driver; its row comes then.
        if case .unknownOrderState = error { return }
        var row = OrderRecord(order, at: now, reason: "\(reason); refused: \(error)")
        row.status = .rejected
        row.botID = bot
        ledger.withLock { ledger in
            guard ledger.known[order.clientOrderID] == nil else { return }
            ledger.known[order.clientOrderID] = Known(status: OrderStatus.rejected.rawValue, executed: 0, createdAt: now)
            ledger.rows.append(.order(row))
        }
    }

    private func keep(_ trades: [TradeReport]) {
        ledger.withLock { ledger in
            for trade in trades {
                guard let clientID = ledger.clientIDs[trade.orderID] else { continue }
                ledger.rows.append(.fill(BotFill(
                    symbol: trade.symbol, tradeID: trade.tradeID, orderID: trade.orderID, clientOrderID: clientID, side: trade.isBuyer ? "BUY" : "SELL",
                    price: trade.price, qty: trade.quantity, quoteQty: trade.quoteQuantity, commission: trade.commission,
                    commissionAsset: trade.commissionAsset, time: Date(timeIntervalSince1970: TimeInterval(trade.time) / 1000), botID: bot)))
            }
        }
    }

    private func isKnown(_ clientOrderID: String) -> Bool { ledger.withLock { $0.known[clientOrderID] != nil } }

    // MARK: - The bot's orders

    func place(_ order: NewOrder) async throws(ExchangeError) -> OrderReport {
        do {
            let report = try await inner.place(order)
            keep(report)
            return report
        } catch {
            keepRefusal(order, error)
            throw error
        }
    }

    func resolve(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport? {
        let report = try await inner.resolve(symbol: symbol, clientOrderID: clientOrderID)
        if let report { keep(report) }
        return report
    }

    func cancel(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport {
        let report = try await inner.cancel(symbol: symbol, clientOrderID: clientOrderID)
        keep(report)
        return report
    }

    func openOrders(symbol: String?) async throws(ExchangeError) -> [OrderReport] {
        let reports = try await inner.openOrders(symbol: symbol)
        for report in reports where isKnown(report.clientOrderID) { keep(report) }
        return reports
    }

    func allOrders(symbol: String) async throws(ExchangeError) -> [OrderReport] {
        let reports = try await inner.allOrders(symbol: symbol)
        for report in reports where isKnown(report.clientOrderID) { keep(report) }
        return reports
    }

    func myTrades(symbol: String, orderID: Int64?) async throws(ExchangeError) -> [TradeReport] {
        let trades = try await inner.myTrades(symbol: symbol, orderID: orderID)
        keep(trades)
        return trades
    }

    // MARK: - Everything else, as the account answers

    func exchangeInfo(symbols: [String]?) async throws(ExchangeError) -> [SymbolFilters] { try await inner.exchangeInfo(symbols: symbols) }
    func tickerPrices() async throws(ExchangeError) -> [String: Decimal] { try await inner.tickerPrices() }
    func klines(symbol: String, interval: String, limit: Int, startTime: Int64?) async throws(ExchangeError) -> [Kline] {
        try await inner.klines(symbol: symbol, interval: interval, limit: limit, startTime: startTime)
    }
    func account() async throws(ExchangeError) -> AccountSnapshot { try await inner.account() }
    func placeOCO(_ list: NewOCO) async throws(ExchangeError) -> OrderListReport { try await inner.placeOCO(list) }
    func resolveOrderList(listClientOrderID: String) async throws(ExchangeError) -> OrderListReport? {
        try await inner.resolveOrderList(listClientOrderID: listClientOrderID)
    }
    func cancelOrderList(symbol: String, orderListID: Int64) async throws(ExchangeError) -> OrderListReport {
        try await inner.cancelOrderList(symbol: symbol, orderListID: orderListID)
    }
    func openOrderLists() async throws(ExchangeError) -> [OrderListReport] { try await inner.openOrderLists() }
    func cancelReplace(symbol: String, cancelClientOrderID: String, with order: NewOrder) async throws(ExchangeError) -> CancelReplaceReport {
        try await inner.cancelReplace(symbol: symbol, cancelClientOrderID: cancelClientOrderID, with: order)
    }
}
