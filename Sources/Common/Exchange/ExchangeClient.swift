import Foundation

/// What a bot needs of an exchange: ``BinanceClient`` speaks it to Binance (and to our
/// simulator); ``InMemoryExchange`` keeps it in memory for unit tests. Every failure is an
/// ``ExchangeError`` named by what the caller must do; a placement whose outcome is not known is
/// ``ExchangeError/unknownOrderState(clientOrderID:reason:)``: look it up, never resend it.
public protocol ExchangeClient: Sendable {
    // Market data
    func exchangeInfo(symbols: [String]?) async throws(ExchangeError) -> [SymbolFilters]
    func tickerPrices() async throws(ExchangeError) -> [String: Decimal]
    func klines(symbol: String, interval: String, limit: Int, startTime: Int64?) async throws(ExchangeError) -> [Kline]

    // Account and orders
    func account() async throws(ExchangeError) -> AccountSnapshot
    func place(_ order: NewOrder) async throws(ExchangeError) -> OrderReport
    /// The order with this client id, or nil when the exchange has none (it was never placed).
    func resolve(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport?
    func cancel(symbol: String, clientOrderID: String) async throws(ExchangeError) -> OrderReport
    func openOrders(symbol: String?) async throws(ExchangeError) -> [OrderReport]
    /// The account's recent orders on a symbol, whatever their status (Binance: the newest 500).
    func allOrders(symbol: String) async throws(ExchangeError) -> [OrderReport]
    func myTrades(symbol: String, orderID: Int64?) async throws(ExchangeError) -> [TradeReport]

    // Order lists
    func placeOCO(_ list: NewOCO) async throws(ExchangeError) -> OrderListReport
    /// The list with this client id, or nil when the exchange has none.
    func resolveOrderList(listClientOrderID: String) async throws(ExchangeError) -> OrderListReport?
    func cancelOrderList(symbol: String, orderListID: Int64) async throws(ExchangeError) -> OrderListReport
    func openOrderLists() async throws(ExchangeError) -> [OrderListReport]
    /// Cancels one order and places another in one call (`order/cancelReplace`,
    /// STOP_ON_FAILURE: nothing is placed when the cancel fails).
    func cancelReplace(symbol: String, cancelClientOrderID: String, with order: NewOrder) async throws(ExchangeError) -> CancelReplaceReport
}

extension ExchangeClient {
    public func openOrders() async throws(ExchangeError) -> [OrderReport] { try await openOrders(symbol: nil) }
    public func myTrades(symbol: String) async throws(ExchangeError) -> [TradeReport] { try await myTrades(symbol: symbol, orderID: nil) }
}
